/// A plan's declaration that operators may run more than once
/// (rematerialisation): without it, the verifier rejects an operator that
/// runs a second time. With it, every execution of an operator must find
/// its inputs valid and its outputs allocated like the first, its outputs
/// must be the same bytes as the first computation's (checked in
/// real-memory mode), and the claimed ``computeCost`` must be the sum of
/// the costs of the plan's steps (``MemoryGraph/Operator/executionCost``:
/// an operator's `cost`, 1 when the graph gives none).
///
/// With spills to host memory, the plan also prices its copies in the
/// unit of operator costs: ``linkCosts`` per byte on each link, and the
/// claimed ``transferCost`` must be the sum over links of the bytes the
/// replay moved times that price (a copy over a link without a price is
/// an error).
///
/// In JSON, the plan's optional `"recompute": {"computeCost": 1234.5}`,
/// with `"transferCost"` and `"linkCosts": {"device->host": 1e-6, …}` when
/// the plan copies.
public struct PlanRecomputation: Sendable, Codable, Equatable {
    /// The sum over the plan's steps of the cost of the operator each runs.
    public var computeCost: Double
    /// The cost of the copies (no overlap with compute); nil: no copies.
    public var transferCost: Double?
    /// Per link ("device->host"), the cost of one byte copied over it.
    public var linkCosts: [String: Double]?

    public init(computeCost: Double, transferCost: Double? = nil, linkCosts: [String: Double]? = nil) {
        self.computeCost = computeCost
        self.transferCost = transferCost
        self.linkCosts = linkCosts
    }

    /// Whether two sums of the same costs in possibly different orders are
    /// the same number: equal within a relative 1e-9 (or 1e-9 absolute near 0).
    public static func sameCost(_ a: Double, _ b: Double) -> Bool {
        guard a.isFinite, b.isFinite else { return false }
        return abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
    }
}
