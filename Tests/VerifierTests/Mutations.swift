import MemoryGraph
import Plan
@testable import Verifier

/// One broken plan and the failure the verifier must report.
struct Mutant {
    var name: String
    var plan: Plan
    /// The graph to verify against (another graph for `wrongGraph` cases).
    var graph: Graph
    /// The kind the first failure must have; nil when any rejection will do.
    var expected: VerificationFailure.Kind?
    /// Whether the mutant makes two ranges of the scratchpad overlap.
    var overlaps = false
}

/// The ways the mutation test breaks a valid plan, each aimed at one
/// failure kind. A mutation returns nil when the plan gives it nothing to
/// break (no spill to drop, no dependent pair to swap).
enum Mutations {
    /// Where an action sits: step, before (true) or after, index.
    struct Site: Equatable {
        var step: Int
        var before: Bool
        var index: Int
    }

    static func actions(_ plan: Plan) -> [(Site, PlanAction)] {
        var result: [(Site, PlanAction)] = []
        for (s, step) in plan.steps.enumerated() {
            for (i, a) in step.before.enumerated() { result.append((Site(step: s, before: true, index: i), a)) }
            for (i, a) in step.after.enumerated() { result.append((Site(step: s, before: false, index: i), a)) }
        }
        return result
    }

    static func modify(_ plan: inout Plan, _ site: Site, _ change: (inout PlanAction) -> Void) {
        if site.before { change(&plan.steps[site.step].before[site.index]) } else { change(&plan.steps[site.step].after[site.index]) }
    }

    static func remove(_ plan: inout Plan, _ site: Site) {
        if site.before { plan.steps[site.step].before.remove(at: site.index) } else { plan.steps[site.step].after.remove(at: site.index) }
    }

    static func pick<T>(_ items: [T], _ random: inout SplitMix64) -> T? {
        items.isEmpty ? nil : items[Int(random.next() % UInt64(items.count))]
    }

    static func bytes(_ graph: Graph, _ t: Int) -> Int { graph.tensors[t].bytes ?? 0 }

    /// Every mutant of one valid plan.
    static func all(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) throws -> [Mutant] {
        var result: [Mutant] = []
        let makers: [(Graph, Plan, inout SplitMix64) throws -> Mutant?] = [
            shiftOntoLiveNeighbour, dropNeededLoad, swapDependentSteps, shrinkCapacity, changeMetric, changeMetric,
            freeTooEarly, duplicateOperator, duplicateWholeStep, removeFinalStore, wrongFingerprint, wrongGraph,
            misalign, negativeOffset, unknownTier, tensorOutOfRange, operatorOutOfRange, dropStep, doubleAllocate,
            freeUnallocated, misstateResidency, misstateResidency,
        ]
        for make in makers {
            if let mutant = try make(graph, plan, &random) { result.append(mutant) }
        }
        return result
    }

    /// Changes one entry of the residency table (offset, steps, flags, or
    /// drops it) while the actions stay valid: a code generator reading the
    /// table would put the tensor elsewhere than the actions do.
    static func misstateResidency(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        guard let i = pick(Array(plan.residencies.indices), &random) else { return nil }
        var broken = plan
        switch random.next() % 5 {
        case 0 where broken.residencies[i].offset != nil: broken.residencies[i].offset! += 1
        case 1: broken.residencies[i].lastStep += 1
        case 2: broken.residencies[i].loaded.toggle()
        case 3: broken.residencies[i].stored.toggle()
        default: broken.residencies.remove(at: i)
        }
        return Mutant(name: "misstateResidency", plan: broken, graph: graph, expected: .residencyMismatch)
    }

    /// Moves an allocation onto the offset of a tensor that is still
    /// allocated at that moment.
    static func shiftOntoLiveNeighbour(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        var held: [Int: Int] = [:]
        var candidates: [(Site, Int)] = []
        for (site, a) in actions(plan) where a.tier == PlanGenerator.scratchpad {
            switch a.kind {
            case .allocate:
                let neighbours = held.filter { bytes(graph, $0.key) > 0 }.sorted { $0.key < $1.key }
                if bytes(graph, a.tensor) > 0, let neighbour = pick(neighbours, &random) {
                    candidates.append((site, neighbour.value))
                }
                held[a.tensor] = a.offset
            case .free: held[a.tensor] = nil
            case .copy: break
            }
        }
        guard let (site, offset) = pick(candidates, &random) else { return nil }
        var broken = plan
        modify(&broken, site) { $0.offset = offset }
        return Mutant(name: "shift onto a live neighbour", plan: broken, graph: graph, expected: .overlap, overlaps: true)
    }

    /// Removes a load that the step's operator needs.
    static func dropNeededLoad(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        let loads = actions(plan).filter { site, a in
            a.kind == .copy && a.tier == PlanGenerator.scratchpad && site.before
                && graph.operators[plan.steps[site.step].op].reads.contains(a.tensor)
        }
        guard let (site, _) = pick(loads, &random) else { return nil }
        var broken = plan
        remove(&broken, site)
        return Mutant(name: "drop a needed load", plan: broken, graph: graph, expected: .notResident)
    }

    /// Swaps the operators of a producer's step and a later consumer's step.
    static func swapDependentSteps(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        var stepOf: [Int: Int] = [:]
        for (s, step) in plan.steps.enumerated() { stepOf[step.op] = s }
        var pairs: [(Int, Int)] = []
        for (j, step) in plan.steps.enumerated() {
            for t in graph.operators[step.op].reads {
                if let p = graph.producers[t], let i = stepOf[p], i < j { pairs.append((i, j)) }
            }
        }
        guard let (i, j) = pick(pairs, &random) else { return nil }
        var broken = plan
        broken.steps[i].op = plan.steps[j].op
        broken.steps[j].op = plan.steps[i].op
        return Mutant(name: "swap dependent steps", plan: broken, graph: graph, expected: .badOrder)
    }

    /// Sets the scratchpad's capacity one byte below the plan's height.
    static func shrinkCapacity(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        guard let height = plan.metrics.heights[PlanGenerator.scratchpad], height > 0 else { return nil }
        var broken = plan
        broken.tiers[0].capacity = height - 1 - Int(random.next() % UInt64(min(height, 4)))
        return Mutant(name: "shrink a capacity", plan: broken, graph: graph, expected: .capacityExceeded)
    }

    /// Changes one claimed figure, or claims traffic on a link that does not exist.
    static func changeMetric(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        var broken = plan
        let delta = [-1, 1, 4096][Int(random.next() % 3)]
        switch random.next() % 8 {
        case 0: broken.metrics.peakBytes[PlanGenerator.scratchpad, default: 0] += delta
        case 1: broken.metrics.heights[PlanGenerator.scratchpad, default: 0] += delta
        case 2: broken.metrics.bytesMoved["host->scratchpad", default: 0] += delta
        case 3: broken.metrics.bytesMoved["scratchpad->host", default: 0] += delta
        case 4: broken.metrics.compulsoryBytes += delta
        case 5: broken.metrics.nonCompulsoryBytes += delta
        case 6: broken.metrics.bytesMoved["host->disk"] = abs(delta)
        default: broken.metrics.peakBytes[PlanGenerator.host, default: 0] += abs(delta)
        }
        return Mutant(name: "change a claimed metric", plan: broken, graph: graph, expected: .metricMismatch)
    }

    /// Frees a tensor in the step before an operator that reads it, while
    /// it was resident since an earlier step.
    static func freeTooEarly(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        var residentSince: [Int: Int] = [:]
        var candidates: [(step: Int, tensor: Int)] = []
        for (s, step) in plan.steps.enumerated() {
            for a in step.before where a.tier == PlanGenerator.scratchpad {
                if a.kind == .allocate { residentSince[a.tensor] = s }
                if a.kind == .free { residentSince[a.tensor] = nil }
            }
            for t in graph.operators[step.op].reads {
                if let since = residentSince[t], since < s { candidates.append((s - 1, t)) }
            }
            for a in step.after where a.tier == PlanGenerator.scratchpad {
                if a.kind == .allocate { residentSince[a.tensor] = s }
                if a.kind == .free { residentSince[a.tensor] = nil }
            }
        }
        guard let (s, t) = pick(candidates, &random) else { return nil }
        var broken = plan
        broken.steps[s].after.append(.free(t, in: PlanGenerator.scratchpad))
        return Mutant(name: "free too early", plan: broken, graph: graph, expected: .notResident)
    }

    /// Runs an operator a second time, later (the step without actions).
    static func duplicateOperator(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        let s = Int(random.next() % UInt64(plan.steps.count))
        let at = s + 1 + Int(random.next() % UInt64(plan.steps.count - s))
        var broken = plan
        broken.steps.insert(PlanStep(op: plan.steps[s].op), at: at)
        return Mutant(name: "duplicate an operator", plan: broken, graph: graph, expected: .badOrder)
    }

    /// Repeats a whole step, actions included, right after itself: some
    /// check must refuse it (a second allocation, an overlap, or the
    /// operator running twice, whichever comes first).
    static func duplicateWholeStep(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        let s = Int(random.next() % UInt64(plan.steps.count))
        var broken = plan
        broken.steps.insert(plan.steps[s], at: s + 1)
        return Mutant(name: "duplicate a step", plan: broken, graph: graph, expected: nil)
    }

    /// Removes the last store of a graph output that is not reloaded afterwards.
    static func removeFinalStore(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        let all = actions(plan)
        var candidates: [Site] = []
        for t in Set(graph.outputs).sorted() {
            guard let last = all.lastIndex(where: { $0.1.kind == .copy && $0.1.tensor == t && $0.1.tier == PlanGenerator.host })
            else { continue }
            if !all[(last + 1)...].contains(where: { $0.1.kind == .copy && $0.1.tensor == t && $0.1.from == PlanGenerator.host }) {
                candidates.append(all[last].0)
            }
        }
        guard let site = pick(candidates, &random) else { return nil }
        var broken = plan
        remove(&broken, site)
        return Mutant(name: "remove the final store of an output", plan: broken, graph: graph, expected: .outputNotHome)
    }

    static func wrongFingerprint(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        var broken = plan
        broken.graph.fingerprint = String(broken.graph.fingerprint.reversed())
        if broken.graph.fingerprint == plan.graph.fingerprint { broken.graph.fingerprint = "0123456789abcdef" }
        return Mutant(name: "wrong fingerprint", plan: broken, graph: graph, expected: .wrongGraph)
    }

    /// The plan, verified against the graph with one tensor grown by a byte.
    static func wrongGraph(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) throws -> Mutant? {
        var tensors = graph.tensors
        let t = Int(random.next() % UInt64(tensors.count))
        tensors[t].bytes = (tensors[t].bytes ?? 0) + 1
        let other = try Graph(name: graph.name, tensors: tensors, operators: graph.operators, outputs: graph.outputs)
        return Mutant(name: "another graph", plan: plan, graph: other, expected: .wrongGraph)
    }

    /// Moves an allocation off the tier's alignment.
    static func misalign(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        guard plan.tiers[0].alignment > 1 else { return nil }
        let allocations = actions(plan).filter { $0.1.kind == .allocate }
        guard let (site, _) = pick(allocations, &random) else { return nil }
        var broken = plan
        modify(&broken, site) { $0.offset = ($0.offset ?? 0) + 1 }
        return Mutant(name: "misaligned offset", plan: broken, graph: graph, expected: .malformed)
    }

    static func negativeOffset(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        guard let (site, _) = pick(actions(plan).filter { $0.1.kind == .allocate }, &random) else { return nil }
        var broken = plan
        modify(&broken, site) { $0.offset = -plan.tiers[0].alignment * (1 + Int(random.next() % 3)) }
        return Mutant(name: "negative offset", plan: broken, graph: graph, expected: .malformed)
    }

    static func unknownTier(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        guard let (site, _) = pick(actions(plan), &random) else { return nil }
        var broken = plan
        modify(&broken, site) { action in
            if action.kind == .copy && random.next() % 2 == 0 { action.from = "disk" } else { action.tier = "disk" }
        }
        return Mutant(name: "unknown tier", plan: broken, graph: graph, expected: .malformed)
    }

    static func tensorOutOfRange(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        guard let (site, _) = pick(actions(plan), &random) else { return nil }
        var broken = plan
        modify(&broken, site) { $0.tensor = random.next() % 2 == 0 ? -1 : graph.tensors.count + Int(random.next() % 5) }
        return Mutant(name: "tensor index out of range", plan: broken, graph: graph, expected: .malformed)
    }

    static func operatorOutOfRange(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        var broken = plan
        let s = Int(random.next() % UInt64(plan.steps.count))
        broken.steps[s].op = random.next() % 2 == 0 ? Int.min : graph.operators.count
        return Mutant(name: "operator index out of range", plan: broken, graph: graph, expected: .malformed)
    }

    /// Removes the last step. Its operator's own actions go with it (they
    /// would fail first: its outputs are never written), but the stores of
    /// other graph outputs move to the step before, so the first thing
    /// wrong is that the operator never runs.
    static func dropStep(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        guard plan.steps.count >= 2 else { return nil }
        var broken = plan
        let last = broken.steps.removeLast()
        // The dropped operator's own actions would fail first (its outputs
        // are never written); keep only the stores of other outputs.
        let outputs = Set(graph.operators[last.op].outputs)
        broken.steps[broken.steps.count - 1].after += last.after.filter { !outputs.contains($0.tensor) && $0.kind == .copy }
        return Mutant(name: "an operator never runs", plan: broken, graph: graph, expected: .badOrder)
    }

    /// Allocates a tensor a second time while it is allocated.
    static func doubleAllocate(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        let allocations = actions(plan).filter { $0.1.kind == .allocate && $0.0.before }
        guard let (site, action) = pick(allocations, &random) else { return nil }
        var broken = plan
        broken.steps[site.step].before.insert(action, at: site.index + 1)
        return Mutant(name: "allocate twice", plan: broken, graph: graph, expected: .doubleAllocation)
    }

    /// Frees a tensor twice.
    static func freeUnallocated(_ graph: Graph, _ plan: Plan, _ random: inout SplitMix64) -> Mutant? {
        let frees = actions(plan).filter { $0.1.kind == .free }
        guard let (site, action) = pick(frees, &random) else { return nil }
        var broken = plan
        if site.before { broken.steps[site.step].before.insert(action, at: site.index + 1) }
        else { broken.steps[site.step].after.insert(action, at: site.index + 1) }
        return Mutant(name: "free twice", plan: broken, graph: graph, expected: .notAllocated)
    }
}
