import MemoryGraph
import Plan

/// Turns a schedule into a Stowage plan: one memory, `device`, that is
/// both the compute tier and the home tier (graph inputs and weights live
/// there from the start, outside any allocation, as ``Remat`` counts them
/// apart), of capacity the budget and without addresses. Each step
/// allocates its operator's outputs before it and frees, after it, what
/// ``RematEvaluation`` frees there; the plan declares recomputation with
/// its compute cost.
///
/// A schedule with copies adds the tier `host` (unbounded, no addresses):
/// a store after a step is `allocate(t, host)`, `copy(t, device, host)`;
/// a load is `allocate(t, device)`, `copy(t, host, device)`; both go to
/// the after-actions of the execution they follow, with the frees the
/// evaluation makes after them. The plan then prices its links
/// (``PlanRecomputation/linkCosts``) and claims the transfer cost.
/// O(events + actions).
public enum RematPlanAssembly {
    public static let deviceTier = "device"
    public static let hostTier = "host"

    public static func plan(_ problem: RematProblem, _ evaluation: RematEvaluation, method: String,
                            objective: Double? = nil, bound: Double? = nil, solverStatus: String? = nil) -> Plan {
        let graph = problem.graph
        var steps: [PlanStep] = []
        steps.reserveCapacity(evaluation.schedule.count)
        var pending: [PlanAction] = []
        func frees(_ e: Int) -> [PlanAction] {
            evaluation.eventFrees[e].map { .free($0, in: deviceTier) } + evaluation.hostFrees[e].map { .free($0, in: hostTier) }
        }
        for (e, event) in evaluation.events.enumerated() {
            var actions: [PlanAction]
            switch event {
            case .run(let o):
                let before = pending + evaluation.allocations[steps.count].map { .allocate($0, in: deviceTier) }
                pending = []
                steps.append(PlanStep(op: o, before: before, after: frees(e)))
                continue
            case .store(let t):
                actions = [.allocate(t, in: hostTier), .copy(t, from: deviceTier, to: hostTier)]
            case .load(let t):
                actions = [.allocate(t, in: deviceTier), .copy(t, from: hostTier, to: deviceTier)]
            }
            actions += frees(e)
            if steps.isEmpty { pending += actions } else { steps[steps.count - 1].after += actions }
        }
        var metrics = PlanMetrics(peakBytes: [deviceTier: evaluation.peak], objective: objective, bound: bound,
                                  solverStatus: solverStatus)
        var tiers = [Tier(name: deviceTier, capacity: problem.budget, addressed: false)]
        var recompute = PlanRecomputation(computeCost: evaluation.computeCost)
        if evaluation.hasCopies {
            tiers.append(Tier(name: hostTier, capacity: nil, addressed: false))
            metrics.peakBytes[hostTier] = evaluation.hostPeak
            let out = PlanMetrics.link(from: deviceTier, to: hostTier), back = PlanMetrics.link(from: hostTier, to: deviceTier)
            if evaluation.storedBytes > 0 { metrics.bytesMoved[out] = evaluation.storedBytes }
            if evaluation.loadedBytes > 0 { metrics.bytesMoved[back] = evaluation.loadedBytes }
            // As the verifier counts it: the first copy of a graph output into the home tier (a load here) is compulsory.
            var counted = Set<Int>()
            for case .load(let t) in evaluation.events where problem.isGraphOutput[t] && counted.insert(t).inserted {
                metrics.compulsoryBytes += problem.bytes[t]
            }
            metrics.nonCompulsoryBytes = evaluation.storedBytes + evaluation.loadedBytes - metrics.compulsoryBytes
            let spill = problem.spill ?? SpillCosts(storePerByte: 0, loadPerByte: 0)
            recompute.linkCosts = [out: spill.storePerByte, back: spill.loadPerByte]
            recompute.transferCost = evaluation.transferCost
        }
        return Plan(method: method, graph: GraphIdentity(graph), tensors: PlanTensor.table(for: graph),
                    tiers: tiers, homeTier: deviceTier, computeTier: deviceTier, steps: steps, metrics: metrics,
                    recompute: recompute)
    }
}
