/// Lower bounds on the height of every solution of a problem.
///
/// - ``peakLiveBytes``: at any instant the buffers alive then must be
///   stacked without overlap, so the arena is at least their total size.
///   This is also the clique bound: lifetimes are intervals, and intervals
///   that intersect pairwise share an instant (Helly), so the heaviest set
///   of pairwise-conflicting buffers is the heaviest set alive at one
///   instant; a time window adds nothing to it either.
/// - ``alignedPeak``: for an alignment class a (every buffer whose
///   alignment is a multiple of a), those buffers start at multiples of a;
///   stacked at one instant, each but the topmost occupies its size rounded
///   up to a, so height ≥ Σ roundUp(size, a) − (a − 1) over the class's
///   buffers alive at once. Tried for the gcd of all alignments (the class
///   of every buffer) and for up to ``alignmentClassLimit`` of the largest
///   distinct alignments.
/// - ``fixedTop``: a pinned buffer ends where it is pinned.
/// - ``pinnedGaps``: at an instant, a free buffer larger than every gap
///   between the pins alive then (and below the lowest) cannot sit below
///   the top pin, so height ≥ top pin + Σ sizes of such free buffers.
///
/// Time O(n log n + c·(n + T)) for c ≤ 1 + ``alignmentClassLimit``
/// alignment classes and T ≤ 2n lifetime endpoints, plus O(p² log p + g·(n
/// + T)) for p ≤ ``pinLimit`` pins and g ≤ ``gapClassLimit`` distinct
/// largest-gap values (beyond those limits the pin bound uses what it has,
/// still a bound). Memory O(n + T).
public struct LowerBounds: Sendable, Equatable {
    public var peakLiveBytes: Int
    public var alignedPeak: Int
    public var fixedTop: Int
    public var pinnedGaps: Int
    /// The earliest instant at which the live bytes reach their peak.
    public var peakTime: Int?

    static let alignmentClassLimit = 8
    static let pinLimit = 2_000
    static let gapClassLimit = 16

    /// The strongest of the bounds.
    public var best: Int { max(peakLiveBytes, alignedPeak, fixedTop, pinnedGaps) }

    /// The name of the strongest bound (the first of equals, in the order
    /// max-live, aligned, pinned-top, pinned-gaps).
    public var bestName: String {
        let named = [("max-live", peakLiveBytes), ("aligned", alignedPeak), ("pinned-top", fixedTop), ("pinned-gaps", pinnedGaps)]
        return named.first { $0.1 == best }?.0 ?? "max-live"
    }

    public init(_ problem: AllocationProblem) throws(AllocationError) {
        try problem.validate()
        self.init(validated: problem.buffers)
    }

    init(validated buffers: [Buffer]) {
        var g = 0
        var fixedTop = 0
        var lower: [Int] = [], upper: [Int] = [], size: [Int] = [], alignment: [Int] = [], fixed: [Int] = []
        lower.reserveCapacity(buffers.count)
        upper.reserveCapacity(buffers.count)
        size.reserveCapacity(buffers.count)
        for i in buffers.indices {
            g = gcd(g, buffers[i].alignment)
            if let offset = buffers[i].fixedOffset { fixedTop = max(fixedTop, offset + buffers[i].size) }
            if buffers[i].size > 0 {
                lower.append(buffers[i].lower)
                upper.append(buffers[i].upper)
                size.append(buffers[i].size)
                alignment.append(buffers[i].alignment)
                fixed.append(buffers[i].fixedOffset ?? -1)
            }
        }
        g = max(g, 1)
        // Live bytes per elementary interval between distinct endpoints, by
        // a difference array: a buffer adds its size from its start's
        // position to its end's (half-open lifetimes, so one ending where
        // another starts never counts with it).
        let axis = TimeAxis(lower: lower, upper: upper)
        let first = lower.map(axis.position), end = upper.map(axis.position)
        var delta = [Int](repeating: 0, count: axis.times.count + 1)
        for k in size.indices {
            delta[first[k]] += size[k]
            delta[end[k]] -= size[k]
        }
        var live = 0
        var peak = 0
        var peakTime: Int?
        for k in axis.times.indices {
            live += delta[k]
            if live > peak {
                peak = live
                peakTime = axis.times[k]
            }
        }
        // Alignment classes: the gcd (every buffer) and the largest
        // distinct alignments above it.
        var classes = [g]
        for a in Set(alignment).sorted(by: >) where a > g && classes.count <= Self.alignmentClassLimit { classes.append(a) }
        var aligned = 0
        if classes != [1] {
            for a in classes {
                var rounded = [Int](repeating: 0, count: axis.times.count + 1)
                for k in size.indices where alignment[k] % a == 0 {
                    let r = roundUp(size[k], a)
                    rounded[first[k]] += r
                    rounded[end[k]] -= r
                }
                var running = 0, top = 0
                for k in axis.times.indices {
                    running += rounded[k]
                    top = max(top, running)
                }
                aligned = max(aligned, top - (a - 1))
            }
        }
        self.peakLiveBytes = peak
        self.alignedPeak = max(0, aligned)
        self.fixedTop = fixedTop
        self.pinnedGaps = Self.pinnedGaps(first: first, end: end, size: size, fixed: fixed, positions: axis.times.count)
        self.peakTime = peakTime
    }

    /// The pinned-gaps bound (see the type's comment). A sweep over the pin
    /// endpoints finds, between consecutive ones, the top of the pins alive
    /// and their largest gap; then, per distinct largest gap (the first
    /// ``gapClassLimit``), a difference array of the free buffers larger
    /// than it gives their live bytes at every instant.
    static func pinnedGaps(first: [Int], end: [Int], size: [Int], fixed: [Int], positions: Int) -> Int {
        let pins = size.indices.filter { fixed[$0] >= 0 }
        if pins.isEmpty || pins.count > pinLimit || pins.count == size.count { return 0 }
        // Segments [from, to) of positions with a constant set of live pins.
        var cuts = Set<Int>()
        for p in pins { cuts.insert(first[p]); cuts.insert(end[p]) }
        let sortedCuts = cuts.sorted()
        var segments: [(from: Int, to: Int, top: Int, gap: Int)] = []
        for (c, from) in sortedCuts.enumerated() where c + 1 < sortedCuts.count {
            let to = sortedCuts[c + 1]
            let alive = pins.filter { first[$0] <= from && from < end[$0] }.map { (fixed[$0], fixed[$0] + size[$0]) }.sorted { $0.0 < $1.0 }
            if alive.isEmpty { continue }
            var cursor = 0, gap = 0
            for (a, b) in alive {
                gap = max(gap, a - cursor)
                cursor = max(cursor, b)
            }
            segments.append((from, to, cursor, gap))
        }
        var best = 0
        var gaps = Array(Set(segments.map(\.gap))).sorted()
        if gaps.count > gapClassLimit { gaps = Array(gaps.prefix(gapClassLimit)) }
        for gap in gaps {
            var delta = [Int](repeating: 0, count: positions + 1)
            for k in size.indices where fixed[k] < 0 && size[k] > gap {
                delta[first[k]] += size[k]
                delta[end[k]] -= size[k]
            }
            var live = [Int](repeating: 0, count: positions + 1)
            var running = 0
            for k in 0 ..< positions {
                running += delta[k]
                live[k] = running
            }
            for s in segments where s.gap == gap {
                var most = 0
                for k in s.from ..< s.to { most = max(most, live[k]) }
                best = max(best, s.top + most)
            }
        }
        return best
    }
}

func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
