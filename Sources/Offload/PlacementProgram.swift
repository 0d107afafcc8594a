import MILP

/// How many layers keep each weight tensor on each tier, how many (layer,
/// KV head) cache units each tier holds, and how many sequences of a GPU
/// batch keep their hidden states on each tier: exact mode's placement
/// before it is spread over the layers (``LayerPlacement``).
public struct PlacementCounts: Sendable, Equatable, Codable {
    /// weights[t][k]: layers keeping tensor t (in ``LayerSizes/tensors`` order) on tier k.
    public var weights: [[Int]]
    /// cache[k]: (layer, KV head, GPU batch) units on tier k; they sum to layers × KV heads × nb.
    public var cache: [Int]
    /// hidden[k]: sequences of each GPU batch whose hidden states live on tier k during the prefill; they sum to gbs.
    public var hidden: [Int]
    /// The same while decoding.
    public var decodeHidden: [Int]

    public init(weights: [[Int]], cache: [Int], hidden: [Int], decodeHidden: [Int]? = nil) {
        self.weights = weights
        self.cache = cache
        self.hidden = hidden
        self.decodeHidden = decodeHidden ?? hidden
    }
}

/// The program for one batch shape over ``ChainCostModel``: the LP (counts
/// continuous) or the MILP (counts integer, plus one binary per tier that
/// streams or stages weights). The LP is the MILP's continuous relaxation
/// exactly, so its optimum bounds the MILP's at the shape.
///
/// Variables: T·K weight counts, K cache counts, 2K hidden counts, a binary
/// and a staging size per streaming tier, one time per phase (prefill and
/// each decode segment). Rows: the three sums, the streaming links, one
/// time row per resource and phase, two capacity rows per tier. For FlexGen's
/// three tiers and a Llama layer: 41 variables and about 40 rows.
///
/// Objective: seconds per block, prefill plus each decode segment's step
/// time times its steps; throughput is gbs·nb·n over it. Ties (a tensor
/// on a slower tier costing nothing while its link is idle) are broken
/// towards the faster tiers by a term worth at most 10⁻⁷ of the compute
/// time, so the optimum moves by less than that.
struct PlacementProgram {
    let cost: ChainCostModel
    let integer: Bool
    let segments: [ChainCostModel.DecodeSegment]

    struct Built {
        var model: Model
        var weights: [[Variable]]
        var cache: [Variable]
        var hidden: [Variable]
        var decodeHidden: [Variable]
        var streams: [Int: Variable]
        var staging: [Int: Variable]
        /// Prefill, then one per decode segment.
        var times: [Variable]
        var phases: [ChainCostModel.Phase]
        /// Seconds of the block per unit of each time variable.
        var phaseWeights: [Double]
        /// The most the tie-break adds to the objective (seconds).
        var tieBreak: Double
    }

    /// Tiers that stream or stage weights: the GPU (when any tier is
    /// beneath it) and every other tier with a tier beneath.
    var streamingTiers: [Int] { (0 ..< cost.tiers - 1).filter { !cost.beneath($0).isEmpty } }

    var phases: [ChainCostModel.Phase] { [.prefill] + segments.map { .decode($0) } }

    /// Memory rows and staging sizes are in GiB (times are in seconds).
    static let gibibyte = 1_073_741_824.0
    var phaseWeights: [Double] { [1] + segments.map { Double($0.steps) } }

    func build() -> Built {
        var model = Model(name: "placement-\(cost.shape.name)-gbs\(cost.gbs)-nb\(cost.nb)")
        let K = cost.tiers
        let kind: VariableKind = integer ? .integer : .continuous
        let weights = cost.sizes.tensors.map { tensor in
            (0 ..< K).map { model.addVariable(lower: 0, upper: cost.l, kind: kind, name: "\(tensor.name)@\(cost.chain.tiers[$0].name)") }
        }
        // The MILP counts (layer, KV head, GPU batch) units; the LP counts
        // their share in (layer, KV head) units directly (the same after
        // dividing by nb), so that its data stay affine in nb.
        // With more than 2^12 units a unit is a negligible share of the
        // cache: the MILP keeps them continuous (branching on them would cost
        // time for nothing) and ``counts(_:values:)`` rounds them.
        let unitsPerLayerHead = integer ? cost.batches : 1
        let cacheKind: VariableKind = integer && !Self.roundsCache(cost) ? .integer : .continuous
        let cache = (0 ..< K).map {
            model.addVariable(lower: 0, upper: cost.l * cost.heads * unitsPerLayerHead, kind: cacheKind, name: "cache@\(cost.chain.tiers[$0].name)")
        }
        // One GPU batch: the next layer needs the hidden state on the GPU at once, so it stays there.
        let hidden = (0 ..< K).map { k in
            model.addVariable(lower: 0, upper: k > 0 && cost.nb == 1 ? 0 : cost.g, kind: kind, name: "hidden@\(cost.chain.tiers[k].name)")
        }
        let decodeHidden = (0 ..< K).map { k in
            model.addVariable(lower: 0, upper: k > 0 && cost.nb == 1 ? 0 : cost.g, kind: kind, name: "decode hidden@\(cost.chain.tiers[k].name)")
        }
        var streams: [Int: Variable] = [:], staging: [Int: Variable] = [:]
        for i in streamingTiers {
            streams[i] = model.addVariable(lower: 0, upper: 1, kind: integer ? .binary : .continuous, name: "streams@\(cost.chain.tiers[i].name)")
            // In GiB, like the capacity rows, so that the MILP's rows have similar magnitudes.
            if i > 0 { staging[i] = model.addVariable(name: "staging GiB@\(cost.chain.tiers[i].name)") }
        }
        let times = phases.indices.map { model.addVariable(name: $0 == 0 ? "Tprefill" : "Tdecode\($0)") }

        let counts = ChainCostModel.Counts(
            weights: weights.map { $0.map { LinearExpression($0) } },
            cache: cache.map { (1 / unitsPerLayerHead) * LinearExpression($0) },
            hidden: hidden.map { LinearExpression($0) },
            decodeHidden: decodeHidden.map { LinearExpression($0) },
            streams: streams.mapValues { LinearExpression($0) },
            staging: staging.mapValues { Self.gibibyte * LinearExpression($0) }
        )
        for (t, row) in weights.enumerated() {
            model.add(LinearExpression(sum: row) == cost.l, name: "\(cost.sizes.tensors[t].name) in every layer")
        }
        model.add(LinearExpression(sum: cache) == cost.l * cost.heads * unitsPerLayerHead, name: "cache units")
        model.add(LinearExpression(sum: hidden) == cost.g, name: "hidden sequences")
        model.add(LinearExpression(sum: decodeHidden) == cost.g, name: "decode hidden sequences")
        let T = Double(cost.sizes.tensors.count)
        for i in streamingTiers {
            var beneath = LinearExpression()
            for k in cost.beneath(i) { for row in weights { beneath += row[k] } }
            model.add(beneath <= (cost.l * T) * streams[i]!, name: "streams through \(cost.chain.tiers[i].name)")
            if let staged = staging[i] {
                // Staged here: at most two layers' bytes homed beneath, 2·(mean a layer + largest tensor).
                var row = LinearExpression(staged)
                for k in cost.beneath(i) {
                    for (t, tensor) in cost.sizes.tensors.enumerated() { row += (-2 * tensor.bytes / cost.l / Self.gibibyte) * weights[t][k] }
                }
                row += (-2 * cost.maxTensor / Self.gibibyte) * streams[i]!
                model.add(row >= 0, name: "staging in \(cost.chain.tiers[i].name)")
            }
        }
        for (p, phase) in phases.enumerated() {
            for (resource, busy) in cost.busy(counts, phase) {
                model.add(times[p] >= busy, name: "\(resource) in phase \(p)")
            }
        }
        let capacities = cost.capacities
        for i in 0 ..< K {
            for prefill in [true, false] {
                model.add((1 / Self.gibibyte) * cost.memory(counts, tier: i, prefill: prefill) <= capacities[i] / Self.gibibyte,
                          name: "\(cost.chain.tiers[i].name) (\(prefill ? "prefill" : "decode"))")
            }
        }
        var objective = LinearExpression()
        for (p, weight) in phaseWeights.enumerated() { objective += weight * times[p] }
        // Tie-break towards faster tiers (depth = links to the GPU).
        let computeOnly = zip(phases, phaseWeights).reduce(0.0) { $0 + $1.1 * cost.computeBusy(counts, $1.0).constant }
        let epsilon = 1e-7 * computeOnly
        let units = T * cost.l + cost.l * cost.heads * unitsPerLayerHead + 2 * cost.g
        for k in 1 ..< K {
            let depth = Double(cost.chain.path(from: k).count)
            let w = epsilon * depth / (units * Double(K))
            for row in weights { objective += w * row[k] }
            objective += (w / unitsPerLayerHead) * cache[k]
            objective += w * hidden[k]
            objective += w * decodeHidden[k]
        }
        model.minimize(objective)
        return Built(model: model, weights: weights, cache: cache, hidden: hidden, decodeHidden: decodeHidden, streams: streams, staging: staging,
                     times: times, phases: phases, phaseWeights: phaseWeights, tieBreak: epsilon)
    }

    /// The counts a solution holds, rounded to integers (MILP solutions).
    /// Whether the MILP keeps cache units continuous: more than 2^12 of them.
    static func roundsCache(_ cost: ChainCostModel) -> Bool { cost.l * cost.heads * cost.batches > 4096 }

    /// The counts a solution holds, rounded to integers (MILP solutions);
    /// continuous cache units by largest remainder, so they still sum to
    /// l·H·nb and each tier is off by less than one unit.
    static func counts(_ built: Built, values: [Double]) -> PlacementCounts {
        func int(_ v: Variable) -> Int { Int(values[v.index].rounded()) }
        let shares = built.cache.map { max(0, values[$0.index]) }
        let total = Int(shares.reduce(0, +).rounded())
        var cache = shares.map { Int($0.rounded(.down)) }
        let order = shares.indices.sorted { shares[$0] - Double(cache[$0]) > shares[$1] - Double(cache[$1]) }
        var i = 0
        while cache.reduce(0, +) < total && !order.isEmpty {
            cache[order[i % order.count]] += 1
            i += 1
        }
        return PlacementCounts(weights: built.weights.map { $0.map(int) }, cache: cache, hidden: built.hidden.map(int),
                               decodeHidden: built.decodeHidden.map(int))
    }

    /// A complete solution vector for `counts` (for a warm start): the
    /// binaries and staging sizes they imply and each phase's time, its
    /// busiest resource. O(size of the model).
    func solution(_ built: Built, counts: PlacementCounts) -> [Double] {
        var values = [Double](repeating: 0, count: built.model.variableCount)
        for (t, row) in built.weights.enumerated() { for (k, v) in row.enumerated() { values[v.index] = Double(counts.weights[t][k]) } }
        for (k, v) in built.cache.enumerated() { values[v.index] = Double(counts.cache[k]) }
        for (k, v) in built.hidden.enumerated() { values[v.index] = Double(counts.hidden[k]) }
        for (k, v) in built.decodeHidden.enumerated() { values[v.index] = Double(counts.decodeHidden[k]) }
        let evaluation = PlacementEvaluation(cost: cost, segments: segments, counts: counts)
        for (i, v) in built.streams { values[v.index] = evaluation.streams[i] ?? 0 }
        for (i, v) in built.staging { values[v.index] = (evaluation.staging[i] ?? 0) / Self.gibibyte }
        for (p, v) in built.times.enumerated() { values[v.index] = evaluation.phaseSeconds[p] }
        return values
    }
}

/// A placement's figures under the cost model, computed from its counts
/// alone (not read from a solver): each phase's time (its busiest
/// resource), throughput, and the bytes each tier holds.
struct PlacementEvaluation {
    let counts: PlacementCounts
    /// Prefill, then one step of each decode segment, in seconds.
    let phaseSeconds: [Double]
    let blockSeconds: Double
    let throughput: Double
    /// Per tier, the larger of its prefill and decode bytes.
    let peakBytes: [Double]
    let streams: [Int: Double]
    let staging: [Int: Double]
    /// The busiest resource of each phase.
    let bottlenecks: [String]
    /// Busy seconds per resource over the block (prefill + every decode step).
    let busy: [String: Double]

    init(cost: ChainCostModel, segments: [ChainCostModel.DecodeSegment], counts: PlacementCounts) {
        self.counts = counts
        let K = cost.tiers
        var streams: [Int: Double] = [:], staging: [Int: Double] = [:]
        let program = PlacementProgram(cost: cost, integer: true, segments: segments)
        for i in program.streamingTiers {
            let beneath = cost.beneath(i)
            let passes = beneath.contains { k in counts.weights.contains { $0[k] > 0 } }
            streams[i] = passes ? 1 : 0
            let bytes = cost.sizes.tensors.enumerated().reduce(0.0) { sum, pair in
                sum + pair.1.bytes * Double(beneath.reduce(0) { $0 + counts.weights[pair.0][$1] })
            }
            if i > 0 { staging[i] = passes ? 2 * (bytes / cost.l + cost.maxTensor) : 0 }
        }
        let c = ChainCostModel.Counts(
            weights: counts.weights.map { $0.map { LinearExpression(constant: Double($0)) } },
            cache: counts.cache.map { LinearExpression(constant: Double($0) / cost.batches) },
            hidden: counts.hidden.map { LinearExpression(constant: Double($0)) },
            decodeHidden: counts.decodeHidden.map { LinearExpression(constant: Double($0)) },
            streams: streams.mapValues { LinearExpression(constant: $0) },
            staging: staging.mapValues { LinearExpression(constant: $0) }
        )
        var seconds: [Double] = [], bottlenecks: [String] = []
        var total: [String: Double] = [:]
        for (phase, weight) in zip(program.phases, program.phaseWeights) {
            let busy = cost.busy(c, phase).map { ($0.resource, $0.seconds.constant) }
            let top = busy.max { $0.1 < $1.1 }!
            seconds.append(top.1)
            bottlenecks.append(top.0)
            for (resource, value) in busy { total[resource, default: 0] += value * weight }
        }
        busy = total
        phaseSeconds = seconds
        self.bottlenecks = bottlenecks
        blockSeconds = zip(seconds, program.phaseWeights).reduce(0) { $0 + $1.0 * $1.1 }
        throughput = cost.g * cost.batches * cost.n / blockSeconds
        peakBytes = (0 ..< K).map { i in
            max(cost.memory(c, tier: i, prefill: true).constant, cost.memory(c, tier: i, prefill: false).constant)
        }
        self.streams = streams
        self.staging = staging
    }

    /// Whether every tier's bytes stay within α times its capacity.
    /// Whether every tier's bytes stay within α times its capacity (plus,
    /// when the MILP rounds continuous cache units, what one unit holds in
    /// each tier it may have been rounded into).
    func fits(_ cost: ChainCostModel) -> Bool {
        let unit = PlacementProgram.roundsCache(cost) ? (cost.s + cost.n) * cost.kvHead * cost.g * 2 : 0
        return zip(peakBytes, cost.capacities).allSatisfy { $0 <= $1 * (1 + 1e-9) + 1 + unit }
    }
}
