/// Where every layer keeps each of its weight tensors, how its KV cache is
/// split over the tiers, and where each GPU batch's hidden states live:
/// what the block plan executes.
///
/// The cache of a layer is split by (KV head, GPU batch): unit i of layer j
/// is head i / nb of batch i mod nb, and the tiers take consecutive ranges
/// of units in tier order, so every operator (layer, batch) keeps ⌊·⌋ or
/// ⌈·⌉ of its layer's share of heads on each tier.
public struct LayerPlacement: Sendable, Equatable {
    /// Tier names, GPU first.
    public var tiers: [String]
    /// Weight tensor names of a layer.
    public var tensors: [String]
    /// weights[j][t]: the tier (index into ``tiers``) of tensor t in layer j.
    public var weights: [[Int]]
    /// GPU batches per block (nb): the cache units of a layer are KV heads × nb.
    public var batches: Int
    /// cacheUnits[j][k]: (KV head, GPU batch) units of layer j's cache on tier k; each layer's sum to KV heads × nb.
    public var cacheUnits: [[Int]]
    /// hiddenSequences[k]: sequences of each GPU batch whose hidden states live on tier k, in every layer, during the prefill.
    public var hiddenSequences: [Int]
    /// The same while decoding.
    public var decodeHiddenSequences: [Int]

    public init(tiers: [String], tensors: [String], weights: [[Int]], batches: Int, cacheUnits: [[Int]], hiddenSequences: [Int],
                decodeHiddenSequences: [Int]? = nil) {
        self.tiers = tiers
        self.tensors = tensors
        self.weights = weights
        self.batches = batches
        self.cacheUnits = cacheUnits
        self.hiddenSequences = hiddenSequences
        self.decodeHiddenSequences = decodeHiddenSequences ?? hiddenSequences
    }

    /// The hidden-state split of a phase.
    func hidden(prefill: Bool) -> [Int] { prefill ? hiddenSequences : decodeHiddenSequences }

    /// KV heads of operator (layer j, batch b) on each tier. O(tiers).
    public func heads(layer j: Int, batch b: Int) -> [Int] {
        let nb = batches
        var start = 0
        return cacheUnits[j].map { units in
            // Units i in [start, start + units) with i mod nb == b.
            let end = start + units
            func upTo(_ x: Int) -> Int { x <= b ? 0 : (x - b - 1) / nb + 1 }   // #{i < x : i ≡ b (mod nb)}
            let count = upTo(end) - upTo(start)
            start = end
            return count
        }
    }

    public var layers: Int { weights.count }

    /// The counts this placement realises.
    public var counts: PlacementCounts {
        // Tiers as the data give them (the names may be left empty).
        let K = max(tiers.count, cacheUnits.map(\.count).max() ?? 0, hiddenSequences.count,
                    (weights.joined().max() ?? -1) + 1)
        let T = max(tensors.count, weights.map(\.count).max() ?? 0)
        var w = [[Int]](repeating: [Int](repeating: 0, count: K), count: T)
        for layer in weights { for (t, k) in layer.enumerated() { w[t][k] += 1 } }
        var c = [Int](repeating: 0, count: K)
        for layer in cacheUnits { for (k, units) in layer.enumerated() { c[k] += units } }
        return PlacementCounts(weights: w, cache: c, hidden: hiddenSequences, decodeHidden: decodeHiddenSequences)
    }

    /// Spreads counts over the layers.
    ///
    /// - Streamed weights (not on the GPU) are balanced over layers: tensors
    ///   in decreasing size each go to the layers that stream the fewest
    ///   bytes so far (ties spread evenly over the depth), which keeps every
    ///   layer within the largest tensor of the mean (by induction, the
    ///   most and least loaded layers never differ by more than the largest
    ///   tensor placed), so a prefetch buffer of two layers' streamed bytes
    ///   is at most 2·(mean + largest). Among a tensor's streamed layers,
    ///   deeper tiers take evenly spaced layers, so that every slow link is
    ///   busy throughout the block rather than in one stretch.
    /// - Cache units go out across the layers (unit i·l + j is unit i of
    ///   layer j), tier by tier from the GPU, so every layer's units on a
    ///   tier are ⌊c(k)/l⌋ or ⌈c(k)/l⌉, and within a layer the tiers take
    ///   consecutive units.
    ///
    /// O(T·l log l) for T tensors and l layers.
    static func distribute(_ counts: PlacementCounts, sizes: LayerSizes, chain: TierChain, layers l: Int, kvHeads: Int,
                           batches: Int) -> LayerPlacement {
        let T = sizes.tensors.count
        var weights = [[Int]](repeating: [Int](repeating: 0, count: T), count: l)
        var streamed = [Double](repeating: 0, count: l)
        let order = (0 ..< T).sorted { (sizes.tensors[$0].bytes, -$0) > (sizes.tensors[$1].bytes, -$1) }
        for t in order {
            let count = l - counts.weights[t][0]
            let chosen = leastLoaded(streamed, count: count)
            for j in chosen { streamed[j] += sizes.tensors[t].bytes }
            // Deeper tiers first, each on evenly spaced layers among those left.
            var left = chosen.sorted()
            let offGPU = (1 ..< chain.count).sorted { (chain.path(from: $0).count, $0) > (chain.path(from: $1).count, $1) }
            for k in offGPU {
                let want = counts.weights[t][k]
                let picked = k == offGPU.last ? left : evenlySpaced(left, count: want)
                for j in picked { weights[j][t] = k }
                let taken = Set(picked)
                left.removeAll { taken.contains($0) }
            }
        }
        // Cache: global unit u = i·l + j (unit i of layer j), tiers taking consecutive ranges of u.
        // Layer j's units on tier k: those of the range [a, b) with u ≡ j (mod l).
        var cacheUnits = [[Int]](repeating: [Int](repeating: 0, count: chain.count), count: l)
        var start = 0
        for k in 0 ..< chain.count {
            let end = start + counts.cache[k]
            for j in 0 ..< l {
                func upTo(_ x: Int) -> Int { x <= j ? 0 : (x - j - 1) / l + 1 }
                cacheUnits[j][k] = upTo(end) - upTo(start)
            }
            start = end
        }
        return LayerPlacement(tiers: chain.tiers.map(\.name), tensors: sizes.tensors.map(\.name), weights: weights, batches: batches,
                              cacheUnits: cacheUnits, hiddenSequences: counts.hidden, decodeHiddenSequences: counts.decodeHidden)
    }

    /// The `count` least loaded layers; among layers tied at the threshold,
    /// evenly spaced ones. O(l log l).
    static func leastLoaded(_ load: [Double], count: Int) -> [Int] {
        guard count > 0 else { return [] }
        guard count < load.count else { return Array(load.indices) }
        let sorted = load.indices.sorted { (load[$0], $0) < (load[$1], $1) }
        let threshold = load[sorted[count - 1]]
        func same(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }
        let below = sorted.filter { load[$0] < threshold && !same(load[$0], threshold) }
        let tied = sorted.filter { same(load[$0], threshold) }.sorted()
        return below + evenlySpaced(tied, count: count - below.count)
    }

    /// `count` members of `items` (in their order) spread evenly: the
    /// (i + ½)·n/count-th for i < count. O(n).
    static func evenlySpaced(_ items: [Int], count: Int) -> [Int] {
        guard count > 0 else { return [] }
        guard count < items.count else { return items }
        let n = Double(items.count)
        return (0 ..< count).map { items[Int(((Double($0) + 0.5) * n / Double(count)).rounded(.down))] }
    }

    /// FlexGen's rounding of a fractional policy to whole tensors, the same
    /// in every layer: each weight tensor goes to the tier whose cumulative
    /// percentage range holds the midpoint of the tensor's cumulative byte
    /// range (as FlexGen's `init_weight_list`); cache heads and hidden
    /// sequences by largest remainder. FlexGen's disk is the chain's last tier.
    static func flexGenRounding(of policy: OffloadPolicy, sizes: LayerSizes, chain: TierChain, layers: Int, kvHeads: Int) -> LayerPlacement {
        let nb = policy.nb
        let disk = chain.count - 1
        var cumulative = 0.0
        let bounds = [policy.wg, policy.wg + policy.wc]
        let tiers = sizes.tensors.map { tensor -> Int in
            let mid = (cumulative + tensor.bytes / 2) / sizes.weightBytes
            cumulative += tensor.bytes
            return mid < bounds[0] ? 0 : mid < bounds[1] ? 1 : disk
        }
        func apportion(_ shares: [Double], _ total: Int) -> [Int] {
            let exact = shares.map { max(0, $0) * Double(total) }
            var counts = exact.map { Int($0.rounded(.down)) }
            let order = exact.indices.sorted { exact[$0] - Double(counts[$0]) > exact[$1] - Double(counts[$1]) }
            var k = 0
            while counts.reduce(0, +) < total { counts[order[k % order.count]] += 1; k += 1 }
            while counts.reduce(0, +) > total, let i = counts.indices.last(where: { counts[$0] > 0 }) { counts[i] -= 1 }
            return counts
        }
        func onChain(_ three: [Int]) -> [Int] {
            var result = [Int](repeating: 0, count: chain.count)
            result[0] += three[0]
            result[1] += three[1]
            result[disk] += three[2]
            return result
        }
        let units = onChain(apportion([policy.cg, policy.cc, policy.cn], kvHeads)).map { $0 * nb }
        let hidden = onChain(apportion([policy.hg, policy.hc, 0], policy.gbs))
        return LayerPlacement(tiers: chain.tiers.map(\.name), tensors: sizes.tensors.map(\.name),
                              weights: Array(repeating: tiers, count: layers), batches: nb,
                              cacheUnits: Array(repeating: units, count: layers), hiddenSequences: hidden)
    }
}
