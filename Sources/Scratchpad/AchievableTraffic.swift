/// The values traffic can take: every plan's non-compulsory traffic is a
/// sum of tensor sizes (one per move), so a lower bound from a solver can
/// be rounded up to the next such sum, and a solve can stop as soon as the
/// rounded bound meets the incumbent.
///
/// Always: multiples of the sizes' greatest common divisor `unit`. When it
/// is cheap (items × limit / unit ≤ ``maximumWork`` word operations), also
/// the exact set of sums of the items up to `limit` (subset sums: each item
/// is one possible move, used at most once), as a bitset in units of
/// `unit`. Time O(items × limit / (64 · unit)), memory O(limit / unit) bits.
struct AchievableTraffic: Sendable {
    /// The gcd of the sizes (1 when there are none).
    let unit: Int
    /// Sums up to `limit` (bit i: i · unit is a sum), or nil when too costly.
    private let sums: [UInt64]?
    let limit: Int

    static let maximumWork = 40_000_000
    static let maximumBits = 1 << 25

    /// `sizes`: the bytes of every move a plan may make (a size appears
    /// once per move: a tensor with three gaps three times). `limit`: the
    /// largest value that matters (the incumbent).
    init(sizes: [Int], limit: Int) {
        var g = 0
        for size in sizes where size > 0 { g = Self.gcd(g, size) }
        unit = max(1, g)
        let limit = max(0, limit)
        self.limit = limit
        let bits = limit / unit + 1
        let positive = sizes.filter { $0 > 0 && $0 <= limit }
        let words = (bits + 63) / 64
        guard bits <= Self.maximumBits, positive.count.multipliedReportingOverflow(by: words).partialValue <= Self.maximumWork,
              positive.count < Self.maximumWork else {
            sums = nil
            return
        }
        var set = [UInt64](repeating: 0, count: words)
        set[0] = 1
        var reach = 0  // highest bit that can be set so far
        for size in positive {
            let shift = size / unit
            reach = min(bits - 1, reach + shift)
            // set |= set << shift, from the top word down, only up to `reach`.
            let wordShift = shift / 64, bitShift = UInt64(shift % 64)
            var w = reach / 64
            while w >= wordShift {
                let source = w - wordShift
                var moved = set[source] << bitShift
                if bitShift > 0, source > 0 { moved |= set[source - 1] >> (64 - bitShift) }
                set[w] |= moved
                w -= 1
            }
        }
        let extra = words * 64 - bits
        if extra > 0 { set[words - 1] &= ~UInt64(0) >> UInt64(extra) }
        sums = set
    }

    var isExact: Bool { sums != nil }

    private func contains(_ i: Int) -> Bool {
        guard let sums, i >= 0, i / 64 < sums.count else { return false }
        return sums[i / 64] >> UInt64(i % 64) & 1 == 1
    }

    /// The smallest achievable value at or above `bound` (a solver's real
    /// bound, allowed a relative error of 1e-9), capped at `limit` when the
    /// sums are known; a multiple of `unit` otherwise.
    func roundUp(_ bound: Double) -> Int {
        guard bound.isFinite, bound > 0 else { return 0 }
        let tolerance = max(1e-6, abs(bound) * 1e-9)
        let start = Int(((bound - tolerance) / Double(unit)).rounded(.up))
        guard sums != nil else { return max(0, start) * unit }
        var i = max(0, start)
        let top = limit / unit
        while i <= top, !contains(i) { i += 1 }
        return min(i, top + 1) * unit > limit ? max(start * unit, limit) : i * unit
    }

    /// The largest achievable value below `value` (nil when none or unknown
    /// beyond multiples of `unit`: then `value - unit`).
    func below(_ value: Int) -> Int {
        guard value > 0 else { return -unit }
        guard sums != nil, value <= limit else { return value - unit }
        var i = (value - 1) / unit
        while i >= 0, !contains(i) { i -= 1 }
        return i * unit
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
