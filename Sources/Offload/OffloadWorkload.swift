/// What is run and on how much memory: prompt and generation lengths, the
/// capacities of the three tiers, and FlexGen's relaxation α on them.
public struct OffloadWorkload: Sendable, Equatable {
    /// s: prompt tokens.
    public var promptLength: Int
    /// n: generated tokens.
    public var generatedTokens: Int
    public var gpuBytes: Double
    public var cpuBytes: Double
    public var diskBytes: Double
    /// α: capacities are multiplied by it (0.8 in the search, 1.2 when a
    /// fixed policy is evaluated, as FlexGen does).
    public var alpha: Double
    /// Weights compressed to 4 bits.
    public var compressWeights: Bool

    public init(promptLength: Int = 512, generatedTokens: Int = 32, gpuBytes: Double, cpuBytes: Double,
                diskBytes: Double, alpha: Double = 0.8, compressWeights: Bool = false) {
        self.promptLength = promptLength
        self.generatedTokens = generatedTokens
        self.gpuBytes = gpuBytes
        self.cpuBytes = cpuBytes
        self.diskBytes = diskBytes
        self.alpha = alpha
        self.compressWeights = compressWeights
    }

    /// The spec's reference workload: s = 512, n = 32, 16 / 200 / 1500 GB.
    public static func reference(alpha: Double) -> OffloadWorkload {
        OffloadWorkload(gpuBytes: 16 * Units.gigabyte, cpuBytes: 200 * Units.gigabyte,
                        diskBytes: 1500 * Units.gigabyte, alpha: alpha)
    }

    public func validationError() -> String? {
        if promptLength <= 0 { return "prompt length must be positive" }
        if generatedTokens <= 0 { return "generated tokens must be positive" }
        if !(alpha > 0 && alpha.isFinite) { return "alpha must be a positive number" }
        for (name, bytes) in [("GPU", gpuBytes), ("CPU", cpuBytes), ("disk", diskBytes)] where !(bytes >= 0 && bytes.isFinite) {
            return "\(name) memory must be a non-negative size"
        }
        return nil
    }
}
