import Foundation

/// What `stowage plan --json` prints: one object a script can read, with
/// the same figures for a success and, with `feasible: false` and a
/// `message`, for a request that has no answer. Schema:
/// `Schemas/plan-report.schema.json`.
public struct PlanningReport: Sendable, Encodable {
    /// The version of this object's layout.
    public static let currentVersion = 1

    public var version = Self.currentVersion
    public var feasible: Bool
    public var graph: String?
    public var method: String?
    public var capacity: Int?
    public var peakBytes: Int?
    public var height: Int?
    public var compulsoryBytes: Int?
    public var nonCompulsoryBytes: Int?
    public var budgets: [String: Int]?
    public var bound: Double?
    public var boundScope: String?
    public var gap: Double?
    /// With the order free: the bound for the plan's own order, and the gap to it.
    public var orderBound: Double?
    public var orderGap: Double?
    public var optimal: Bool?
    public var assumedZeroBytes: [String]
    public var stepsVerified: Int?
    public var seconds: Double
    public var message: String?

    init(_ result: PlanningResult) {
        let plan = result.plan
        feasible = true
        graph = result.graph.name
        method = plan.method
        capacity = result.capacity
        peakBytes = plan.metrics.peakBytes[plan.computeTier]
        height = plan.metrics.heights[plan.computeTier]
        compulsoryBytes = plan.metrics.compulsoryBytes
        nonCompulsoryBytes = plan.metrics.nonCompulsoryBytes
        budgets = ["M_R": result.budgets.minimum, "M_H": result.budgets.half, "M_P": result.budgets.noSpill]
        bound = result.bound
        boundScope = result.bound == nil ? nil : result.boundScope?.rawValue
        gap = result.gap
        orderBound = result.orderBound
        orderGap = result.orderGap
        optimal = result.isOptimal
        assumedZeroBytes = result.assumedZeroBytes
        stepsVerified = result.stepsVerified
        seconds = result.seconds
        message = nil
    }

    /// The report of a request that ended with `error`.
    public init(failure error: StowageError, method: String?, seconds: Double) {
        feasible = false
        self.method = method
        if case .infeasible(let capacity, _) = error { self.capacity = capacity }
        assumedZeroBytes = []
        self.seconds = seconds
        message = error.description
    }

    enum CodingKeys: String, CodingKey {
        case version, feasible, graph, method, capacity, peakBytes, height, compulsoryBytes, nonCompulsoryBytes, budgets,
             bound, boundScope, gap, orderBound, orderGap, optimal, assumedZeroBytes, stepsVerified, seconds, message
    }

    /// Every key is written, `null` where there is no value, so a script
    /// can rely on the keys.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(feasible, forKey: .feasible)
        try c.encode(graph, forKey: .graph)
        try c.encode(method, forKey: .method)
        try c.encode(capacity, forKey: .capacity)
        try c.encode(peakBytes, forKey: .peakBytes)
        try c.encode(height, forKey: .height)
        try c.encode(compulsoryBytes, forKey: .compulsoryBytes)
        try c.encode(nonCompulsoryBytes, forKey: .nonCompulsoryBytes)
        try c.encode(budgets, forKey: .budgets)
        try c.encode(bound.flatMap { $0.isFinite ? $0 : nil }, forKey: .bound)
        try c.encode(boundScope, forKey: .boundScope)
        try c.encode(gap.flatMap { $0.isFinite ? $0 : nil }, forKey: .gap)
        try c.encode(orderBound.flatMap { $0.isFinite ? $0 : nil }, forKey: .orderBound)
        try c.encode(orderGap.flatMap { $0.isFinite ? $0 : nil }, forKey: .orderGap)
        try c.encode(optimal, forKey: .optimal)
        try c.encode(assumedZeroBytes, forKey: .assumedZeroBytes)
        try c.encode(stepsVerified, forKey: .stepsVerified)
        try c.encode(seconds.isFinite ? seconds : 0, forKey: .seconds)
        try c.encode(message, forKey: .message)
    }

    /// One line of JSON with sorted keys.
    public var json: String { reportJSON(self) }
}
