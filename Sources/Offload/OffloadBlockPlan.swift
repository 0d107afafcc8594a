import MILP
import MemoryGraph
import Plan

/// One phase of one block (gbs·nb sequences through all l layers: the
/// prefill, or one decode step at a given context) as a ``Plan`` over the
/// machine's tiers, for a per-layer placement.
///
/// The graph has one operator per layer and GPU batch, in FlexGen's order
/// (layer by layer, the nb batches inside). Operator (j, b) reads layer j's
/// weight tensors, the shares of its input hidden state, and in decode the
/// GPU share of its KV cache; it writes the shares of its output hidden
/// state, the new keys and values split by where the layer's heads live,
/// and its scratch (FlexGen's working set: attention scores, FFN
/// intermediates). The last tier is the plan's home (where the checkpoint
/// and everything homed there live); the GPU is the compute tier.
///
/// The KV cache is a tensor class of its own: per layer, batch and tier a
/// resident tensor sized for s + n tokens (preallocated, as FlexGen does);
/// in decode, the part already written (the context of the step) is a
/// separate tensor on tiers beneath the host, which the step reads up to
/// the host for CPU attention, so the resident tensor there is the room
/// still to fill. New keys and values are written each operator and
/// appended to their tier.
///
/// Steps: step 0 starts with the prologue (residents put in place: it
/// happens once, when the model is loaded, and takes no time in the
/// simulation). Streamed weights are loaded layer by layer, as far ahead
/// as a buffer of twice the largest layer's streamed bytes allows (at
/// least one layer ahead), and freed after the layer's last batch. Each
/// operator's own data (hidden shares homed off the GPU, the cache context
/// for CPU attention) is loaded one operator ahead. Loads cross every link
/// of their path (NVMe → CPU → GPU), staged in every tier between and
/// freed there once the next hop is done; stores go the other way.
/// Results are stored after their operator: hidden shares to their tier,
/// new keys and values to their tier, the last layer's outputs to the host.
///
/// Building is O(l·(T + nb·K)) tensors and actions for T tensors a layer
/// and K tiers.
public struct OffloadBlockPlan: Sendable {
    /// What a tensor is: the simulation uses the cache-write rate for new keys and values.
    public enum Role: Sendable, Equatable { case weight, input, hidden, output, cache, context, newCache, scratch }

    public var graph: Graph
    public var plan: Plan
    public var roles: [Role]
    /// Seconds each operator computes (GPU work plus its CPU attention).
    public var operatorSeconds: [Double]
    /// Tensors each operator's CPU attention reads in the host tier.
    public var hostReads: [[Int]]
    /// The first `prologueActions` of step 0 put residents in place.
    public var prologueActions: Int
    public var isPrefill: Bool
    /// Decode: each tensor's bytes as base + perToken × context (the cache
    /// context read for CPU attention grows, the room left shrinks), so
    /// that one plan serves every decode segment; constant otherwise.
    var affineBytes: [(base: Double, perToken: Double)]
    /// KV heads of each operator's layer on the GPU (its compute time depends on them).
    var gpuHeads: [Double]
    /// Tier names, GPU first; the last is the home.
    public var tierNames: [String]
    /// For each tier, its parent's index (−1 for the GPU).
    public var parents: [Int]

    public enum BuildError: Error, CustomStringConvertible, Sendable, Equatable {
        case tooManyOperators(Int)
        case tooLarge(String)
        case graph(String)
        /// The deadline passed while the plans were being built, verified or replayed.
        case timeLimit

        public var description: String {
            switch self {
            case .tooManyOperators(let count):
                return "a block of \(count) operators (layers × GPU batches) is more than the \(OffloadLimits.maximumBlockOperators) a plan is built for"
            case .tooLarge(let what): return "\(what) is too large to plan (over 2^50 bytes)"
            case .graph(let message): return "the block graph is malformed: \(message)"
            case .timeLimit: return "the time limit passed while the block plans were being checked"
            }
        }
    }

    /// The plan of `phase` for `placement` at the cost model's batch shape;
    /// ``BuildError/timeLimit`` once `deadline` has passed (checked every
    /// 256 operators).
    static func build(cost: ChainCostModel, placement: LayerPlacement, phase: ChainCostModel.Phase,
                      deadline: Deadline = .none) throws(BuildError) -> OffloadBlockPlan {
        var builder = Builder(cost: cost, placement: placement, phase: phase, deadline: deadline)
        return try builder.make()
    }

    struct Builder {
        let cost: ChainCostModel
        let placement: LayerPlacement
        let phase: ChainCostModel.Phase
        let deadline: Deadline

        var tensors: [Tensor] = []
        var roles: [Role] = []
        var affine: [(base: Double, perToken: Double)] = []

        mutating func add(_ name: String, _ kind: TensorKind, _ bytes: Double, _ role: Role,
                          perToken: Double = 0, context: Double = 0) throws(BuildError) -> Int? {
            guard bytes < Double(1 << 50) else { throw .tooLarge(name) }
            let size = Int(bytes.rounded())
            guard size > 0 else { return nil }
            tensors.append(Tensor(name: name, kind: kind, bytes: size))
            roles.append(role)
            affine.append((bytes - perToken * context, perToken))
            return tensors.count - 1
        }

        /// Tiers from `k` up to `top` (inclusive), following parents.
        func climb(from k: Int, to top: Int) -> [Int] {
            var tiers = [k]
            var t = k
            while t != top && t > 0 {
                t = cost.chain.tiers[t].parent
                tiers.append(t)
            }
            return tiers
        }

        mutating func make() throws(BuildError) -> OffloadBlockPlan {
            let chain = cost.chain
            let K = chain.count, home = chain.home
            let names = chain.tiers.map(\.name)
            let l = placement.layers, nb = cost.nb
            let ops = l * nb
            guard ops <= OffloadLimits.maximumBlockOperators else { throw .tooManyOperators(ops) }
            let prefill = phase == .prefill
            let g = cost.g, kvHead = cost.kvHead, sn = cost.s + cost.n
            let hb = cost.hiddenBytes(phase)
            let context: Double
            if case .decode(let segment) = phase { context = segment.context } else { context = 0 }
            let hidden = placement.hidden(prefill: prefill)

            // Weights W[j][t].
            var weights: [[(index: Int, tier: Int)]] = []
            for j in 0 ..< l {
                var layer: [(Int, Int)] = []
                for (t, tensor) in cost.sizes.tensors.enumerated() {
                    if let w = try add("L\(j).\(tensor.name)", .weight, tensor.bytes, .weight) { layer.append((w, placement.weights[j][t])) }
                }
                weights.append(layer)
            }
            // Block inputs X[b][k], hidden outputs H[o][k] (o < ops − nb), outputs O[b].
            var inputs: [[Int: Int]] = []
            for b in 0 ..< nb {
                var shares: [Int: Int] = [:]
                for k in 0 ..< K where hidden[k] > 0 {
                    shares[k] = try add("B\(b).input@\(names[k])", .input, Double(hidden[k]) * hb, .input)
                }
                inputs.append(shares)
            }
            var outputs: [[Int: Int]] = []      // per operator, for layers before the last
            var finals: [Int] = []              // per batch
            var residents: [[Int: Int]] = []    // per operator: resident cache per tier
            var contexts: [[Int: Int]] = []     // per operator (decode): context read for CPU attention, tiers ≥ 2
            var fresh: [[Int: Int]] = []        // per operator: new keys and values per tier
            var scratch: [Int?] = []
            var seconds: [Double] = []
            var gpuHeadsOfOperator: [Double] = []
            for o in 0 ..< ops {
                if o & 255 == 255, deadline.expired { throw .timeLimit }
                let (j, b) = (o / nb, o % nb)
                let heads = placement.heads(layer: j, batch: b)
                var out: [Int: Int] = [:]
                if j < l - 1 {
                    for k in 0 ..< K where hidden[k] > 0 {
                        out[k] = try add("L\(j)B\(b).hidden@\(names[k])", .activation, Double(hidden[k]) * hb, .hidden)
                    }
                } else {
                    finals.append(try add("B\(b).output", .activation, g * hb, .output) ?? -1)
                }
                outputs.append(out)
                var resident: [Int: Int] = [:], read: [Int: Int] = [:], new: [Int: Int] = [:]
                for k in 0 ..< K where heads[k] > 0 {
                    let unit = Double(heads[k]) * kvHead * g
                    if !prefill && k >= 2 {
                        read[k] = try add("L\(j)B\(b).context@\(names[k])", .input, unit * context, .context,
                                          perToken: unit, context: context)
                        if k != home {
                            resident[k] = try add("L\(j)B\(b).cache@\(names[k])", .input, unit * (sn - context), .cache,
                                                  perToken: -unit, context: context)
                        }
                    } else if k != home {
                        resident[k] = try add("L\(j)B\(b).cache@\(names[k])", .input, unit * sn, .cache)
                    }
                    new[k] = try add("L\(j)B\(b).newkv@\(names[k])", .activation, unit * cost.tokens(phase), .newCache)
                }
                residents.append(resident)
                contexts.append(read)
                fresh.append(new)
                let gpuHeads = Double(heads[0])
                let scratchBytes = prefill ? cost.prefillScratch
                    : cost.decodeScratchFixed + cost.decodeScratchPerCacheShare * gpuHeads / cost.heads
                scratch.append(try add("L\(j)B\(b).scratch", .activation, scratchBytes, .scratch))
                seconds.append(cost.operatorSeconds(phase, gpuHeads: gpuHeads))
                gpuHeadsOfOperator.append(gpuHeads)
            }
            func input(_ o: Int) -> [Int: Int] { o < nb ? inputs[o] : outputs[o - nb] }
            func written(_ o: Int) -> [Int] {
                let (j, b) = (o / nb, o % nb)
                let hiddenOut = j < l - 1 ? outputs[o].values.sorted() : (finals[b] >= 0 ? [finals[b]] : [])
                return hiddenOut + fresh[o].values.sorted() + (scratch[o].map { [$0] } ?? [])
            }
            var operators: [Operator] = []
            var hostReads: [[Int]] = []
            for o in 0 ..< ops {
                var reads = weights[o / nb].map(\.index) + input(o).values.sorted()
                if !prefill, let c = residents[o][0] { reads.append(c) }
                operators.append(Operator(name: "layer\(o / nb).batch\(o % nb)", type: "DecoderLayer", inputs: reads, outputs: written(o)))
                hostReads.append(contexts[o].values.sorted())
            }
            let graph: Graph
            do {
                graph = try Graph(name: "\(cost.shape.name)-block-\(prefill ? "prefill" : "decode")", tensors: tensors,
                                  operators: operators, outputs: [])
            } catch {
                throw .graph("\(error)")
            }

            // Moving a tensor up from tier k to `top`, staged on the way; `release`: free it in k after the first hop.
            func load(_ t: Int, from k: Int, to top: Int, release: Bool) -> [PlanAction] {
                let tiers = climb(from: k, to: top)
                guard tiers.count > 1 else { return [] }
                var actions = tiers.dropFirst().map { PlanAction.allocate(t, in: names[$0]) }
                for hop in 0 ..< tiers.count - 1 {
                    actions.append(.copy(t, from: names[tiers[hop]], to: names[tiers[hop + 1]]))
                    if hop == 0 {
                        if release && tiers[0] != home { actions.append(.free(t, in: names[tiers[0]])) }
                    } else {
                        actions.append(.free(t, in: names[tiers[hop]]))
                    }
                }
                return actions
            }
            // Moving a tensor down from the GPU to tier k; `keep`: it stays allocated in k.
            func store(_ t: Int, to k: Int, keep: Bool) -> [PlanAction] {
                let tiers = Array(climb(from: k, to: 0).reversed())   // 0 … k
                var actions: [PlanAction] = tiers.dropFirst().filter { $0 != home }.map { .allocate(t, in: names[$0]) }
                for hop in 0 ..< tiers.count - 1 {
                    actions.append(.copy(t, from: names[tiers[hop]], to: names[tiers[hop + 1]]))
                    actions.append(.free(t, in: names[tiers[hop]]))
                }
                if !keep && k != home { actions.append(.free(t, in: names[k])) }
                return actions
            }

            // Prologue: residents in place, the block's inputs in their tiers.
            var prologue: [PlanAction] = []
            func place(_ t: Int, in k: Int, copy: Bool) {
                guard k != home else { return }
                prologue.append(.allocate(t, in: names[k]))
                if copy { prologue.append(.copy(t, from: names[home], to: names[k])) }
            }
            for layer in weights { for w in layer where w.tier != home { place(w.index, in: w.tier, copy: true) } }
            for o in 0 ..< ops {
                for (k, c) in residents[o].sorted(by: { $0.key < $1.key }) { place(c, in: k, copy: !prefill && k == 0) }
                for (k, c) in contexts[o].sorted(by: { $0.key < $1.key }) where k != home { place(c, in: k, copy: true) }
            }
            for b in 0 ..< nb { for (k, x) in inputs[b].sorted(by: { $0.key < $1.key }) { place(x, in: k, copy: true) } }

            // Streamed weights, two prefetch queues by layer. The deep queue
            // brings tensors homed beneath the host up to it, within a staging
            // buffer; the GPU queue brings every streamed tensor from the host
            // to the GPU, within a prefetch buffer. Both count a layer until
            // its last operator ends, and both run ahead as far as their
            // buffer allows (at least one layer beyond the one computing).
            func bytes(_ t: Int) -> Int { tensors[t].bytes ?? 0 }
            let streamedBytes = weights.map { layer in layer.filter { $0.tier != 0 }.reduce(0) { $0 + bytes($1.index) } }
            let deepBytes = weights.map { layer in layer.filter { $0.tier >= 2 }.reduce(0) { $0 + bytes($1.index) } }
            // Budgets: what the cost model reserves, 2·(mean a layer + largest
            // tensor), which the balanced spreading makes at least two layers
            // (never less than one layer), plus half of what the cost model
            // leaves free in the tier (its capacity beyond α): deeper
            // prefetching keeps a chain of links (NVMe → CPU → GPU) busy when
            // each is nearly as loaded as the others.
            let largestTensor = Int(cost.maxTensor.rounded(.up))
            let modelPeaks = PlacementEvaluation(cost: cost, segments: [], counts: placement.counts).peakBytes
            func spare(_ k: Int) -> Int {
                let free = (chain.tiers[k].capacity - modelPeaks[k]) / 2
                return free > 0 ? Int(min(free, Double(1 << 50))) : 0
            }
            func budget(_ perLayer: [Int], extra: Int) -> Int {
                let largest = perLayer.max() ?? 0
                guard largest > 0 else { return 0 }
                return max(largest, 2 * (perLayer.reduce(0, +) / max(1, l) + largestTensor) + extra)
            }
            let gpuBudget = budget(streamedBytes, extra: spare(0))
            // The host's spare room: half for staging deep weights, half for
            // reading CPU attention's cache context further ahead.
            let deepBudget = budget(deepBytes, extra: spare(min(1, K - 1)) / 2)
            let contextBytes = contexts.map { $0.values.reduce(0) { $0 + bytes($1) } }
            let contextAhead = max(1, min(8, 2 + spare(min(1, K - 1)) / 2 / max(1, contextBytes.max() ?? 1) - 2))
            // The queues are cyclic: a block's phases run one after another
            // (prefill, then decode step after decode step), each starting
            // with layer 0, so once this phase's last layers are on their way
            // the queues go on with the next phase's first layers (indices l
            // and up: the same tensors again). What they bring in before the
            // phase ends is what the next phase starts with: the prologue puts
            // the same window in place at no cost, and the phase pays for it
            // at its end, as a loop in its steady state does.
            var nextDeep = 0, deepInFlight = 0, nextLayer = 0, inFlight = 0
            var deepLimit = l, gpuLimit = l
            /// Layers whose streamed weights this phase has freed from the GPU:
            /// the next phase's copy of layer j (index l + j) is loaded only
            /// after this phase's is freed, and its deep staging only after
            /// this phase's copy has left the host for the GPU.
            var freedLayers = 0
            /// Next-phase loads in flight at the end: (tensor, tier) to free when the plan ends.
            var carried: [(Int, Int)] = []
            func deepLoads(through j: Int) -> [PlanAction] {
                var actions: [PlanAction] = []
                while nextDeep < deepLimit && nextDeep < nextLayer + l
                    && (nextDeep <= j || deepInFlight + deepBytes[nextDeep % l] <= deepBudget) {
                    for w in weights[nextDeep % l] where w.tier >= 2 {
                        actions += load(w.index, from: w.tier, to: 1, release: false)
                        if nextDeep >= l { carried.append((w.index, 1)) }
                    }
                    deepInFlight += deepBytes[nextDeep % l]
                    nextDeep += 1
                }
                return actions
            }
            func weightLoads(through j: Int) -> [PlanAction] {
                var actions: [PlanAction] = []
                while nextLayer < gpuLimit && nextLayer < freedLayers + l
                    && (nextLayer <= j || inFlight + streamedBytes[nextLayer % l] <= gpuBudget) {
                    actions += deepLoads(through: nextLayer)
                    for w in weights[nextLayer % l] where w.tier != 0 {
                        actions.append(.allocate(w.index, in: names[0]))
                        actions.append(.copy(w.index, from: names[1], to: names[0]))
                        if w.tier >= 2 { actions.append(.free(w.index, in: names[1])) }
                        if nextLayer >= l {
                            carried.removeAll { $0 == (w.index, 1) }
                            carried.append((w.index, 0))
                        }
                    }
                    inFlight += streamedBytes[nextLayer % l]
                    nextLayer += 1
                }
                return actions + deepLoads(through: nextLayer - 1)
            }
            // The window the phase starts with: what the queues bring in at step 0.
            prologue += weightLoads(through: 0)
            deepLimit = l + nextDeep
            gpuLimit = l + nextLayer
            /// Operator q's hidden shares homed off the GPU, loaded one
            /// operator ahead (unless the operator just before produces them).
            func hiddenLoads(_ q: Int) -> [PlanAction] {
                input(q).sorted(by: { $0.key < $1.key }).filter { $0.key != 0 }.flatMap { load($0.value, from: $0.key, to: 0, release: true) }
            }
            func hiddenStep(_ q: Int) -> Int { q == 0 ? 0 : (q >= nb && q - nb == q - 1 ? q : q - 1) }
            /// The cache context operator q's CPU attention reads, brought to the
            /// host `contextAhead` operators ahead (one, or more when the host
            /// has room to spare beyond what the cost model reserves: a chain of
            /// small reads keeps a slow link busy only if it runs ahead).
            func contextLoads(_ q: Int) -> [PlanAction] {
                contexts[q].sorted(by: { $0.key < $1.key }).flatMap { load($0.value, from: $0.key, to: 1, release: false) }
            }
            func contextStep(_ q: Int) -> Int { max(0, q - contextAhead) }

            var steps: [PlanStep] = []
            for o in 0 ..< ops {
                if o & 255 == 255, deadline.expired { throw .timeLimit }
                let (j, b) = (o / nb, o % nb)
                var before: [PlanAction] = o == 0 ? prologue : []
                before += weightLoads(through: j)
                for q in [o, o + 1] where q < ops && hiddenStep(q) == o { before += hiddenLoads(q) }
                for q in o ... min(ops - 1, o + contextAhead) where contextStep(q) == o { before += contextLoads(q) }
                before += written(o).map { .allocate($0, in: names[0]) }

                var after: [PlanAction] = []
                if j < l - 1 {
                    for (k, h) in outputs[o].sorted(by: { $0.key < $1.key }) where k != 0 { after += store(h, to: k, keep: true) }
                } else if finals[b] >= 0 {
                    after += store(finals[b], to: 1, keep: false)
                }
                for (k, n) in fresh[o].sorted(by: { $0.key < $1.key }) {
                    after += k == 0 ? [.free(n, in: names[0])] : store(n, to: k, keep: false)
                }
                for (_, h) in input(o).sorted(by: { $0.key < $1.key }) { after.append(.free(h, in: names[0])) }
                for (_, c) in contexts[o].sorted(by: { $0.key < $1.key }) { after.append(.free(c, in: names[1])) }
                if let s = scratch[o] { after.append(.free(s, in: names[0])) }
                if b == nb - 1 {
                    for w in weights[j] where w.tier != 0 { after.append(.free(w.index, in: names[0])) }
                    inFlight -= streamedBytes[j]
                    deepInFlight -= deepBytes[j]
                    freedLayers = j + 1
                }
                if o == ops - 1 {
                    // The rest of the next phase's window, then every tier emptied:
                    // residents and the window stay for the next phase in a real run.
                    after += weightLoads(through: gpuLimit - 1) + deepLoads(through: deepLimit - 1)
                    for (t, k) in carried { after.append(.free(t, in: names[k])) }
                    for layer in weights { for w in layer where w.tier != home { after.append(.free(w.index, in: names[w.tier])) } }
                    for q in 0 ..< ops {
                        for (k, c) in residents[q].sorted(by: { $0.key < $1.key }) { after.append(.free(c, in: names[k])) }
                        for (k, c) in contexts[q].sorted(by: { $0.key < $1.key }) where k != home { after.append(.free(c, in: names[k])) }
                    }
                }
                steps.append(PlanStep(op: o, before: before, after: after))
            }

            let tiers = chain.tiers.enumerated().map { k, tier in
                Tier(name: tier.name, capacity: k == home ? nil : Int(min(tier.capacity, Double(OffloadLimits.maximumCapacity))), addressed: false)
            }
            var plan = Plan(method: "offload-\(prefill ? "prefill" : "decode")", graph: GraphIdentity(graph),
                            tensors: PlanTensor.table(for: graph), tiers: tiers, homeTier: names[home], computeTier: names[0],
                            steps: steps, metrics: PlanMetrics())
            plan.metrics = Self.claimedMetrics(plan, graph)
            return OffloadBlockPlan(graph: graph, plan: plan, roles: roles, operatorSeconds: seconds, hostReads: hostReads,
                                    prologueActions: prologue.count, isPrefill: prefill, affineBytes: affine,
                                    gpuHeads: gpuHeadsOfOperator, tierNames: names, parents: chain.tiers.map(\.parent))
        }

        /// The figures the plan claims, by a sequential pass over its
        /// actions (the verifier recomputes them independently). O(actions).
        static func claimedMetrics(_ plan: Plan, _ graph: Graph) -> PlanMetrics {
            let names = plan.tiers.map(\.name), K = names.count
            func index(_ name: String?) -> Int { names.firstIndex { $0 == name } ?? 0 }
            var used = [Int](repeating: 0, count: K), peak = [Int](repeating: 0, count: K)
            var moved = [Int](repeating: 0, count: K * K)
            var total = 0
            func apply(_ a: PlanAction) {
                let bytes = graph.tensors[a.tensor].bytes ?? 0
                switch a.kind {
                case .allocate:
                    let k = index(a.tier)
                    used[k] += bytes
                    peak[k] = max(peak[k], used[k])
                case .free: used[index(a.tier)] -= bytes
                case .copy:
                    moved[index(a.from) * K + index(a.tier)] += bytes
                    total += bytes
                }
            }
            for step in plan.steps {
                step.before.forEach(apply)
                step.after.forEach(apply)
            }
            var peaks: [String: Int] = [:], links: [String: Int] = [:]
            for k in 0 ..< K where names[k] != plan.homeTier { peaks[names[k]] = peak[k] }
            for a in 0 ..< K { for b in 0 ..< K where moved[a * K + b] > 0 { links[PlanMetrics.link(from: names[a], to: names[b])] = moved[a * K + b] } }
            var compulsory = 0
            for (t, tensor) in graph.tensors.enumerated() where tensor.kind != .activation && !graph.consumers(of: t).isEmpty {
                compulsory += tensor.bytes ?? 0
            }
            for t in graph.outputs { compulsory += graph.tensors[t].bytes ?? 0 }
            return PlanMetrics(peakBytes: peaks, bytesMoved: links, compulsoryBytes: compulsory,
                               nonCompulsoryBytes: total - compulsory)
        }
    }
}
