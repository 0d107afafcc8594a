import Foundation
import MILP

/// Exact mode's cost model for one batch shape (gbs, nb) over a chain of
/// tiers: the busy time of every resource and the bytes every tier holds,
/// as linear expressions over placement counts. It describes the block
/// plan ``OffloadBlockPlan`` builds and ``OffloadSimulation`` replays.
///
/// ## Placement counts
///
/// Layers are identical, so a placement is described by counts, not by
/// which layer holds what: y(t, k) layers keep weight tensor t on tier k
/// (Σ_k y(t, k) = l), c(k) of the l·H (layer, KV head) cache units live on
/// tier k, and h(k) sequences of each GPU batch keep their hidden states on
/// tier k (the same in every layer: the peak is set by one layer's states,
/// so spreading them differently over layers saves nothing), separately for
/// the prefill and for decoding (a prompt's hidden states are s times a
/// token's: offloading them pays in prefill, rarely in decode, where every
/// tiny operator would wait for its input). Every layer
/// may thus hold different tensors on the GPU (a per-layer placement);
/// ``LayerPlacement/distribute(_:)`` turns counts into layers. Counting
/// instead of giving each layer (or group of layers) its own variables
/// removes the layers' symmetry altogether rather than breaking it, and
/// the MILP keeps T·K + 2K integers whatever the depth of the model.
///
/// ## Time
///
/// The resources are the GPU (its matmuls, plus the CPU attention over
/// the cache off the GPU, which the GPU waits for as in FlexGen's loop)
/// and each link's two directions (reads towards the GPU, writes away).
/// The block plan prefetches weights as far ahead as a buffer of two
/// layers' streamed weights allows, prefetches every operator's data one
/// operator ahead and stores results as they come, so that every resource
/// works while the others do: a phase takes as long as its busiest
/// resource, T ≥ busy(r) for every r. Data crosses every link of its path
/// (NVMe → CPU → GPU), each link at its own rate; a link with a
/// chunk-size curve reads at the rate of its request size.
///
/// The KV cache grows by one token per decode step: step i attends over
/// s + i tokens. Decode is split into up to three segments of consecutive
/// steps, each costed at its mean context, so that a bottleneck that moves
/// as the cache grows (CPU attention over a long context) is seen; memory
/// is reserved for the full s + n tokens. Prefill attention follows
/// FlexGen's 4·s²·h1 FLOPs a sequence.
///
/// ## Memory
///
/// Per tier and phase: what is homed there (weights, the cache at s + n
/// tokens, hidden states of nb + 1 batch shares: one layer's outputs over
/// the block plus the operator in flight), and on the GPU the working set
/// (FlexGen's scratch terms, hidden states of non-GPU shares being loaded
/// and stored, new keys and values, and a prefetch buffer of two layers'
/// streamed weights: at most 2·(mean streamed bytes a layer + the largest
/// tensor), which the balanced distribution of streamed tensors over layers
/// guarantees). Tiers between the GPU and a deeper tier stage what passes
/// through them: never more than the prefetch buffer for weights, two
/// operators' worth of cache and new keys, and three hidden-state shares.
struct ChainCostModel {
    let shape: TransformerShape
    let sizes: LayerSizes
    let chain: TierChain
    let hardware: HardwareProfile
    let workload: OffloadWorkload
    let gbs: Int
    let nb: Int

    /// Consecutive decode steps costed together at their mean context.
    struct DecodeSegment: Equatable, Sendable {
        /// Decode steps in the segment.
        var steps: Int
        /// Mean tokens attended over by a step of the segment.
        var context: Double
    }

    enum Phase: Equatable, Sendable {
        case prefill
        case decode(DecodeSegment)
    }

    /// Placement counts as expressions (variables in the programs).
    struct Counts {
        /// weights[t][k]: layers keeping tensor t on tier k.
        var weights: [[LinearExpression]]
        /// cache[k]: (layer, KV head) units on tier k.
        var cache: [LinearExpression]
        /// hidden[k]: sequences of a GPU batch with hidden states on tier k (prefill).
        var hidden: [LinearExpression]
        /// The same while decoding.
        var decodeHidden: [LinearExpression]

        func hidden(_ phase: Phase) -> [LinearExpression] { phase == .prefill ? hidden : decodeHidden }
        /// streams[i]: 1 when weights homed beneath tier i cross it (i = 0:
        /// any weight is streamed to the GPU), for tiers with a tier beneath.
        var streams: [Int: LinearExpression]
        /// staging[i]: bytes of streamed weights staged in tier i ≥ 1.
        var staging: [Int: LinearExpression]
    }

    var l: Double { Double(shape.layers) }
    var heads: Double { Double(shape.kvHeads) }
    var g: Double { Double(gbs) }
    var batches: Double { Double(nb) }
    var s: Double { Double(workload.promptLength) }
    var n: Double { Double(workload.generatedTokens) }
    var h1: Double { Double(shape.hidden) }
    var nh: Double { Double(shape.heads) }
    var tiers: Int { chain.count }
    /// Bytes of one token's keys and values of one sequence, one KV head, one layer.
    var kvHead: Double { sizes.cacheBytesPerToken / heads }
    var maxTensor: Double { sizes.tensors.map(\.bytes).max() ?? 0 }

    /// Hidden-state bytes of one sequence in a phase (fp16, `tokens` positions).
    func hiddenBytes(_ phase: Phase) -> Double { 2 * tokens(phase) * h1 }
    func tokens(_ phase: Phase) -> Double { phase == .prefill ? s : 1 }

    /// Decode steps 1 … n−1 (step i attends over s + i tokens) in up to
    /// `count` segments of near-equal length. O(count).
    static func segments(prompt: Int, generated: Int, count: Int) -> [DecodeSegment] {
        let steps = generated - 1
        guard steps > 0, count > 0 else { return [] }
        let k = min(count, steps)
        var result: [DecodeSegment] = []
        var first = 1
        for part in 0 ..< k {
            let size = steps / k + (part < steps % k ? 1 : 0)
            let last = first + size - 1
            result.append(DecodeSegment(steps: size, context: Double(prompt) + Double(first + last) / 2))
            first = last + 1
        }
        return result
    }

    func rate(_ tflops: Double) -> Double { tflops * FlexGenUnits.tera }

    /// FlexGen's CPU attention rate with its batch and width correction.
    var cpuRate: Double {
        let a = max(0, log2(64 / g))
        let b = max(0, log2(4096 / h1))
        let c = hardware.cpuCorrection
        return rate(hardware.cpuTflops) * max(0.1, 1 + c[0] * a * b - c[1] * a - c[2] * b)
    }

    // MARK: Compute

    /// Seconds one operator (one layer on one GPU batch) computes with
    /// `gpuHeads` of its KV heads' cache on the GPU (the rest attended on the CPU).
    func operatorSeconds(_ phase: Phase, gpuHeads: Double) -> Double {
        switch phase {
        case .prefill:
            return g * (s * sizes.linearFlopsPerToken / rate(hardware.matmulPrefillTflops)
                + 4 * s * s * h1 / rate(hardware.batchedMatmulPrefillTflops))
        case .decode(let segment):
            let attention = g * 4 * segment.context * h1 / heads
            return g * sizes.linearFlopsPerToken / rate(hardware.matmulDecodeTflops)
                + attention * (gpuHeads / rate(hardware.batchedMatmulDecodeTflops) + (heads - gpuHeads) / cpuRate)
        }
    }

    /// The GPU's busy seconds over the block (every layer, every batch).
    func computeBusy(_ c: Counts, _ phase: Phase) -> LinearExpression {
        switch phase {
        case .prefill:
            return LinearExpression(constant: batches * l * operatorSeconds(.prefill, gpuHeads: heads))
        case .decode(let segment):
            let attention = batches * g * 4 * segment.context * h1 / heads
            var busy = LinearExpression(constant: batches * l * g * sizes.linearFlopsPerToken / rate(hardware.matmulDecodeTflops))
            busy += (attention / rate(hardware.batchedMatmulDecodeTflops)) * c.cache[0]
            for k in 1 ..< tiers { busy += (attention / cpuRate) * c.cache[k] }
            return busy
        }
    }

    // MARK: Links

    /// Tiers whose data crosses link e (e on their path to the GPU).
    func tiersUsing(link e: Int) -> [Int] { (1 ..< tiers).filter { chain.path(from: $0).contains(e) } }

    /// Seconds link e spends reading towards the GPU over the block.
    func readBusy(_ c: Counts, _ phase: Phase, link e: Int) -> LinearExpression {
        var busy = LinearExpression()
        let users = tiersUsing(link: e)
        for (t, tensor) in sizes.tensors.enumerated() {
            let seconds = chain.readSeconds(tensor.bytes, link: e)
            for k in users { busy += seconds * c.weights[t][k] }
        }
        let hb = hiddenBytes(phase)
        let hiddenPerSequence = chain.readSeconds(hb * g, link: e) / g
        for k in users { busy += ((l - 1) * batches * hiddenPerSequence) * c.hidden(phase)[k] }
        if case .decode(let segment) = phase, e != 1 {
            // CPU attention reads the cache homed beneath the host up to it.
            let perUnit = chain.readSeconds(segment.context * kvHead * g, link: e)
            for k in users where k >= 2 { busy += (batches * perUnit) * c.cache[k] }
        }
        return busy
    }

    /// Seconds link e spends writing away from the GPU over the block.
    func writeBusy(_ c: Counts, _ phase: Phase, link e: Int) -> LinearExpression {
        var busy = LinearExpression()
        let users = tiersUsing(link: e)
        let hb = hiddenBytes(phase)
        let hiddenPerSequence = chain.writeSeconds(hb * g, link: e, cache: false) / g
        for k in users { busy += ((l - 1) * batches * hiddenPerSequence) * c.hidden(phase)[k] }
        if e == 1 { busy += LinearExpression(constant: batches * chain.writeSeconds(hb * g, link: 1, cache: false)) }
        let perUnit = chain.writeSeconds(tokens(phase) * kvHead * g, link: e, cache: true)
        for k in users { busy += (batches * perUnit) * c.cache[k] }
        return busy
    }

    /// Every resource's busy time in a phase, named ("gpu", "cpu->gpu", "gpu->cpu", …).
    func busy(_ c: Counts, _ phase: Phase) -> [(resource: String, seconds: LinearExpression)] {
        var rows: [(String, LinearExpression)] = [("gpu", computeBusy(c, phase))]
        for e in 1 ..< tiers {
            let lower = chain.tiers[e].name, upper = chain.tiers[chain.tiers[e].parent].name
            rows.append(("\(lower)->\(upper)", readBusy(c, phase, link: e)))
            rows.append(("\(upper)->\(lower)", writeBusy(c, phase, link: e)))
        }
        return rows
    }

    // MARK: Memory

    /// Tiers strictly beneath tier i.
    func beneath(_ i: Int) -> [Int] { (0 ..< tiers).filter { chain.isBeneath($0, i) } }

    /// Bytes tier i holds in a phase (prefill, or decode at its largest).
    func memory(_ c: Counts, tier i: Int, prefill: Bool) -> LinearExpression {
        let phase: Phase = prefill ? .prefill : .decode(DecodeSegment(steps: 1, context: s + n))
        let hb = hiddenBytes(phase)
        let hidden = c.hidden(phase)
        let sn = s + n
        var bytes = LinearExpression()
        // What is homed here.
        for (t, tensor) in sizes.tensors.enumerated() { bytes += tensor.bytes * c.weights[t][i] }
        bytes += (sn * kvHead * g * batches) * c.cache[i]
        bytes += (hb * (batches + 1)) * hidden[i]
        if i == 0 {
            // Prefetch buffer: two layers' streamed weights.
            if let stream = c.streams[0] {
                bytes += 2 * sizes.weightBytes
                for (t, tensor) in sizes.tensors.enumerated() { bytes += (-2 * tensor.bytes / l) * c.weights[t][0] }
                bytes += (2 * maxTensor) * stream
            }
            // Hidden shares homed elsewhere: the input in use, the next one
            // prefetched, the output being written and the previous one being stored.
            bytes += 4 * hb * g
            bytes += (-4 * hb) * hidden[0]
            // New keys and values of the operator and of the previous one (being stored).
            bytes += 2 * tokens(phase) * kvHead * heads * g
            bytes += prefill ? prefillScratch : decodeScratchFixed
            if !prefill {
                // Attention scratch for the layer with the most GPU heads (⌈c(0)/l⌉ ≤ c(0)/l + 1).
                bytes += decodeScratchPerCacheShare / heads
                bytes += (decodeScratchPerCacheShare / (l * heads)) * c.cache[0]
            }
            return bytes
        }
        if i == 1 {
            // Final hidden states of the block, and CPU attention's scores.
            bytes += batches * g * hb
            if !prefill { bytes += 2 * nh * sn * g + 2 * h1 * g }
        }
        // New keys and values on their way to this tier or beneath it: two
        // operators' worth (⌈units/l⌉ ≤ units/l + 1 heads a layer).
        let newBytes = 2 * tokens(phase) * kvHead * g
        bytes += newBytes
        let deeper = beneath(i)
        for k in [i] + deeper { bytes += (newBytes / l) * c.cache[k] }
        if !deeper.isEmpty {
            if let staged = c.staging[i] { bytes += staged }
            // Two operators' cache read for CPU attention, and three hidden
            // shares, passing through from tiers beneath.
            let contextBytes = prefill ? 0 : 2 * sn * kvHead * g
            bytes += contextBytes
            for k in deeper {
                bytes += (contextBytes / l) * c.cache[k]
                bytes += (3 * hb) * hidden[k]
            }
        }
        return bytes
    }

    /// FlexGen's per-batch GPU working set of a prefill operator (the
    /// constant part of its prefill GPU row, with the FFN's own activation bytes).
    var prefillScratch: Double {
        g * (8 * s * h1 + 2 * s * h1 + 2 * nh * s * s + 2 * s * h1 + 4 * s * h1 + s * sizes.ffnActivationBytesPerToken + 2 * s * h1)
    }

    /// FlexGen's decode working set: the part for attention over a full
    /// GPU cache share, and the fixed part.
    var decodeScratchPerCacheShare: Double {
        let sn = s + n
        let kv = sizes.cacheBytesPerToken
        return g * (2 * h1 + sn * kv / 2 + 2 * nh * sn) + g * (sn * kv / 2 + 2 * h1)
    }

    var decodeScratchFixed: Double { 8 * g * h1 + 4 * g * h1 + g * sizes.ffnActivationBytesPerToken + 2 * g * h1 }

    /// Capacities as the programs use them: α times each tier's bytes.
    var capacities: [Double] { chain.tiers.map { workload.alpha * $0.capacity } }
}
