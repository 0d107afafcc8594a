import Offload
import Units

/// What ``Planner/offload(configAt:options:)`` runs: the names are
/// `stowage offload`'s options in camelCase (`--gpu-mem 16GiB --gbs 48`
/// is `gpuMem: 16 << 30, gbs: 48`) and the C API's keys, checked in one
/// place (``check()``) before any arithmetic, as ``RematOptions`` are for
/// `stowage remat`. Errors name the key (`options: gbs: ...`); the CLI
/// prints it as its flag (`--gbs: ...`).
public struct OffloadOptions: Sendable {
    /// Which model of the placement runs.
    public enum Mode: String, Sendable, CaseIterable, Codable {
        /// FlexGen's LP: fractions of weights, KV cache and activations per
        /// tier (GPU, CPU, disk), its byte counts for OPT models.
        case flexgen
        /// Byte counts from the architecture (gated FFN, grouped-query
        /// attention) and whole tensors per layer over every tier of the
        /// profile (a MILP per batch shape), with the relaxation's and the
        /// MILP's bounds; the block plan is always simulated and verified.
        case exact
    }

    /// A hardware profile: a JSON file, or a built-in name (`t4`, ...).
    public var hardware: String
    /// Prompt length s and generated tokens n (1…2^20).
    public var prompt: Int
    public var gen: Int
    /// Tier capacities in bytes; nil: the profile's.
    public var gpuMem: Int?
    public var cpuMem: Int?
    /// The profile's last tier (disk).
    public var disk: Int?
    /// GPU batch size and GPU batches per block (1…16384); with both the
    /// one shape is solved, with `gbs` alone the search stops at it.
    public var gbs: Int?
    public var nb: Int?
    /// Fixed percentages WG WC CG CC HG HC (FlexGen mode, with gbs and
    /// nb): the policy is evaluated, not searched; empty: searched.
    public var percent: [Double]
    /// α on every capacity (0.001…2); nil: 0.8 for a search, 1.2 for a
    /// fixed policy (FlexGen's).
    public var alpha: Double?
    /// Weights, or (exact mode) the KV cache, compressed to 4 bits.
    public var compressWeights: Bool
    public var compressCache: Bool
    public var mode: Mode
    /// Simulate and verify FlexGen's rounding of the policy as a block plan
    /// too (always done in exact mode); a policy whose simulated peaks
    /// break a capacity is refused.
    public var simulate: Bool
    /// Wall-clock seconds for the whole call, reading the files included
    /// (up to 10^6); the best policy found and checked by then is returned.
    public var timeLimit: Double?

    public init(hardware: String = "t4", prompt: Int = 512, gen: Int = 32, gpuMem: Int? = nil, cpuMem: Int? = nil,
                disk: Int? = nil, gbs: Int? = nil, nb: Int? = nil, percent: [Double] = [], alpha: Double? = nil,
                compressWeights: Bool = false, compressCache: Bool = false, mode: Mode = .flexgen,
                simulate: Bool = false, timeLimit: Double? = nil) {
        self.hardware = hardware
        self.prompt = prompt
        self.gen = gen
        self.gpuMem = gpuMem
        self.cpuMem = cpuMem
        self.disk = disk
        self.gbs = gbs
        self.nb = nb
        self.percent = percent
        self.alpha = alpha
        self.compressWeights = compressWeights
        self.compressCache = compressCache
        self.mode = mode
        self.simulate = simulate
        self.timeLimit = timeLimit
    }

    /// The pinned fractions of ``percent``, nil for a search.
    var pinned: PinnedFractions? { percent.isEmpty ? nil : PinnedFractions(percentages: percent) }

    /// A tier size in the one byte grammar (`"16GiB"`, `"200GB"`, plain
    /// bytes), at most the 2^60 bytes a tier may have; errors name `key`.
    public static func size(_ text: String, key: String) throws(StowageError) -> Int {
        let bytes: Int
        do {
            bytes = try Units.ByteCount.parse(text)
        } catch {
            throw .badInput(source: "options", location: key, reason: error.description)
        }
        try checkSize(bytes, key: key, text: "'\(text)'")
        return bytes
    }

    static func checkSize(_ bytes: Int, key: String, text: String? = nil) throws(StowageError) {
        guard bytes >= 0, bytes <= OffloadLimits.maximumCapacity else {
            throw .badInput(source: "options", location: key,
                            reason: "\(text ?? String(bytes)) is not a size from 0 to the 2^60 bytes a tier may have")
        }
    }

    /// The first option out of its documented range, or two that do not go
    /// together, as a bad-input error naming the key.
    public func check() throws(StowageError) {
        func fail(_ key: String, _ reason: String) -> StowageError { .badInput(source: "options", location: key, reason: reason) }
        let tokens = 1 ... OffloadLimits.maximumTokens
        if !tokens.contains(prompt) { throw fail("prompt", "must be 1 to \(OffloadLimits.maximumTokens), got \(prompt)") }
        if !tokens.contains(gen) { throw fail("gen", "must be 1 to \(OffloadLimits.maximumTokens), got \(gen)") }
        if let gbs, !(1 ... OffloadLimits.maximumBatchSize).contains(gbs) {
            throw fail("gbs", "must be 1 to \(OffloadLimits.maximumBatchSize), got \(gbs)")
        }
        if let nb, !(1 ... OffloadLimits.maximumBatches).contains(nb) {
            throw fail("nb", "must be 1 to \(OffloadLimits.maximumBatches), got \(nb)")
        }
        if nb != nil && gbs == nil { throw fail("nb", "needs gbs (the GPU batch size) too") }
        if let alpha, !OffloadLimits.alphaRange.contains(alpha) {
            throw fail("alpha", "must be a number from \(OffloadLimits.alphaRange.lowerBound) to \(OffloadLimits.alphaRange.upperBound), got \(alpha)")
        }
        if let timeLimit, !(timeLimit > 0 && timeLimit <= OffloadLimits.maximumSeconds) {
            throw fail("timeLimit", "must be a number of seconds above 0 and at most 10^6, got \(timeLimit)")
        }
        for (key, bytes) in [("gpuMem", gpuMem), ("cpuMem", cpuMem), ("disk", disk)] {
            if let bytes { try Self.checkSize(bytes, key: key) }
        }
        if !percent.isEmpty {
            guard pinned != nil else {
                throw fail("percent", "takes six percentages WG WC CG CC HG HC, each 0 to 100, each pair summing to at most 100")
            }
            guard gbs != nil, nb != nil else { throw fail("percent", "needs gbs and nb") }
        }
        if mode == .exact && !percent.isEmpty {
            throw fail("percent", "fixes fractions FlexGen's way; exact mode places whole tensors (drop percent or use mode flexgen)")
        }
        if mode == .flexgen && compressCache {
            throw fail("compressCache", "needs mode exact (FlexGen's LP does not model a compressed cache)")
        }
    }
}
