/// Link bandwidths and compute rates of one machine, as FlexGen's cost
/// model uses them. Bandwidths are in GB/s and rates in T/s, with
/// GB = 2^30 bytes and T = 10^12, the units FlexGen's constants are given in.
public struct HardwareProfile: Sendable, Codable, Equatable {
    public var name: String
    /// Where the numbers come from (a paper, a datasheet, a measurement).
    public var source: String?
    /// Where each number comes from, by key (profiles besides FlexGen's T4).
    public var sources: [String: String]?

    public var gpuMemoryGB: Double
    public var cpuMemoryGB: Double
    public var diskGB: Double

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

    public init(
        name: String, source: String? = nil, gpuMemoryGB: Double, cpuMemoryGB: Double, diskGB: Double,
        cpuToGpuGBps: Double, gpuToCpuCacheGBps: Double, gpuToCpuHiddenGBps: Double, diskToCpuGBps: Double,
        cpuToDiskCachePrefillGBps: Double, cpuToDiskHiddenPrefillGBps: Double, cpuToDiskDecodeGBps: Double,
        matmulPrefillTflops: Double, matmulDecodeTflops: Double, batchedMatmulPrefillTflops: Double,
        batchedMatmulDecodeTflops: Double, cpuTflops: Double, cpuCorrection: [Double]
    ) {
        self.name = name
        self.source = source
        self.gpuMemoryGB = gpuMemoryGB
        self.cpuMemoryGB = cpuMemoryGB
        self.diskGB = diskGB
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

    /// FlexGen's defaults, fitted on a cloud T4 with 16 GB of GPU memory,
    /// 200 GB of CPU memory and 1.5 TB of disk.
    public static let t4 = HardwareProfile(
        name: "t4", source: "FlexGen (Sheng et al., ICML 2023) cost-model defaults, fitted on a GCP T4 VM",
        gpuMemoryGB: 16, cpuMemoryGB: 200, diskGB: 1500,
        cpuToGpuGBps: 12.89, gpuToCpuCacheGBps: 0.97, gpuToCpuHiddenGBps: 4.82, diskToCpuGBps: 0.473,
        cpuToDiskCachePrefillGBps: 0.746, cpuToDiskHiddenPrefillGBps: 2.015, cpuToDiskDecodeGBps: 2.015,
        matmulPrefillTflops: 21.24, matmulDecodeTflops: 4.3, batchedMatmulPrefillTflops: 9.97,
        batchedMatmulDecodeTflops: 0.079, cpuTflops: 0.0123, cpuCorrection: [0.0168, 0.0328, 0.0621]
    )

    /// Problems that make the profile unusable, or nil.
    public func validationError() -> String? {
        let positive: [(String, Double)] = [
            ("cpuToGpuGBps", cpuToGpuGBps), ("gpuToCpuCacheGBps", gpuToCpuCacheGBps),
            ("gpuToCpuHiddenGBps", gpuToCpuHiddenGBps), ("diskToCpuGBps", diskToCpuGBps),
            ("cpuToDiskCachePrefillGBps", cpuToDiskCachePrefillGBps),
            ("cpuToDiskHiddenPrefillGBps", cpuToDiskHiddenPrefillGBps), ("cpuToDiskDecodeGBps", cpuToDiskDecodeGBps),
            ("matmulPrefillTflops", matmulPrefillTflops), ("matmulDecodeTflops", matmulDecodeTflops),
            ("batchedMatmulPrefillTflops", batchedMatmulPrefillTflops),
            ("batchedMatmulDecodeTflops", batchedMatmulDecodeTflops), ("cpuTflops", cpuTflops),
        ]
        for (key, value) in positive where !(value > 0 && value.isFinite) {
            return "\(key) must be a positive number, got \(value)"
        }
        for (key, value) in [("gpuMemoryGB", gpuMemoryGB), ("cpuMemoryGB", cpuMemoryGB), ("diskGB", diskGB)]
        where !(value >= 0 && value.isFinite) {
            return "\(key) must be a non-negative number, got \(value)"
        }
        if cpuCorrection.count != 3 || cpuCorrection.contains(where: { !$0.isFinite }) {
            return "cpuCorrection must hold three numbers (c1, c2, c3)"
        }
        return nil
    }
}

/// GB (2^30 bytes) and T (10^12) as FlexGen's constants use them.
enum Units {
    static let gigabyte = 1_073_741_824.0
    static let tera = 1e12
}
