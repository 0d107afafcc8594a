/// The documented ranges of every number the offload planners accept from
/// a user (options, model configs, hardware profiles). Inputs are checked
/// against them before any arithmetic, so that no product of them can
/// overflow an `Int` and no LP coefficient reaches magnitudes the simplex
/// codes cannot handle (a compute rate of 1e-300 T/s makes a coefficient
/// of 1e300, which aborts GLPK).
public enum OffloadLimits {
    /// GPU batch size and GPU batches per block: 1 … 2^14 each.
    public static let maximumBatchSize = 1 << 14
    public static let maximumBatches = 1 << 14
    /// Prompt and generated tokens: 1 … 2^20 each.
    public static let maximumTokens = 1 << 20
    /// α, the relaxation on every capacity: (0, 2].
    public static let alphaRange: ClosedRange<Double> = 1e-3 ... 2
    /// Capacities: 0 … 2^60 bytes (1 EiB).
    public static let maximumCapacity = 1 << 60
    /// Link bandwidths in GB/s (2^30 B/s) and compute rates in T/s (10^12/s): 10^-6 … 10^6.
    public static let rateRange: ClosedRange<Double> = 1e-6 ... 1e6
    /// FlexGen's CPU correction coefficients c1, c2, c3: −100 … 100.
    public static let correctionRange: ClosedRange<Double> = -100 ... 100
    /// Tiers in a profile: 2 … 8 (the GPU, the host, up to six more).
    public static let tierCount = 2 ... 8
    /// Points in a chunk-size bandwidth curve: 1 … 64; chunks 1 B … 2^40 B.
    public static let curvePoints = 1 ... 64
    public static let maximumChunk = 1 << 40
    /// Model shape: layers ≤ 10,000, hidden ≤ 2^20, FFN ≤ 2^22, heads ≤ hidden,
    /// vocabulary and positions ≤ 2^24.
    public static let maximumLayers = 10_000
    public static let maximumHidden = 1 << 20
    public static let maximumFFN = 1 << 22
    public static let maximumVocabulary = 1 << 24
    /// Operators (layers × GPU batches) of a block plan the simulation
    /// builds: at most 2^18, so that a plan and its replay stay within a
    /// few hundred megabytes. Larger shapes are not simulated (exact mode
    /// rejects them; `--simulate` refuses them up front).
    public static let maximumBlockOperators = 1 << 18
    /// Time limits: 0 … 10^6 s.
    public static let maximumSeconds = 1e6

    /// The problem with `value` as a rate (GB/s or T/s) named `field`, or nil.
    static func rateProblem(_ field: String, _ value: Double) -> String? {
        rateRange.contains(value) ? nil
            : "\(field) must be a number from \(rateRange.lowerBound) to \(rateRange.upperBound), got \(value)"
    }

    /// The problem with `value` as a capacity in bytes named `field`, or nil.
    static func capacityProblem(_ field: String, _ value: Int) -> String? {
        (0 ... maximumCapacity).contains(value) ? nil
            : "\(field) must be a size from 0 to 2^60 bytes, got \(value)"
    }
}
