/// The distinct lifetime endpoints of a set of buffers, sorted: time as the
/// index structures see it, one position per endpoint, so that a lifetime
/// `[lower, upper)` covers the elementary intervals `position(lower) ..<
/// position(upper)`. O(n log n) to build, O(log n) a lookup, O(n) memory.
struct TimeAxis: Sendable {
    let times: [Int]

    init(lower: [Int], upper: [Int]) {
        var all = lower + upper
        all.sort()
        var unique: [Int] = []
        unique.reserveCapacity(all.count)
        for t in all where unique.last != t { unique.append(t) }
        times = unique
    }

    /// The first position whose time is at least `t`.
    func position(_ t: Int) -> Int { Self.position(of: t, in: times) }

    /// Elementary intervals between consecutive endpoints (at least 1).
    var intervals: Int { max(1, times.count - 1) }

    /// The first index of a sorted array whose value is at least `value`.
    static func position(of value: Int, in sorted: [Int]) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
