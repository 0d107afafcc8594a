import MemoryGraph
import Plan

/// Turns a schedule into a Stowage plan: one memory, `device`, that is
/// both the compute tier and the home tier (graph inputs and weights live
/// there from the start, outside any allocation, as ``Remat`` counts them
/// apart), of capacity the budget and without addresses. Each step
/// allocates its operator's outputs before it and frees, after it, what
/// ``RematEvaluation`` frees there; the plan declares recomputation with
/// its compute cost. O(steps + actions).
public enum RematPlanAssembly {
    public static let deviceTier = "device"

    public static func plan(_ problem: RematProblem, _ evaluation: RematEvaluation, method: String,
                            objective: Double? = nil, bound: Double? = nil, solverStatus: String? = nil) -> Plan {
        let graph = problem.graph
        var steps: [PlanStep] = []
        steps.reserveCapacity(evaluation.schedule.count)
        for (s, o) in evaluation.schedule.enumerated() {
            steps.append(PlanStep(op: o, before: evaluation.allocations[s].map { .allocate($0, in: deviceTier) },
                                  after: evaluation.frees[s].map { .free($0, in: deviceTier) }))
        }
        let metrics = PlanMetrics(peakBytes: [deviceTier: evaluation.peak], objective: objective, bound: bound,
                                  solverStatus: solverStatus)
        return Plan(method: method, graph: GraphIdentity(graph), tensors: PlanTensor.table(for: graph),
                    tiers: [Tier(name: deviceTier, capacity: problem.budget, addressed: false)],
                    homeTier: deviceTier, computeTier: deviceTier, steps: steps, metrics: metrics,
                    recompute: PlanRecomputation(computeCost: evaluation.cost))
    }
}
