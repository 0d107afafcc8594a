/// How ``Planner/schedule(_:options:)`` chooses the operator order.
public struct ScheduleOptions: Sendable {
    public enum Method: String, Sendable, CaseIterable, Codable {
        /// Heuristics, the exact search, the order ILP when the search
        /// stops at its state limit with time left, the joint
        /// order-and-address ILP for small graphs whose arena reaches above
        /// the peak.
        case auto
        /// Heuristics, then the exact search over down-sets.
        case dp
        /// Heuristics, then the order ILP (and the joint ILP when small).
        case ilp
        /// The best of the heuristic orders (given, XLA-like list
        /// scheduler, Inductor-like reordering).
        case heuristic
    }

    public var method: Method
    /// The MILP backend of the ILPs.
    public var solver: PlanningOptions.SolverKind
    /// Wall-clock seconds for the whole request (import included for
    /// ``Planner/schedule(modelAt:options:symbols:)``); the best verified
    /// answer found by then is returned. `nil`: the exact search runs to
    /// its state limit and each ILP for at most 60 s.
    public var timeLimit: Double?
    /// Count every floating-point element as this many bytes (`--dtype-bytes`).
    public var dtypeBytes: Int?
    /// States the exact search may hold at once: about 100 bytes each for
    /// graphs of up to 64 operators per stretch, 8 more per 64 operators.
    public var maxStates: Int
    /// One line per phase for people (heuristics, search, ILP).
    public var progress: (@Sendable (String) -> Void)?

    public init(method: Method = .auto, solver: PlanningOptions.SolverKind = .cbc, timeLimit: Double? = nil,
                dtypeBytes: Int? = nil, maxStates: Int = 4_000_000, progress: (@Sendable (String) -> Void)? = nil) {
        self.method = method
        self.solver = solver
        self.timeLimit = timeLimit
        self.dtypeBytes = dtypeBytes
        self.maxStates = maxStates
        self.progress = progress
    }

    /// The first option out of range, as a bad-input error naming it.
    func check() throws(StowageError) {
        // The time limit and element size follow the planner's rules.
        try PlanningOptions(timeLimit: timeLimit, dtypeBytes: dtypeBytes).check()
        if !(1 ... 1_000_000_000).contains(maxStates) {
            throw .badInput(source: "options", location: "maxStates", reason: "must be between 1 and 1,000,000,000, got \(maxStates)")
        }
    }
}
