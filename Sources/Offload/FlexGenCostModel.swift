import Foundation
import MILP

/// FlexGen's cost model for one batch shape (gbs, nb), written as linear
/// expressions over the nine placement fractions: the per-layer prefill and
/// decode link and compute times, and the bytes each tier holds. See
/// shared/specs/offload-lp.md; symbols follow it (s, n, l, h1, h2, nh, wi, bls).
///
/// Memory expressions are in GB (2^30 bytes) so that the LP's rows are of
/// similar magnitude to its time rows; times are in seconds.
///
/// The byte and FLOP counts come from ``LayerSizes``: FlexGen's OPT formulas
/// in compatibility mode (then every row is the spec's, term for term), the
/// architecture's own in exact mode (wi, the 4·h1 bytes of cache per token,
/// the 2·h2 FFN scratch and the 8·h1² + 4·h1·h2 FLOPs are replaced; terms in
/// h1 alone — hidden states, attention FLOPs per context token — stay).
struct FlexGenCostModel {
    let shape: TransformerShape
    let hardware: HardwareProfile
    let workload: OffloadWorkload
    let gbs: Int
    let nb: Int
    var sizes: LayerSizes

    init(shape: TransformerShape, hardware: HardwareProfile, workload: OffloadWorkload, gbs: Int, nb: Int,
         sizes: LayerSizes? = nil) {
        self.shape = shape
        self.hardware = hardware
        self.workload = workload
        self.gbs = gbs
        self.nb = nb
        self.sizes = sizes ?? .flexGen(shape, compressWeights: workload.compressWeights)
    }

    /// The nine placement fractions as expressions: single variables in the
    /// LP, sums of whole-tensor choices in the MILP.
    struct Fractions {
        let wg, wc, wn, cg, cc, cn, hg, hc, hn: LinearExpression
    }

    var s: Double { Double(workload.promptLength) }
    var n: Double { Double(workload.generatedTokens) }
    var l: Double { Double(shape.layers) }
    var h1: Double { Double(shape.hidden) }
    var h2: Double { Double(shape.ffn) }
    var nh: Double { Double(shape.heads) }
    var bls: Double { Double(gbs * nb) }
    var batch: Double { Double(gbs) }
    var wi: Double { sizes.weightBytes }
    /// Cache bytes per token and sequence in one layer (FlexGen: 4·h1).
    var kv: Double { sizes.cacheBytesPerToken }

    func bandwidth(_ gbps: Double) -> Double { gbps * FlexGenUnits.gigabyte }
    func rate(_ tflops: Double) -> Double { tflops * FlexGenUnits.tera }

    /// cpu_real: the CPU attention rate corrected for small batches and
    /// narrow models; a constant for a given gbs, so the LP stays linear.
    var cpuRate: Double {
        let a = max(0, log2(64 / batch))
        let b = max(0, log2(4096 / h1))
        let c = hardware.cpuCorrection
        return rate(hardware.cpuTflops) * max(0.1, 1 + c[0] * a * b - c[1] * a - c[2] * b)
    }

    // MARK: Prefill, per layer

    func prefillCpuToGpu(_ f: Fractions) -> LinearExpression {
        (wi * (f.wc + f.wn) + 2 * s * h1 * bls * (f.hc + f.hn)) * (1 / bandwidth(hardware.cpuToGpuGBps))
    }

    func prefillGpuToCpu(_ f: Fractions) -> LinearExpression {
        ((s + 1) * kv * bls / bandwidth(hardware.gpuToCpuCacheGBps)) * (f.cc + f.cn)
            + (2 * s * h1 * bls / bandwidth(hardware.gpuToCpuHiddenGBps)) * (f.hc + f.hn)
    }

    func prefillDiskToCpu(_ f: Fractions) -> LinearExpression {
        (wi / bandwidth(hardware.diskToCpuGBps)) * f.wn + (2 * s * h1 * bls / bandwidth(hardware.diskToCpuGBps)) * f.hn
    }

    func prefillCpuToDisk(_ f: Fractions) -> LinearExpression {
        (bls * (s + 1) * kv / bandwidth(hardware.cpuToDiskCachePrefillGBps)) * f.cn
            + (2 * s * h1 * bls / bandwidth(hardware.cpuToDiskHiddenPrefillGBps)) * f.hn
    }

    var prefillCompute: Double {
        bls * s * sizes.linearFlopsPerToken / rate(hardware.matmulPrefillTflops)
            + 4 * bls * s * s * h1 / rate(hardware.batchedMatmulPrefillTflops)
    }

    // MARK: Decode, per layer and token

    func decodeCpuToGpu(_ f: Fractions) -> LinearExpression {
        (wi * (f.wc + f.wn) + 2 * h1 * bls * (f.hc + f.hn)) * (1 / bandwidth(hardware.cpuToGpuGBps))
    }

    func decodeGpuToCpu(_ f: Fractions) -> LinearExpression {
        (2 * h1 * bls / bandwidth(hardware.gpuToCpuHiddenGBps)) * (f.hc + f.hn)
    }

    func decodeDiskToCpu(_ f: Fractions) -> LinearExpression {
        let d = bandwidth(hardware.diskToCpuGBps)
        return (bls * (s + n / 2) * kv / d) * f.cn + (2 * h1 * bls / d) * f.hn + (wi / (0.95 * d)) * f.wn
    }

    func decodeCpuToDisk(_ f: Fractions) -> LinearExpression {
        let d = bandwidth(hardware.cpuToDiskDecodeGBps)
        return (bls * kv / d) * f.cn + (2 * h1 * bls / d) * f.hn
    }

    func decodeCompute(_ f: Fractions) -> LinearExpression {
        let attention = 4 * bls * (s + n / 2) * h1
        return (attention / rate(hardware.batchedMatmulDecodeTflops)) * f.cg
            + (attention / cpuRate) * (f.cc + f.cn)
            + bls * sizes.linearFlopsPerToken / rate(hardware.matmulDecodeTflops)
    }

    // MARK: Memory, in GB

    private func gb(_ e: LinearExpression) -> LinearExpression { e * (1 / FlexGenUnits.gigabyte) }

    func gpuPrefill(_ f: Fractions) -> LinearExpression {
        var bytes: LinearExpression = (wi * l) * f.wg
        bytes += (2 * s * h1 * bls) * f.hg
        bytes += ((s + n) * kv * bls * l) * f.cg
        bytes += (2 * wi) * (1 - f.wg)
        bytes += (2 * s * h1 * batch) * (1 - f.hg)
        let perSequence: Double = 8 * s * h1 + 2 * s * h1 + 2 * nh * s * s + 2 * s * h1 + 4 * s * h1 + s * sizes.ffnActivationBytesPerToken + 2 * s * h1
        bytes += batch * perSequence
        return gb(bytes)
    }

    func gpuDecode(_ f: Fractions) -> LinearExpression {
        let sn = s + n
        var home: LinearExpression = (wi * l) * f.wg
        home += (2 * h1 * bls) * f.hg
        home += (sn * kv * bls * l) * f.cg
        var working: LinearExpression = (2 * wi) * (1 - f.wg)
        working += (2 * h1 * batch) * (1 - f.hg)
        working += (batch * sn * kv) * f.cg
        let attentionScratch: Double = batch * (2 * h1 + sn * kv / 2 + 2 * nh * sn)
        let cacheScratch: Double = batch * (sn * kv / 2 + 2 * h1)
        working += attentionScratch * f.cg
        working += cacheScratch * f.cg
        let fixed: Double = 8 * batch * h1 + 4 * batch * h1 + batch * sizes.ffnActivationBytesPerToken + 2 * batch * h1
        working += fixed
        return gb(home + working)
    }

    func cpuPrefill(_ f: Fractions) -> LinearExpression {
        var bytes: LinearExpression = (wi * l) * f.wc
        bytes += (2 * s * h1 * bls) * f.hc
        bytes += (s * kv * bls * l) * f.cc
        bytes += wi * (1 - f.wg)
        bytes += (2 * s * h1 * batch) * (1 - f.hg)
        return gb(bytes)
    }

    func cpuDecode(_ f: Fractions) -> LinearExpression {
        let sn = s + n
        var bytes: LinearExpression = (wi * l) * f.wc
        bytes += (2 * h1 * bls) * f.hc
        bytes += (sn * kv * bls * l) * f.cc
        bytes += wi * f.wn
        bytes += (4 * h1 * batch) * f.hn
        bytes += (2 * sn * kv * batch) * f.cn
        bytes += 2 * nh * sn * batch + 2 * h1 * batch
        return gb(bytes)
    }

    func disk(_ f: Fractions) -> LinearExpression {
        var bytes: LinearExpression = (wi * l) * f.wn
        bytes += (2 * s * h1 * bls) * f.hn
        bytes += ((s + n) * kv * bls * l) * f.cn
        return gb(bytes)
    }
}

