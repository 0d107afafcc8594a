/// A fixed-size set of small integers (section or boundary indices) as
/// bits, for the exact search's per-node scans: finding the next member
/// and asking whether a range holds any costs O(range / 64) word
/// operations instead of one test per index. Memory: one bit per index.
struct SectionBits {
    private var words: [UInt64]

    init(count: Int) { words = [UInt64](repeating: 0, count: (max(0, count) + 63) / 64) }

    mutating func insert(_ k: Int) { words[k >> 6] |= 1 << UInt64(k & 63) }

    mutating func remove(_ k: Int) { words[k >> 6] &= ~(1 << UInt64(k & 63)) }

    func contains(_ k: Int) -> Bool { words[k >> 6] & (1 << UInt64(k & 63)) != 0 }

    /// The smallest member in `from ..< limit`, or `limit` when none.
    func next(from: Int, below limit: Int) -> Int {
        if from >= limit { return limit }
        var w = from >> 6
        var bits = words[w] & (~0 << UInt64(from & 63))
        while true {
            if bits != 0 {
                let k = w << 6 + bits.trailingZeroBitCount
                return min(k, limit)
            }
            w += 1
            if w << 6 >= limit { return limit }
            bits = words[w]
        }
    }

    /// Whether some member lies in `range`.
    func intersects(_ range: Range<Int>) -> Bool { next(from: range.lowerBound, below: range.upperBound) < range.upperBound }
}
