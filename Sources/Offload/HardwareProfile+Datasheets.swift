/// Profiles for GPUs FlexGen never measured, derived from its T4 fit and
/// vendor datasheets: each fitted T4 constant is scaled by the ratio of the
/// datasheet figure that bounds it on the new GPU to the same figure on the
/// T4, i.e. the T4's achieved fraction of peak is assumed to carry over.
///
/// - CPU↔GPU links scale with the PCIe generation (x16 per direction:
///   gen3 15.75, gen4 31.5, gen5 63 GB/s);
/// - prefill matmul and batched matmul (compute-bound) scale with dense
///   fp16 tensor-core peak;
/// - decode matmul and batched matmul (memory-bound at small batch) scale
///   with device memory bandwidth;
/// - disk, CPU attention and the CPU correction are properties of the host,
///   not the GPU: FlexGen's T4 host figures are kept, as an assumption.
extension HardwareProfile {
    /// The datasheet figures a profile is derived from.
    public struct Datasheet: Sendable {
        public var name: String
        /// GiB (2^30 bytes), as vendors count GPU memory.
        public var gpuMemoryGiB: Int
        /// Device memory bandwidth, GB/s (10^9).
        public var memoryBandwidth: Double
        /// Host link, GB/s (10^9) per direction.
        public var pcie: Double
        /// Dense fp16 tensor-core peak, T/s.
        public var tensorTflops: Double
        public var cpuMemoryGiB: Int
        public var diskGiB: Int
        public var citations: [String: String]
    }

    /// The T4 figures FlexGen's constants were fitted on (NVIDIA T4 datasheet).
    static let t4Datasheet = (memoryBandwidth: 320.0, pcie: 15.75, tensorTflops: 65.0)

    /// A profile derived from `sheet` by scaling FlexGen's T4 constants.
    /// O(1).
    public static func derived(from sheet: Datasheet) -> HardwareProfile {
        let base = HardwareProfile.t4
        let link = sheet.pcie / t4Datasheet.pcie
        let compute = sheet.tensorTflops / t4Datasheet.tensorTflops
        let memory = sheet.memoryBandwidth / t4Datasheet.memoryBandwidth
        func r(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
        var profile = base
        profile.name = sheet.name
        profile.source = "Derived: FlexGen's T4 fit scaled by datasheet ratios to the T4 (PCIe \(t4Datasheet.pcie) GB/s, "
            + "\(Int(t4Datasheet.memoryBandwidth)) GB/s GDDR6, \(Int(t4Datasheet.tensorTflops)) TFLOPS fp16 tensor); "
            + "see sources per key. GB = 2^30 bytes in rates, T = 10^12."
        profile.gpuMemory = sheet.gpuMemoryGiB << 30
        profile.cpuMemory = sheet.cpuMemoryGiB << 30
        profile.disk = sheet.diskGiB << 30
        profile.cpuToGpuGBps = r(base.cpuToGpuGBps * link)
        profile.gpuToCpuCacheGBps = r(base.gpuToCpuCacheGBps * link)
        profile.gpuToCpuHiddenGBps = r(base.gpuToCpuHiddenGBps * link)
        profile.matmulPrefillTflops = r(base.matmulPrefillTflops * compute)
        profile.batchedMatmulPrefillTflops = r(base.batchedMatmulPrefillTflops * compute)
        profile.matmulDecodeTflops = r(base.matmulDecodeTflops * memory)
        profile.batchedMatmulDecodeTflops = r(base.batchedMatmulDecodeTflops * memory)
        let pcieNote = "T4 fit × \(sheet.pcie)/\(t4Datasheet.pcie) (PCIe x16 per direction; \(sheet.citations["pcie"] ?? ""))"
        let tensorNote = "T4 fit × \(sheet.tensorTflops)/\(t4Datasheet.tensorTflops) (dense fp16 tensor TFLOPS; \(sheet.citations["tensor"] ?? ""))"
        let memoryNote = "T4 fit × \(sheet.memoryBandwidth)/\(t4Datasheet.memoryBandwidth) (memory GB/s; \(sheet.citations["memory"] ?? ""))"
        let host = "assumption: FlexGen's T4 host figure kept (a host property, no GPU datasheet applies)"
        profile.sources = [
            "gpuMemory": sheet.citations["gpuMemory"] ?? "",
            "cpuMemory": sheet.citations["cpuMemory"] ?? "",
            "disk": sheet.citations["disk"] ?? "",
            "cpuToGpuGBps": pcieNote, "gpuToCpuCacheGBps": pcieNote, "gpuToCpuHiddenGBps": pcieNote,
            "matmulPrefillTflops": tensorNote, "batchedMatmulPrefillTflops": tensorNote,
            "matmulDecodeTflops": memoryNote, "batchedMatmulDecodeTflops": memoryNote,
            "diskToCpuGBps": host, "cpuToDiskCachePrefillGBps": host, "cpuToDiskHiddenPrefillGBps": host,
            "cpuToDiskDecodeGBps": host, "cpuTflops": host, "cpuCorrection": host,
        ]
        return profile
    }

    static let a100Sheet = "NVIDIA A100 Tensor Core GPU datasheet (2021): "
    static let gcpA2 = "Google Cloud accelerator-optimized machine types (A2): "

    public static let a100_40gb = derived(from: Datasheet(
        name: "a100-40gb", gpuMemoryGiB: 40, memoryBandwidth: 1555, pcie: 31.5, tensorTflops: 312,
        cpuMemoryGiB: 85, diskGiB: 1500,
        citations: ["gpuMemory": a100Sheet + "40 GB HBM2 (SXM)", "memory": a100Sheet + "1,555 GB/s",
                    "pcie": a100Sheet + "PCIe Gen4 64 GB/s bidirectional", "tensor": a100Sheet + "FP16 Tensor Core 312 TFLOPS (624 with sparsity)",
                    "cpuMemory": gcpA2 + "a2-highgpu-1g, 85 GB", "disk": "assumption: FlexGen's 1.5 TB (1500 GiB)"]))

    public static let a100_80gb = derived(from: Datasheet(
        name: "a100-80gb", gpuMemoryGiB: 80, memoryBandwidth: 2039, pcie: 31.5, tensorTflops: 312,
        cpuMemoryGiB: 170, diskGiB: 1500,
        citations: ["gpuMemory": a100Sheet + "80 GB HBM2e (SXM)", "memory": a100Sheet + "2,039 GB/s (SXM)",
                    "pcie": a100Sheet + "PCIe Gen4 64 GB/s bidirectional", "tensor": a100Sheet + "FP16 Tensor Core 312 TFLOPS (624 with sparsity)",
                    "cpuMemory": gcpA2 + "a2-ultragpu-1g, 170 GB", "disk": "assumption: FlexGen's 1.5 TB (1500 GiB)"]))

    public static let h100_80gb = derived(from: Datasheet(
        name: "h100-80gb", gpuMemoryGiB: 80, memoryBandwidth: 3350, pcie: 63, tensorTflops: 989.4,
        cpuMemoryGiB: 234, diskGiB: 1500,
        citations: ["gpuMemory": "NVIDIA H100 Tensor Core GPU datasheet: 80 GB HBM3 (SXM)",
                    "memory": "NVIDIA H100 datasheet: 3.35 TB/s (SXM)",
                    "pcie": "NVIDIA H100 datasheet: PCIe Gen5 128 GB/s bidirectional",
                    "tensor": "NVIDIA H100 datasheet: FP16 Tensor Core 1,979 TFLOPS with sparsity, 989.4 dense (SXM)",
                    "cpuMemory": "Google Cloud A3: a3-highgpu-1g, 234 GB", "disk": "assumption: FlexGen's 1.5 TB (1500 GiB)"]))

    public static let rtx4090 = derived(from: Datasheet(
        name: "rtx4090", gpuMemoryGiB: 24, memoryBandwidth: 1008, pcie: 31.5, tensorTflops: 165.2,
        cpuMemoryGiB: 128, diskGiB: 1500,
        citations: ["gpuMemory": "NVIDIA GeForce RTX 4090 specifications: 24 GB GDDR6X",
                    "memory": "NVIDIA Ada Lovelace architecture whitepaper (RTX 4090): 1,008 GB/s",
                    "pcie": "NVIDIA RTX 4090 specifications: PCIe Gen4 x16",
                    "tensor": "NVIDIA Ada whitepaper: RTX 4090 FP16 Tensor TFLOPS with FP32 accumulate 165.2 dense (330.4 with sparsity)",
                    "cpuMemory": "assumption: a 128 GB workstation", "disk": "assumption: FlexGen's 1.5 TB (1500 GiB)"]))

    /// Profiles `--hardware` accepts by name.
    public static let builtIn: [String: HardwareProfile] = [
        "t4": .t4, "a100-40gb": .a100_40gb, "a100-80gb": .a100_80gb, "h100-80gb": .h100_80gb, "rtx4090": .rtx4090,
    ]
}
