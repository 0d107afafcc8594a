/// How ``Planner/allocate(_:capacity:options:)`` places buffers.
public struct AllocationOptions: Sendable {
    /// `auto` (greedy heuristics, then the exact search when a gap or a
    /// missed capacity remains), `greedy`, `search`, or `ilp`.
    public var method: AllocationMethod
    /// The backend for `ilp`.
    public var solver: PlanningOptions.SolverKind
    /// Wall-clock seconds for the whole call (heuristics, improvement,
    /// search or ILP, validation); `nil`: no limit.
    public var timeLimit: Double?
    /// With a capacity: keep lowering the height after a fit is found.
    public var minimizeBelowCapacity: Bool
    /// Progress lines for people (search nodes, incumbent, bound).
    public var progress: (@Sendable (String) -> Void)?

    public init(method: AllocationMethod = .auto, solver: PlanningOptions.SolverKind = .cbc, timeLimit: Double? = 10,
                minimizeBelowCapacity: Bool = false, progress: (@Sendable (String) -> Void)? = nil) {
        self.method = method
        self.solver = solver
        self.timeLimit = timeLimit
        self.minimizeBelowCapacity = minimizeBelowCapacity
        self.progress = progress
    }
}
