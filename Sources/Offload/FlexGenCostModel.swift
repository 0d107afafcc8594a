import Foundation
import MILP

/// FlexGen's cost model for one batch shape (gbs, nb), written as linear
/// expressions over the nine placement fractions: the per-layer prefill and
/// decode link and compute times, and the bytes each tier holds. See
/// shared/specs/offload-lp.md; symbols follow it (s, n, l, h1, h2, nh, wi, bls).
///
/// Memory expressions are in GB (2^30 bytes) so that the LP's rows are of
/// similar magnitude to its time rows; times are in seconds.
struct FlexGenCostModel {
    let shape: TransformerShape
    let hardware: HardwareProfile
    let workload: OffloadWorkload
    let gbs: Int
    let nb: Int

    /// The fraction variables of one LP.
    struct Fractions {
        let wg, wc, wn, cg, cc, cn, hg, hc, hn: Variable
    }

    var s: Double { Double(workload.promptLength) }
    var n: Double { Double(workload.generatedTokens) }
    var l: Double { Double(shape.layers) }
    var h1: Double { Double(shape.hidden) }
    var h2: Double { Double(shape.ffn) }
    var nh: Double { Double(shape.heads) }
    var bls: Double { Double(gbs * nb) }
    var batch: Double { Double(gbs) }
    var wi: Double { shape.flexGenLayerWeightBytes(compressed: workload.compressWeights) }

    private func bandwidth(_ gbps: Double) -> Double { gbps * Units.gigabyte }
    private func rate(_ tflops: Double) -> Double { tflops * Units.tera }

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
        (4 * (s + 1) * h1 * bls / bandwidth(hardware.gpuToCpuCacheGBps)) * (f.cc + f.cn)
            + (2 * s * h1 * bls / bandwidth(hardware.gpuToCpuHiddenGBps)) * (f.hc + f.hn)
    }

    func prefillDiskToCpu(_ f: Fractions) -> LinearExpression {
        (wi / bandwidth(hardware.diskToCpuGBps)) * f.wn + (2 * s * h1 * bls / bandwidth(hardware.diskToCpuGBps)) * f.hn
    }

    func prefillCpuToDisk(_ f: Fractions) -> LinearExpression {
        (4 * bls * (s + 1) * h1 / bandwidth(hardware.cpuToDiskCachePrefillGBps)) * f.cn
            + (2 * s * h1 * bls / bandwidth(hardware.cpuToDiskHiddenPrefillGBps)) * f.hn
    }

    var prefillCompute: Double {
        bls * (8 * s * h1 * h1 + 4 * s * h1 * h2) / rate(hardware.matmulPrefillTflops)
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
        return (4 * bls * (s + n / 2) * h1 / d) * f.cn + (2 * h1 * bls / d) * f.hn + (wi / (0.95 * d)) * f.wn
    }

    func decodeCpuToDisk(_ f: Fractions) -> LinearExpression {
        let d = bandwidth(hardware.cpuToDiskDecodeGBps)
        return (4 * bls * h1 / d) * f.cn + (2 * h1 * bls / d) * f.hn
    }

    func decodeCompute(_ f: Fractions) -> LinearExpression {
        let attention = 4 * bls * (s + n / 2) * h1
        return (attention / rate(hardware.batchedMatmulDecodeTflops)) * f.cg
            + (attention / cpuRate) * (f.cc + f.cn)
            + bls * (8 * h1 * h1 + 4 * h1 * h2) / rate(hardware.matmulDecodeTflops)
    }

    // MARK: Memory, in GB

    private func gb(_ e: LinearExpression) -> LinearExpression { e * (1 / Units.gigabyte) }

    func gpuPrefill(_ f: Fractions) -> LinearExpression {
        var bytes: LinearExpression = (wi * l) * f.wg
        bytes += (2 * s * h1 * bls) * f.hg
        bytes += (4 * (s + n) * h1 * bls * l) * f.cg
        bytes += (2 * wi) * (1 - f.wg)
        bytes += (2 * s * h1 * batch) * (1 - f.hg)
        let perSequence: Double = 8 * s * h1 + 2 * s * h1 + 2 * nh * s * s + 2 * s * h1 + 4 * s * h1 + 2 * s * h2 + 2 * s * h1
        bytes += batch * perSequence
        return gb(bytes)
    }

    func gpuDecode(_ f: Fractions) -> LinearExpression {
        let sn = s + n
        var home: LinearExpression = (wi * l) * f.wg
        home += (2 * h1 * bls) * f.hg
        home += (4 * sn * h1 * bls * l) * f.cg
        var working: LinearExpression = (2 * wi) * (1 - f.wg)
        working += (2 * h1 * batch) * (1 - f.hg)
        working += (4 * batch * sn * h1) * f.cg
        let attentionScratch: Double = batch * (2 * h1 + 2 * sn * h1 + 2 * nh * sn)
        let cacheScratch: Double = batch * (2 * sn * h1 + 2 * h1)
        working += attentionScratch * f.cg
        working += cacheScratch * f.cg
        let fixed: Double = 8 * batch * h1 + 4 * batch * h1 + 2 * batch * h2 + 2 * batch * h1
        working += fixed
        return gb(home + working)
    }

    func cpuPrefill(_ f: Fractions) -> LinearExpression {
        var bytes: LinearExpression = (wi * l) * f.wc
        bytes += (2 * s * h1 * bls) * f.hc
        bytes += (4 * s * h1 * bls * l) * f.cc
        bytes += wi * (1 - f.wg)
        bytes += (2 * s * h1 * batch) * (1 - f.hg)
        return gb(bytes)
    }

    func cpuDecode(_ f: Fractions) -> LinearExpression {
        let sn = s + n
        var bytes: LinearExpression = (wi * l) * f.wc
        bytes += (2 * h1 * bls) * f.hc
        bytes += (4 * sn * h1 * bls * l) * f.cc
        bytes += wi * f.wn
        bytes += (4 * h1 * batch) * f.hn
        bytes += (8 * sn * h1 * batch) * f.cn
        bytes += 2 * nh * sn * batch + 2 * h1 * batch
        return gb(bytes)
    }

    func disk(_ f: Fractions) -> LinearExpression {
        var bytes: LinearExpression = (wi * l) * f.wn
        bytes += (2 * s * h1 * bls) * f.hn
        bytes += (4 * (s + n) * h1 * bls * l) * f.cn
        return gb(bytes)
    }
}

