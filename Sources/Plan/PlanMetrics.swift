/// The figures a plan claims. The verifier recomputes each one by replay and
/// rejects the plan when any differs.
public struct PlanMetrics: Sendable, Codable, Equatable {
    /// Per tier, the most bytes allocated at once.
    public var peakBytes: [String: Int]
    /// Per addressed tier, the highest `offset + bytes` ever allocated.
    public var heights: [String: Int]
    /// Per link ("host->scratchpad"), the bytes copied over it.
    public var bytesMoved: [String: Int]
    /// Loading each input and weight read once, storing each graph output once.
    public var compulsoryBytes: Int
    /// All other bytes moved.
    public var nonCompulsoryBytes: Int
    /// What a solver reported, when a solver made the plan.
    public var objective: Double?
    public var bound: Double?
    public var solverStatus: String?

    public init(peakBytes: [String: Int] = [:], heights: [String: Int] = [:], bytesMoved: [String: Int] = [:],
                compulsoryBytes: Int = 0, nonCompulsoryBytes: Int = 0, objective: Double? = nil,
                bound: Double? = nil, solverStatus: String? = nil) {
        self.peakBytes = peakBytes
        self.heights = heights
        self.bytesMoved = bytesMoved
        self.compulsoryBytes = compulsoryBytes
        self.nonCompulsoryBytes = nonCompulsoryBytes
        self.objective = objective
        self.bound = bound
        self.solverStatus = solverStatus
    }

    public static func link(from source: String, to destination: String) -> String { "\(source)->\(destination)" }
}
