import Foundation

/// A plan that passed the verifier, with what it was planned against.
public struct PlanningResult: Sendable {
    /// Whom a lower bound covers.
    public enum BoundScope: String, Sendable, Codable {
        /// Every plan in the plan's operator order.
        case order
        /// Every plan in any operator order.
        case allOrders = "all-orders"
    }

    /// The plan: steps with their allocate, copy and free actions, the
    /// per-tensor residency table, claimed metrics. ``Planner`` replayed it
    /// against ``graph`` before returning.
    public var plan: Plan
    /// The graph the plan belongs to: the input with
    /// ``PlanningOptions/dtypeBytes`` applied. Verify, render or execute
    /// the plan against this graph.
    public var graph: Graph
    /// The scratchpad capacity planned for, in bytes.
    public var capacity: Int
    /// M_R, M_H and M_P of ``graph`` in its file order.
    public var budgets: Budgets
    /// Whom ``bound`` covers; `nil` without a bound (the baseline).
    public var boundScope: BoundScope?
    /// With the order free: a lower bound for the plan's own operator order
    /// (the fixed-order ILP's), beside ``bound``, which covers every order.
    public var orderBound: Double?
    /// Tensors of unknown size planned as 0 bytes (only with
    /// ``PlanningOptions/UnknownSizes/zero``); the plan holds only for that
    /// reading.
    public var assumedZeroBytes: [String]
    /// Operator steps the verifier replayed (every step of the plan).
    public var stepsVerified: Int
    /// Wall-clock seconds from the request to the verified plan.
    public var seconds: Double

    /// Bytes moved that some plan could avoid: the planners' objective.
    public var nonCompulsoryBytes: Int { plan.metrics.nonCompulsoryBytes }

    /// A lower bound on ``nonCompulsoryBytes`` of any plan in ``boundScope``
    /// (ILP only).
    public var bound: Double? { plan.metrics.bound }

    /// Relative gap between the plan's traffic and the bound (0 when they
    /// meet), `nil` without a bound.
    public var gap: Double? {
        guard let bound else { return nil }
        let traffic = Double(nonCompulsoryBytes)
        return traffic <= bound + 0.5 ? 0 : (traffic - bound) / max(traffic, 1)
    }

    /// Relative gap to ``orderBound`` (0 when the plan is optimal for its order).
    public var orderGap: Double? {
        guard let orderBound else { return nil }
        let traffic = Double(nonCompulsoryBytes)
        return traffic <= orderBound + 0.5 ? 0 : (traffic - orderBound) / max(traffic, 1)
    }

    /// Whether the plan is proven optimal within ``boundScope`` (`nil`
    /// without a bound).
    public var isOptimal: Bool? { bound.map { Double(nonCompulsoryBytes) <= $0 + 0.5 } }

    /// The plan in Stowage's plan format (`Schemas/plan.schema.json`), as
    /// `stowage plan -o` writes it and `stowage verify` reads it.
    public func json(pretty: Bool = false) -> Data { PlanCodec.encode(plan, pretty: pretty) }

    /// The summary `stowage plan --json` prints (`Schemas/plan-report.schema.json`).
    public var report: PlanningReport { PlanningReport(self) }
}
