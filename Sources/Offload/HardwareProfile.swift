import Foundation
import Units

/// Link bandwidths, compute rates and memory sizes of one machine.
///
/// Two ways to describe the memories and links in a profile file:
/// - FlexGen's: three tiers (GPU, CPU, disk) with its seven link constants
///   (`cpuToGpuGBps`, `gpuToCpuCacheGBps`, …) and the sizes `gpuMemory`,
///   `cpuMemory`, `disk`;
/// - a chain of tiers (`tiers`): the GPU, the host (CPU memory) and any
///   further tiers (CXL memory, NVMe, a second disk), each with a capacity
///   and the bandwidths of the link to the tier it hangs from (``TierSpec``);
///   FlexGen's three tiers are one case, and FlexGen's constants are
///   derived from the chain (the host link and the last tier's path).
///
/// Bandwidths are in GB/s and rates in T/s, with GB = 2^30 bytes and
/// T = 10^12, the units FlexGen's constants are given in. Sizes use the
/// one byte-size grammar (`Units.ByteCount`): `"16GiB"` is 16·2^30 bytes,
/// `"16GB"` is 16·10^9 (FlexGen's "16 GB" GPU is `16GiB`), a plain integer
/// is bytes. Every number is range-checked (``OffloadLimits``).
public struct HardwareProfile: Sendable, Equatable {
    public var name: String
    /// Where the numbers come from (a paper, a datasheet, a measurement).
    public var source: String?
    /// Where each number comes from, by key.
    public var sources: [String: String]?

    /// Capacities in bytes.
    public var gpuMemory: Int
    public var cpuMemory: Int
    public var disk: Int

    /// CPU → GPU.
    public var cpuToGpuGBps: Double
    /// GPU → CPU when moving KV cache, and when moving hidden states.
    public var gpuToCpuCacheGBps: Double
    public var gpuToCpuHiddenGBps: Double
    /// Disk → CPU.
    public var diskToCpuGBps: Double
    /// CPU → disk during prefill (cache, hidden) and during decode.
    public var cpuToDiskCachePrefillGBps: Double
    public var cpuToDiskHiddenPrefillGBps: Double
    public var cpuToDiskDecodeGBps: Double

    /// GPU matrix multiply, prefill and decode; batched matmul (attention), prefill and decode.
    public var matmulPrefillTflops: Double
    public var matmulDecodeTflops: Double
    public var batchedMatmulPrefillTflops: Double
    public var batchedMatmulDecodeTflops: Double
    /// CPU attention rate and the three coefficients of its batch/width correction.
    public var cpuTflops: Double
    public var cpuCorrection: [Double]

    /// The chain of tiers when the profile gives one; nil for FlexGen's
    /// three tiers described by the fields above.
    public var tiers: [TierSpec]?

    public init(
        name: String, source: String? = nil, gpuMemory: Int, cpuMemory: Int, disk: Int,
        cpuToGpuGBps: Double, gpuToCpuCacheGBps: Double, gpuToCpuHiddenGBps: Double, diskToCpuGBps: Double,
        cpuToDiskCachePrefillGBps: Double, cpuToDiskHiddenPrefillGBps: Double, cpuToDiskDecodeGBps: Double,
        matmulPrefillTflops: Double, matmulDecodeTflops: Double, batchedMatmulPrefillTflops: Double,
        batchedMatmulDecodeTflops: Double, cpuTflops: Double, cpuCorrection: [Double]
    ) {
        self.name = name
        self.source = source
        self.gpuMemory = gpuMemory
        self.cpuMemory = cpuMemory
        self.disk = disk
        self.cpuToGpuGBps = cpuToGpuGBps
        self.gpuToCpuCacheGBps = gpuToCpuCacheGBps
        self.gpuToCpuHiddenGBps = gpuToCpuHiddenGBps
        self.diskToCpuGBps = diskToCpuGBps
        self.cpuToDiskCachePrefillGBps = cpuToDiskCachePrefillGBps
        self.cpuToDiskHiddenPrefillGBps = cpuToDiskHiddenPrefillGBps
        self.cpuToDiskDecodeGBps = cpuToDiskDecodeGBps
        self.matmulPrefillTflops = matmulPrefillTflops
        self.matmulDecodeTflops = matmulDecodeTflops
        self.batchedMatmulPrefillTflops = batchedMatmulPrefillTflops
        self.batchedMatmulDecodeTflops = batchedMatmulDecodeTflops
        self.cpuTflops = cpuTflops
        self.cpuCorrection = cpuCorrection
    }

    /// A profile described by a chain of tiers; FlexGen's three-tier
    /// constants are derived from it (``flexGenView(of:)``).
    public init(name: String, source: String? = nil, tiers: [TierSpec], matmulPrefillTflops: Double,
                matmulDecodeTflops: Double, batchedMatmulPrefillTflops: Double, batchedMatmulDecodeTflops: Double,
                cpuTflops: Double, cpuCorrection: [Double]) {
        self.init(name: name, source: source, gpuMemory: 0, cpuMemory: 0, disk: 0, cpuToGpuGBps: 1, gpuToCpuCacheGBps: 1,
                  gpuToCpuHiddenGBps: 1, diskToCpuGBps: 1, cpuToDiskCachePrefillGBps: 1, cpuToDiskHiddenPrefillGBps: 1,
                  cpuToDiskDecodeGBps: 1, matmulPrefillTflops: matmulPrefillTflops, matmulDecodeTflops: matmulDecodeTflops,
                  batchedMatmulPrefillTflops: batchedMatmulPrefillTflops, batchedMatmulDecodeTflops: batchedMatmulDecodeTflops,
                  cpuTflops: cpuTflops, cpuCorrection: cpuCorrection)
        self.tiers = tiers
        if validationError() == nil { applyFlexGenView() }
    }

    /// FlexGen's defaults, fitted on a cloud T4 with 16 GB of GPU memory,
    /// 200 GB of CPU memory and 1.5 TB of disk (GB = 2^30 bytes).
    public static let t4 = HardwareProfile(
        name: "t4", source: "FlexGen (Sheng et al., ICML 2023) cost-model defaults, fitted on a GCP T4 VM",
        gpuMemory: 16 << 30, cpuMemory: 200 << 30, disk: 1500 << 30,
        cpuToGpuGBps: 12.89, gpuToCpuCacheGBps: 0.97, gpuToCpuHiddenGBps: 4.82, diskToCpuGBps: 0.473,
        cpuToDiskCachePrefillGBps: 0.746, cpuToDiskHiddenPrefillGBps: 2.015, cpuToDiskDecodeGBps: 2.015,
        matmulPrefillTflops: 21.24, matmulDecodeTflops: 4.3, batchedMatmulPrefillTflops: 9.97,
        batchedMatmulDecodeTflops: 0.079, cpuTflops: 0.0123, cpuCorrection: [0.0168, 0.0328, 0.0621]
    )

    /// The FlexGen link constants, by key (calibration and error messages use the keys).
    static let flexGenLinkKeys = [
        "cpuToGpuGBps", "gpuToCpuCacheGBps", "gpuToCpuHiddenGBps", "diskToCpuGBps",
        "cpuToDiskCachePrefillGBps", "cpuToDiskHiddenPrefillGBps", "cpuToDiskDecodeGBps",
    ]
    static let computeKeys = ["matmulPrefillTflops", "matmulDecodeTflops", "batchedMatmulPrefillTflops",
                              "batchedMatmulDecodeTflops", "cpuTflops"]
    static let sizeKeys = ["gpuMemory", "cpuMemory", "disk"]

    /// Problems that make the profile unusable (the first, naming its
    /// field), or nil. Every number is checked against ``OffloadLimits``.
    public func validationError() -> String? {
        if name.isEmpty { return "name must not be empty" }
        let compute: [(String, Double)] = [
            ("matmulPrefillTflops", matmulPrefillTflops), ("matmulDecodeTflops", matmulDecodeTflops),
            ("batchedMatmulPrefillTflops", batchedMatmulPrefillTflops),
            ("batchedMatmulDecodeTflops", batchedMatmulDecodeTflops), ("cpuTflops", cpuTflops),
        ]
        for (key, value) in compute { if let problem = OffloadLimits.rateProblem(key, value) { return problem } }
        if cpuCorrection.count != 3 { return "cpuCorrection must hold three numbers (c1, c2, c3), got \(cpuCorrection.count)" }
        for (i, c) in cpuCorrection.enumerated() where !OffloadLimits.correctionRange.contains(c) {
            return "cpuCorrection[\(i)] must be a number from -100 to 100, got \(c)"
        }
        if let tiers {
            return TierSpec.validationError(tiers)
        }
        let links: [(String, Double)] = [
            ("cpuToGpuGBps", cpuToGpuGBps), ("gpuToCpuCacheGBps", gpuToCpuCacheGBps),
            ("gpuToCpuHiddenGBps", gpuToCpuHiddenGBps), ("diskToCpuGBps", diskToCpuGBps),
            ("cpuToDiskCachePrefillGBps", cpuToDiskCachePrefillGBps),
            ("cpuToDiskHiddenPrefillGBps", cpuToDiskHiddenPrefillGBps), ("cpuToDiskDecodeGBps", cpuToDiskDecodeGBps),
        ]
        for (key, value) in links { if let problem = OffloadLimits.rateProblem(key, value) { return problem } }
        for (key, value) in [("gpuMemory", gpuMemory), ("cpuMemory", cpuMemory), ("disk", disk)] {
            if let problem = OffloadLimits.capacityProblem(key, value) { return problem }
        }
        return nil
    }

    /// The machine's tiers as specified: the profile's chain, or FlexGen's
    /// three tiers built from its constants (the host link's reads at
    /// ctog, writes at the hidden rate and cache writes at the cache rate;
    /// the disk's reads at dtoc, writes at the prefill hidden and cache rates).
    public var tierSpecs: [TierSpec] {
        if let tiers { return tiers }
        return [
            TierSpec(name: "gpu", capacity: gpuMemory),
            TierSpec(name: "cpu", capacity: cpuMemory, readGBps: cpuToGpuGBps, writeGBps: gpuToCpuHiddenGBps,
                     cacheWriteGBps: gpuToCpuCacheGBps),
            TierSpec(name: "disk", capacity: disk, via: "cpu", readGBps: diskToCpuGBps, writeGBps: cpuToDiskHiddenPrefillGBps,
                     cacheWriteGBps: cpuToDiskCachePrefillGBps),
        ]
    }

    /// Sets FlexGen's three-tier fields from the chain: GPU and host
    /// capacities and the host link's rates; the disk is the last tier
    /// (none with two tiers: 0 bytes, the host link's rates), reached at
    /// the slowest rate along its path to the host.
    mutating func applyFlexGenView() {
        guard let tiers, tiers.count >= 2 else { return }
        let chain = TierChain(tiers)
        gpuMemory = tiers[0].capacity
        cpuMemory = tiers[1].capacity
        let host = chain.tiers[1]
        cpuToGpuGBps = host.readGBps(chunk: host.chunk)
        gpuToCpuHiddenGBps = host.writeGBps
        gpuToCpuCacheGBps = host.cacheWriteGBps
        guard tiers.count >= 3 else {
            disk = 0
            diskToCpuGBps = cpuToGpuGBps
            cpuToDiskCachePrefillGBps = gpuToCpuCacheGBps
            cpuToDiskHiddenPrefillGBps = gpuToCpuHiddenGBps
            cpuToDiskDecodeGBps = gpuToCpuHiddenGBps
            return
        }
        let last = tiers.count - 1
        disk = tiers[last].capacity
        let below = chain.path(from: last).filter { $0 != 1 }.map { chain.tiers[$0] }
        diskToCpuGBps = below.map { $0.readGBps(chunk: $0.chunk) }.min() ?? 1
        cpuToDiskHiddenPrefillGBps = below.map(\.writeGBps).min() ?? 1
        cpuToDiskDecodeGBps = cpuToDiskHiddenPrefillGBps
        cpuToDiskCachePrefillGBps = below.map(\.cacheWriteGBps).min() ?? 1
    }
}

/// GB (2^30 bytes) and T (10^12) as FlexGen's constants use them.
enum FlexGenUnits {
    static let gigabyte = 1_073_741_824.0
    static let tera = 1e12
}
