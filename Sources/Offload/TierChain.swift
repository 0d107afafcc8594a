import Foundation

/// One memory of an offload machine as a profile gives it: a capacity and
/// the link to the tier it hangs from (`via`; the previous tier when
/// omitted). The first tier is the GPU (where layers compute; no link),
/// the second the host (CPU memory, where FlexGen runs attention over the
/// cache it holds; it hangs from the GPU), and every further tier hangs
/// from the host or from a tier after it: a chain GPU ← CPU ← NVMe is
/// FlexGen's machine, GPU ← CPU ← {CXL, NVMe} a tree with two tiers
/// behind the host. Data homed on a tier reaches the GPU over every link
/// on its path, staged in each tier between.
///
/// Reads (towards the GPU) run at `readGBps`, or at a rate that depends on
/// the size of each read request (`readCurve`, as measured for flash by
/// Alizadeh et al., "LLM in a flash", 2023: small reads are latency-bound);
/// a plan then reads in requests of `chunk` bytes (default: the curve's
/// largest chunk). Writes (away from the GPU) run at `writeGBps`, KV-cache
/// writes at `cacheWriteGBps` when given (FlexGen measured them slower).
/// GB = 2^30 bytes.
public struct TierSpec: Sendable, Equatable {
    public var name: String
    /// Bytes.
    public var capacity: Int
    /// The tier this one hangs from; nil: the previous tier (none for the GPU).
    public var via: String?
    public var readGBps: Double?
    public var readCurve: [BandwidthPoint]?
    public var writeGBps: Double?
    public var cacheWriteGBps: Double?
    /// Bytes per read request over this tier's link (curves only).
    public var chunk: Int?
    /// Where the numbers come from.
    public var source: String?

    public init(name: String, capacity: Int, via: String? = nil, readGBps: Double? = nil, readCurve: [BandwidthPoint]? = nil,
                writeGBps: Double? = nil, cacheWriteGBps: Double? = nil, chunk: Int? = nil, source: String? = nil) {
        self.name = name
        self.capacity = capacity
        self.via = via
        self.readGBps = readGBps
        self.readCurve = readCurve
        self.writeGBps = writeGBps
        self.cacheWriteGBps = cacheWriteGBps
        self.chunk = chunk
        self.source = source
    }

    /// One measured point of a read-bandwidth curve: requests of `chunk`
    /// bytes are read at `gbps` GB/s.
    public struct BandwidthPoint: Sendable, Equatable {
        public var chunk: Int
        public var gbps: Double

        public init(chunk: Int, gbps: Double) {
            self.chunk = chunk
            self.gbps = gbps
        }
    }

    /// The first problem with a chain (naming the tier and field), or nil.
    static func validationError(_ tiers: [TierSpec]) -> String? {
        guard OffloadLimits.tierCount.contains(tiers.count) else {
            return "tiers must list 2 to 8 tiers (the GPU, the host, then any others), got \(tiers.count)"
        }
        var seen: [String: Int] = [:]
        for (k, tier) in tiers.enumerated() {
            let at = "tiers[\(k)]"
            let allowed = tier.name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0" ... "9").contains($0) || $0 == "-" || $0 == "_") }
            guard !tier.name.isEmpty, tier.name.count <= 32, allowed else {
                return "\(at).name must be 1 to 32 letters, digits, - or _, got \"\(tier.name.prefix(40))\""
            }
            if seen[tier.name] != nil { return "\(at).name \"\(tier.name)\" is used twice" }
            seen[tier.name] = k
            if let problem = OffloadLimits.capacityProblem("\(at).capacity", tier.capacity) { return problem }
            if k == 0 {
                if tier.via != nil || tier.readGBps != nil || tier.readCurve != nil || tier.writeGBps != nil
                    || tier.cacheWriteGBps != nil || tier.chunk != nil {
                    return "\(at) is the GPU, where layers compute: it has no link (drop via, readGBps, readCurve, writeGBps, cacheWriteGBps, chunk)"
                }
                continue
            }
            let parentName = tier.via ?? tiers[k - 1].name
            guard let parent = seen[parentName], parent < k else {
                return "\(at).via \"\(parentName)\" must name a tier listed before it"
            }
            if k == 1 && parent != 0 { return "\(at) is the host: it must hang from the GPU (via \"\(tiers[0].name)\")" }
            if k >= 2 && parent == 0 {
                return "\(at).via: only the host hangs from the GPU; other tiers hang from the host or a tier after it"
            }
            switch (tier.readGBps, tier.readCurve) {
            case (nil, nil): return "\(at) needs readGBps or readCurve"
            case (.some, .some): return "\(at) has both readGBps and readCurve; keep one"
            case (.some(let rate), nil):
                if let problem = OffloadLimits.rateProblem("\(at).readGBps", rate) { return problem }
                if tier.chunk != nil { return "\(at).chunk applies to a readCurve only" }
            case (nil, .some(let curve)):
                guard OffloadLimits.curvePoints.contains(curve.count) else {
                    return "\(at).readCurve must hold 1 to 64 points, got \(curve.count)"
                }
                for (i, point) in curve.enumerated() {
                    guard (1 ... OffloadLimits.maximumChunk).contains(point.chunk) else {
                        return "\(at).readCurve[\(i)].chunk must be 1 B to 1 TiB, got \(point.chunk)"
                    }
                    if let problem = OffloadLimits.rateProblem("\(at).readCurve[\(i)].gbps", point.gbps) { return problem }
                    if i > 0 && point.chunk <= curve[i - 1].chunk {
                        return "\(at).readCurve: chunks must increase, got \(point.chunk) after \(curve[i - 1].chunk)"
                    }
                }
                if let chunk = tier.chunk, !(1 ... OffloadLimits.maximumChunk).contains(chunk) {
                    return "\(at).chunk must be 1 B to 1 TiB, got \(chunk)"
                }
            }
            guard let write = tier.writeGBps else { return "\(at) needs writeGBps" }
            if let problem = OffloadLimits.rateProblem("\(at).writeGBps", write) { return problem }
            if let cache = tier.cacheWriteGBps, let problem = OffloadLimits.rateProblem("\(at).cacheWriteGBps", cache) {
                return problem
            }
        }
        return nil
    }
}

/// A read bandwidth as a function of the request size: piecewise linear
/// in log2(chunk) between measured points, flat beyond the largest, and
/// proportional to the chunk below the smallest (latency-bound: halving the
/// request halves the rate). A link without a curve is one flat point.
struct BandwidthCurve: Sendable, Equatable {
    /// (chunk bytes, GB/s), chunks increasing.
    let points: [(chunk: Double, gbps: Double)]

    static func == (a: Self, b: Self) -> Bool {
        a.points.count == b.points.count && zip(a.points, b.points).allSatisfy { $0.chunk == $1.chunk && $0.gbps == $1.gbps }
    }

    init(flat gbps: Double) { points = [(1, gbps)] }
    init(_ measured: [TierSpec.BandwidthPoint]) { points = measured.map { (Double($0.chunk), $0.gbps) } }

    var isFlat: Bool { points.count == 1 && points[0].chunk == 1 }
    /// The largest measured chunk (where the curve stops rising).
    var largestChunk: Double { points.last!.chunk }

    /// GB/s for requests of `chunk` bytes. O(points).
    func gbps(chunk: Double) -> Double {
        if isFlat { return points[0].gbps }
        let first = points[0], last = points[points.count - 1]
        if chunk >= last.chunk { return last.gbps }
        if chunk <= first.chunk { return first.gbps * max(chunk, 1) / first.chunk }
        var i = 1
        while points[i].chunk < chunk { i += 1 }
        let a = points[i - 1], b = points[i]
        let t = (log2(chunk) - log2(a.chunk)) / (log2(b.chunk) - log2(a.chunk))
        return a.gbps + t * (b.gbps - a.gbps)
    }
}

/// The machine's tiers in the form the planners use: capacities in bytes,
/// parents by index, rates per link. Tier 0 is the GPU, tier 1 the host.
struct TierChain: Sendable, Equatable {
    struct Tier: Sendable, Equatable {
        var name: String
        var capacity: Double
        /// Index of the tier this one hangs from (−1 for the GPU).
        var parent: Int
        var read: BandwidthCurve
        var writeGBps: Double
        var cacheWriteGBps: Double
        /// Bytes per read request (infinite: whole tensors at the flat rate).
        var chunk: Double

        func readGBps(chunk c: Double) -> Double { read.gbps(chunk: c) }
    }

    var tiers: [Tier]

    /// From validated specs (``TierSpec/validationError(_:)`` is nil).
    init(_ specs: [TierSpec]) {
        var index: [String: Int] = [:]
        var tiers: [Tier] = []
        for (k, spec) in specs.enumerated() {
            index[spec.name] = k
            let parent = k == 0 ? -1 : index[spec.via ?? specs[k - 1].name] ?? (k - 1)
            let read = spec.readCurve.map(BandwidthCurve.init) ?? BandwidthCurve(flat: spec.readGBps ?? 1)
            let write = spec.writeGBps ?? 1
            let chunk = spec.readCurve == nil ? Double.infinity : Double(spec.chunk ?? Int(read.largestChunk))
            tiers.append(Tier(name: spec.name, capacity: Double(spec.capacity), parent: parent, read: read,
                              writeGBps: write, cacheWriteGBps: spec.cacheWriteGBps ?? write, chunk: chunk))
        }
        self.tiers = tiers
    }

    var count: Int { tiers.count }
    /// The plan's home: the last tier (where the checkpoint lives).
    var home: Int { tiers.count - 1 }

    /// The links data homed on tier k crosses to reach the GPU, from k
    /// upwards, each named by its lower tier (empty for the GPU). O(depth).
    func path(from k: Int) -> [Int] {
        var links: [Int] = []
        var t = k
        while t > 0 {
            links.append(t)
            t = tiers[t].parent
        }
        return links
    }

    /// Whether tier k lies strictly beneath tier i (data homed on k passes through i).
    func isBeneath(_ k: Int, _ i: Int) -> Bool { k != i && (i == 0 || path(from: k).contains(i)) }

    /// Seconds to read `bytes` over the link of tier k (towards the GPU), in
    /// requests of the tier's chunk: whole chunks at the curve's rate for
    /// the chunk, the remainder at its own. O(curve points).
    func readSeconds(_ bytes: Double, link k: Int) -> Double {
        guard bytes > 0 else { return 0 }
        let tier = tiers[k]
        let gb = FlexGenUnits.gigabyte
        if tier.read.isFlat || bytes <= tier.chunk { return bytes / (tier.read.gbps(chunk: bytes) * gb) }
        let whole = (bytes / tier.chunk).rounded(.down)
        let rest = bytes - whole * tier.chunk
        return whole * tier.chunk / (tier.read.gbps(chunk: tier.chunk) * gb)
            + (rest > 0 ? rest / (tier.read.gbps(chunk: rest) * gb) : 0)
    }

    /// Seconds to write `bytes` over the link of tier k (away from the GPU).
    func writeSeconds(_ bytes: Double, link k: Int, cache: Bool) -> Double {
        bytes / ((cache ? tiers[k].cacheWriteGBps : tiers[k].writeGBps) * FlexGenUnits.gigabyte)
    }
}
