import MemoryGraph
import Plan

/// One token step of one block (gbs·nb sequences through all l layers) as
/// a ``Plan`` over the tiers gpu, cpu and disk, for a whole-tensor placement.
///
/// The graph has one operator per layer and GPU batch, in FlexGen's order
/// (layer by layer, the nb batches inside). Operator (j, k) reads layer j's
/// weight tensors, batch k's GPU cache share (decode) and the two shares of
/// its input hidden state (GPU- and CPU-homed sequences); it writes the two
/// shares of its output hidden state, the new keys and values split by the
/// cache placement, and its scratch (attention scores, FFN intermediates:
/// the constant part of FlexGen's working set). Disk is the home tier (the
/// checkpoint and the saved cache live there).
///
/// Steps follow FlexGen's schedule: step 0's `before` holds the prologue
/// (residents loaded to their tiers) and the loads of layer 0; the first
/// batch of layer j prefetches layer j + 1's streamed weights; every step
/// prefetches the next operator's CPU-homed hidden share and (decode) disk
/// cache share. Loads of a CPU-homed tensor go cpu→gpu; of a disk-homed one
/// disk→cpu→gpu through a CPU staging buffer. After each operator the CPU
/// share of its hidden output and the cpu/disk shares of the new cache are
/// stored (gpu→cpu, then cpu→disk); after a layer's last batch its streamed
/// weights are freed. In decode the disk cache share is read disk→cpu for
/// the CPU attention, which FlexGen runs on the CPU (not an operator input).
///
/// Building is O(l·(T + nb)) for T tensors a layer.
public struct OffloadBlockPlan: Sendable {
    public enum Phase: String, Sendable { case prefill, decode }

    /// What a tensor is, for the simulation's link rates.
    public enum Role: Sendable, Equatable { case weight, cache, hidden, newCache, scratch }

    public var graph: Graph
    public var plan: Plan
    public var roles: [Role]
    /// Seconds each operator (layer) computes, from the cost model.
    public var operatorSeconds: [Double]
    /// The first `prologueActions` of step 0 load residents: outside the
    /// block's time (they happen once, when the model is loaded).
    public var prologueActions: Int
    public var phase: Phase
    /// Bytes homed on disk for this step (weights, cache and hidden shares
    /// kept there); the disk is the home tier, so the plan never allocates them.
    public var diskResidentBytes: Int

    /// The plan for `phase`. Resident caches (gpu, cpu) are sized for s + n
    /// tokens, as FlexGen preallocates them; the disk share a decode step
    /// reads for the CPU attention is `context` tokens (s + n/2 by default,
    /// the average step, as in FlexGen's model).
    static func build(cost: FlexGenCostModel, placement: WholeTensorPlacement, phase: Phase,
                      context: Double? = nil) throws -> OffloadBlockPlan {
        var builder = Builder(cost: cost, placement: placement, phase: phase, context: context)
        return try builder.make()
    }

    struct Builder {
        let cost: FlexGenCostModel
        let placement: WholeTensorPlacement
        let phase: Phase
        let context: Double?

        var tensors: [Tensor] = []
        var roles: [Role] = []
        var home: [OffloadTier?] = []

        mutating func add(_ name: String, _ kind: TensorKind, _ bytes: Double, _ role: Role, home tier: OffloadTier?) -> Int? {
            let size = Int(bytes.rounded())
            guard size > 0 else { return nil }
            tensors.append(Tensor(name: name, kind: kind, bytes: size))
            roles.append(role)
            home.append(tier)
            return tensors.count - 1
        }

        mutating func make() throws -> OffloadBlockPlan {
            let l = cost.shape.layers, nb = cost.nb
            let gbs = Double(cost.gbs), kv = cost.kv, h1 = cost.h1, s = cost.s
            let units = Double(placement.cacheUnits.reduce(0, +))
            let batch = Double(placement.activationSequences.reduce(0, +))
            let cacheShare = placement.cacheUnits.map { Double($0) / units }
            let hiddenShare = placement.activationSequences.map { Double($0) / batch }
            let tokens = phase == .prefill ? s : 1
            // Per GPU batch of gbs sequences.
            let hiddenBytes = 2 * tokens * h1 * gbs
            let newCacheBytes = tokens * kv * gbs
            let residentCacheBytes = (s + cost.n) * kv * gbs
            let diskCacheBytes = (context ?? s + cost.n / 2) * kv * gbs
            let scratchBytes = phase == .prefill ? cost.prefillScratchBytes : cost.decodeScratchBytes(cg: cacheShare[0])
            let ops = l * nb

            // Graph tensors; operator o = j·nb + k is layer j on GPU batch k.
            var weights: [[(index: Int, tier: OffloadTier)]] = []
            var cache: [[OffloadTier: Int]] = []      // per operator
            var hidden: [[OffloadTier: Int]] = []     // per operator: its input (o ≥ ops: the block's outputs)
            var newCache: [[OffloadTier: Int]] = []   // per operator
            var scratch: [Int?] = []                  // per operator
            for j in 0 ..< l {
                weights.append(zip(cost.sizes.tensors, placement.weights).compactMap { tensor, named in
                    add("L\(j).\(tensor.name)", .weight, tensor.bytes, .weight, home: named.tier).map { ($0, named.tier) }
                })
            }
            for k in 0 ..< nb {
                var h: [OffloadTier: Int] = [:]
                for (i, tier) in [OffloadTier.gpu, .cpu].enumerated() {
                    h[tier] = add("B\(k).hidden0@\(tier.rawValue)", .input, hiddenBytes * hiddenShare[i], .hidden, home: tier)
                }
                hidden.append(h)
            }
            for o in 0 ..< ops {
                let (j, k) = (o / nb, o % nb)
                var c: [OffloadTier: Int] = [:]
                for (i, tier) in OffloadTier.allCases.enumerated() {
                    let bytes = tier == .disk ? diskCacheBytes : residentCacheBytes
                    c[tier] = add("L\(j)B\(k).cache@\(tier.rawValue)", .input, bytes * cacheShare[i], .cache, home: tier)
                }
                cache.append(c)
                var out: [OffloadTier: Int] = [:]
                for (i, tier) in [OffloadTier.gpu, .cpu].enumerated() {
                    out[tier] = add("L\(j)B\(k).hidden@\(tier.rawValue)", .activation, hiddenBytes * hiddenShare[i], .hidden, home: tier)
                }
                hidden.append(out)
                var fresh: [OffloadTier: Int] = [:]
                for (i, tier) in OffloadTier.allCases.enumerated() {
                    fresh[tier] = add("L\(j)B\(k).newkv@\(tier.rawValue)", .activation, newCacheBytes * cacheShare[i], .newCache, home: tier)
                }
                newCache.append(fresh)
                scratch.append(add("L\(j)B\(k).scratch", .activation, scratchBytes, .scratch, home: nil))
            }
            // hidden[o] is operator o's input: the block inputs for o < nb,
            // else the output of operator o − nb (stored at hidden[o]).
            func input(_ o: Int) -> [OffloadTier: Int] { hidden[o] }
            func output(_ o: Int) -> [OffloadTier: Int] { hidden[o + nb] }
            func written(_ o: Int) -> [Int] {
                output(o).values.sorted() + newCache[o].values.sorted() + (scratch[o].map { [$0] } ?? [])
            }

            var operators: [Operator] = []
            for o in 0 ..< ops {
                var inputs = weights[o / nb].map(\.index) + input(o).values.sorted()
                if phase == .decode, let g = cache[o][.gpu] { inputs.append(g) }
                operators.append(Operator(name: "layer\(o / nb).batch\(o % nb)", type: "DecoderLayer", inputs: inputs, outputs: written(o)))
            }
            let graph = try Graph(name: "\(cost.shape.name)-block-\(phase.rawValue)", tensors: tensors, operators: operators,
                                  outputs: (ops ..< ops + nb).flatMap { hidden[$0].values.sorted() })

            // Steps.
            func stream(_ t: Int, from tier: OffloadTier) -> [PlanAction] {
                switch tier {
                case .gpu: return []
                case .cpu: return [.allocate(t, in: "gpu"), .copy(t, from: "cpu", to: "gpu")]
                case .disk:
                    return [.allocate(t, in: "cpu"), .copy(t, from: "disk", to: "cpu"), .allocate(t, in: "gpu"),
                            .copy(t, from: "cpu", to: "gpu"), .free(t, in: "cpu")]
                }
            }
            /// Layer j's streamed weights: issued one layer ahead.
            func weightLoads(_ j: Int) -> [PlanAction] {
                j < l ? weights[j].flatMap { stream($0.index, from: $0.tier) } : []
            }
            /// Operator o's own data: its CPU-homed hidden share (when its
            /// producer ran before the previous step), its disk cache share
            /// for the CPU attention. Issued one operator ahead when possible.
            func dataLoads(_ o: Int) -> [PlanAction] {
                guard o < ops else { return [] }
                var actions: [PlanAction] = []
                if let h = input(o)[.cpu], o >= nb { actions += stream(h, from: .cpu) }
                if phase == .decode, let d = cache[o][.disk] { actions += [.allocate(d, in: "cpu"), .copy(d, from: "disk", to: "cpu")] }
                return actions
            }
            let aheadPossible = nb > 1
            var prologue: [PlanAction] = []
            var residentGPU: [Int] = []
            for j in 0 ..< l {
                for w in weights[j] where w.tier != .disk {
                    prologue += [.allocate(w.index, in: "cpu"), .copy(w.index, from: "disk", to: "cpu")]
                    if w.tier == .gpu {
                        prologue += [.allocate(w.index, in: "gpu"), .copy(w.index, from: "cpu", to: "gpu"), .free(w.index, in: "cpu")]
                        residentGPU.append(w.index)
                    }
                }
            }
            for o in 0 ..< ops {
                for tier in [OffloadTier.gpu, .cpu] {
                    guard let c = cache[o][tier] else { continue }
                    if phase == .decode && tier == .gpu {
                        prologue += [.allocate(c, in: "cpu"), .copy(c, from: "disk", to: "cpu"), .allocate(c, in: "gpu"),
                                     .copy(c, from: "cpu", to: "gpu"), .free(c, in: "cpu")]
                    } else {
                        prologue.append(.allocate(c, in: tier.rawValue))
                    }
                }
            }
            for k in 0 ..< nb {
                for (tier, t) in input(k).sorted(by: { $0.key < $1.key }) {
                    prologue += [.allocate(t, in: "cpu"), .copy(t, from: "disk", to: "cpu")]
                    if tier == .gpu { prologue += [.allocate(t, in: "gpu"), .copy(t, from: "cpu", to: "gpu"), .free(t, in: "cpu")] }
                }
            }
            // The first layer's CPU-homed inputs go to the GPU with the prologue (already on the CPU).
            for k in 0 ..< nb { if let h = input(k)[.cpu] { prologue += stream(h, from: .cpu) } }

            var steps: [PlanStep] = []
            for o in 0 ..< ops {
                let (j, k) = (o / nb, o % nb)
                var before: [PlanAction] = []
                if o == 0 { before += prologue + weightLoads(0) + dataLoads(0) }
                if !aheadPossible && o > 0 { before += dataLoads(o) }
                before += written(o).map { .allocate($0, in: "gpu") }
                if k == 0 { before += weightLoads(j + 1) }
                if aheadPossible { before += dataLoads(o + 1) }

                var after: [PlanAction] = []
                if let h = output(o)[.cpu], o + nb < ops {
                    after += [.allocate(h, in: "cpu"), .copy(h, from: "gpu", to: "cpu"), .free(h, in: "gpu")]
                }
                if let h = input(o)[.cpu] { after += [.free(h, in: "gpu"), .free(h, in: "cpu")] }
                if let h = input(o)[.gpu] { after.append(.free(h, in: "gpu")) }
                if let n = newCache[o][.gpu] { after.append(.free(n, in: "gpu")) }  // written into the resident cache
                if let n = newCache[o][.cpu] {
                    after += [.allocate(n, in: "cpu"), .copy(n, from: "gpu", to: "cpu"), .free(n, in: "gpu"), .free(n, in: "cpu")]
                }
                if let n = newCache[o][.disk] {
                    after += [.allocate(n, in: "cpu"), .copy(n, from: "gpu", to: "cpu"), .free(n, in: "gpu"),
                              .copy(n, from: "cpu", to: "disk"), .free(n, in: "cpu")]
                }
                if phase == .decode, let d = cache[o][.disk] { after.append(.free(d, in: "cpu")) }
                if k == nb - 1 { for w in weights[j] where w.tier != .gpu { after.append(.free(w.index, in: "gpu")) } }
                if let s = scratch[o] { after.append(.free(s, in: "gpu")) }
                if o + nb >= ops {
                    // The block's output goes home (to disk) through the CPU.
                    for t in output(o).values.sorted() {
                        after += [.allocate(t, in: "cpu"), .copy(t, from: "gpu", to: "cpu"), .free(t, in: "gpu"),
                                  .copy(t, from: "cpu", to: "disk"), .free(t, in: "cpu")]
                    }
                }
                if o == ops - 1 {
                    // Residents stay for the next block; the plan ends with the tiers empty.
                    for t in residentGPU { after.append(.free(t, in: "gpu")) }
                    for w in weights.joined() where w.tier == .cpu { after.append(.free(w.index, in: "cpu")) }
                    for c in cache {
                        if let g = c[.gpu] { after.append(.free(g, in: "gpu")) }
                        if let g = c[.cpu] { after.append(.free(g, in: "cpu")) }
                    }
                }
                steps.append(PlanStep(op: o, before: before, after: after))
            }

            let capacity = { (bytes: Double) in Int(min(bytes, Double(Int.max / 4))) }
            let tiers = [
                Tier(name: "gpu", capacity: capacity(cost.workload.gpuBytes), addressed: false),
                Tier(name: "cpu", capacity: capacity(cost.workload.cpuBytes), addressed: false),
                Tier(name: "disk", capacity: nil, addressed: false),
            ]
            var plan = Plan(method: "offload-\(phase.rawValue)", graph: GraphIdentity(graph), tensors: PlanTensor.table(for: graph),
                            tiers: tiers, homeTier: "disk", computeTier: "gpu", steps: steps, metrics: PlanMetrics())
            plan.metrics = Self.claimedMetrics(plan, graph)
            let seconds = (phase == .prefill ? cost.prefillCompute : cost.decodeComputeSeconds(placement)) / Double(nb)
            var diskBytes = 0
            for (t, tier) in home.enumerated() where tier == .disk { diskBytes += tensors[t].bytes ?? 0 }
            return OffloadBlockPlan(graph: graph, plan: plan, roles: roles, operatorSeconds: Array(repeating: seconds, count: ops),
                                    prologueActions: prologue.count, phase: phase, diskResidentBytes: diskBytes)
        }
        /// The figures the plan claims, by a sequential pass over its
        /// actions (the verifier recomputes them independently). O(actions).
        static func claimedMetrics(_ plan: Plan, _ graph: Graph) -> PlanMetrics {
            var used: [String: Int] = [:], peak: [String: Int] = [:], moved: [String: Int] = [:]
            var total = 0
            func apply(_ a: PlanAction) {
                let bytes = graph.tensors[a.tensor].bytes ?? 0
                switch a.kind {
                case .allocate:
                    used[a.tier, default: 0] += bytes
                    peak[a.tier] = max(peak[a.tier] ?? 0, used[a.tier]!)
                case .free: used[a.tier, default: 0] -= bytes
                case .copy:
                    moved[PlanMetrics.link(from: a.from ?? "", to: a.tier), default: 0] += bytes
                    total += bytes
                }
            }
            for step in plan.steps {
                step.before.forEach(apply)
                step.after.forEach(apply)
            }
            var compulsory = 0
            for (t, tensor) in graph.tensors.enumerated() where tensor.kind != .activation && !graph.consumers(of: t).isEmpty {
                compulsory += tensor.bytes ?? 0
            }
            for t in graph.outputs { compulsory += graph.tensors[t].bytes ?? 0 }
            for tier in plan.tiers where peak[tier.name] == nil && tier.name != plan.homeTier { peak[tier.name] = 0 }
            return PlanMetrics(peakBytes: peak, bytesMoved: moved, compulsoryBytes: compulsory,
                               nonCompulsoryBytes: total - compulsory)
        }
    }
}
