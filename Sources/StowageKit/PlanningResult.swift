import Foundation

/// A plan that passed the verifier, with what it was planned against.
public struct PlanningResult: Sendable {
    /// The plan: steps with their allocate, copy and free actions, claimed
    /// metrics. ``Planner`` replayed it against ``graph`` before returning.
    public var plan: Plan
    /// The graph the plan belongs to: the input with
    /// ``PlanningOptions/dtypeBytes`` applied. Verify, render or execute
    /// the plan against this graph.
    public var graph: Graph
    /// The scratchpad capacity planned for, in bytes.
    public var capacity: Int
    /// M_R, M_H and M_P of ``graph`` in its file order.
    public var budgets: Budgets
    /// Operator steps the verifier replayed (every step of the plan).
    public var stepsVerified: Int
    /// Wall-clock seconds from the request to the verified plan.
    public var seconds: Double

    /// Bytes moved that some plan could avoid: the planners' objective.
    public var nonCompulsoryBytes: Int { plan.metrics.nonCompulsoryBytes }

    /// A lower bound on ``nonCompulsoryBytes`` of any plan in this operator
    /// order (ILP only).
    public var bound: Double? { plan.metrics.bound }

    /// Whether the plan is proven optimal for this operator order (`nil`
    /// without a bound).
    public var isOptimal: Bool? { bound.map { Double(nonCompulsoryBytes) <= $0 + 0.5 } }

    /// The plan in Stowage's plan format (`Schemas/plan.schema.json`), as
    /// `stowage plan -o` writes it and `stowage verify` reads it.
    public func json(pretty: Bool = false) -> Data { PlanCodec.encode(plan, pretty: pretty) }
}
