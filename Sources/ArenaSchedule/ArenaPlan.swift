import MemoryGraph
import Plan

/// Writes an order and its offsets as a single-tier ``Plan``: one
/// addressed tier, `arena`, that is both the home and the compute tier,
/// so nothing is ever copied. Graph inputs and weights are valid there
/// from the start (the caller's buffers, outside the arena's addresses);
/// before each step the operator's outputs are allocated at their offsets,
/// after it every tensor read for the last time is freed (graph outputs
/// stay). The tier's capacity is the height. O(tensors + edges).
public enum ArenaPlan {
    public static let tier = "arena"

    /// - Parameters:
    ///   - packing: the order, offsets (per arena tensor), height and peak.
    ///   - lowerBound: a lower bound on the height of every order, recorded
    ///     as the plan's `bound` (the height is its `objective`).
    public static func make(_ problem: ArenaProblem, packing: ArenaPacking, lowerBound: Int, method: String) -> Plan {
        let order = packing.order
        let lifetimes = problem.lifetimes(order)
        var freedAfter = [[Int]](repeating: [], count: order.count)
        for (a, lifetime) in lifetimes.enumerated() where !problem.pinned[a] {
            freedAfter[lifetime.last].append(problem.tensors[a])
        }
        var arenaIndex: [Int: Int] = [:]
        for (a, t) in problem.tensors.enumerated() { arenaIndex[t] = a }
        let steps = order.enumerated().map { s, o in
            PlanStep(op: o,
                     before: problem.graph.operators[o].outputs.map { t in
                         .allocate(t, in: tier, at: packing.offsets[arenaIndex[t] ?? 0])
                     },
                     after: freedAfter[s].map { .free($0, in: tier) })
        }
        let metrics = PlanMetrics(peakBytes: [tier: packing.peak], heights: [tier: packing.height],
                                  objective: Double(packing.height), bound: Double(lowerBound),
                                  solverStatus: packing.height <= lowerBound ? "optimal" : "feasible")
        return Plan(method: method, graph: GraphIdentity(problem.graph), tensors: PlanTensor.table(for: problem.graph),
                    tiers: [Tier(name: tier, capacity: packing.height, alignment: 1, addressed: true)],
                    homeTier: tier, computeTier: tier, steps: steps, metrics: metrics)
    }
}
