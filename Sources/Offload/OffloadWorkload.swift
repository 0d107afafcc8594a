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
        OffloadWorkload(gpuBytes: 16 * FlexGenUnits.gigabyte, cpuBytes: 200 * FlexGenUnits.gigabyte,
                        diskBytes: 1500 * FlexGenUnits.gigabyte, alpha: alpha)
    }

    /// The first number out of its documented range (``OffloadLimits``), or nil.
    public func validationError() -> String? {
        let tokens = 1 ... OffloadLimits.maximumTokens
        if !tokens.contains(promptLength) { return "the prompt length must be 1 to \(OffloadLimits.maximumTokens) tokens, got \(promptLength)" }
        if !tokens.contains(generatedTokens) {
            return "the generated tokens must be 1 to \(OffloadLimits.maximumTokens), got \(generatedTokens)"
        }
        if !OffloadLimits.alphaRange.contains(alpha) {
            return "alpha must be a number from \(OffloadLimits.alphaRange.lowerBound) to \(OffloadLimits.alphaRange.upperBound), got \(alpha)"
        }
        for (name, bytes) in [("GPU", gpuBytes), ("CPU", cpuBytes), ("disk", diskBytes)]
        where !(bytes >= 0 && bytes <= Double(OffloadLimits.maximumCapacity)) {
            return "\(name) memory must be a size from 0 to 2^60 bytes, got \(bytes)"
        }
        return nil
    }
}
