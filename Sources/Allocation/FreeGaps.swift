/// The free address ranges below the top of the live buffers at one
/// instant, for the sweep of the `start` order: sorted, disjoint, never
/// touching (a freed range merges with its neighbours).
struct FreeGaps {
    private var start: [Int] = []
    private var end: [Int] = []
    /// The highest end of a live buffer (0 when none is live).
    private(set) var top = 0

    /// Takes `size` bytes (> 0) at a multiple of `alignment`: in the lowest
    /// gap that holds them (`firstFit`), or the smallest (the lowest of
    /// equal ones; an exact fit ends the walk), else at the top. Returns
    /// the offset. O(g) for g gaps.
    mutating func place(size: Int, alignment: Int, firstFit: Bool) -> Int {
        var chosen = -1
        var chosenGap = Int.max
        for k in start.indices {
            let candidate = roundUp(start[k], alignment)
            guard candidate + size <= end[k] else { continue }
            let gap = end[k] - start[k]
            if firstFit { chosen = k; break }
            if gap < chosenGap {
                chosen = k
                chosenGap = gap
                if gap == size { break }
            }
        }
        guard chosen >= 0 else {
            let offset = roundUp(top, alignment)
            if offset > top { insertGap(top, offset, at: start.count) }
            top = offset + size
            return offset
        }
        let (a, b) = (start[chosen], end[chosen])
        let offset = roundUp(a, alignment)
        // The gap becomes what is left on either side.
        start.remove(at: chosen)
        end.remove(at: chosen)
        var at = chosen
        if offset > a { insertGap(a, offset, at: at); at += 1 }
        if offset + size < b { insertGap(offset + size, b, at: at) }
        return offset
    }

    /// Frees `[lo, hi)` (a live buffer's range). O(log g + g).
    mutating func free(_ lo: Int, _ hi: Int) {
        var lo = lo, hi = hi
        // The first gap starting at or after `hi`, and the one before it.
        var k = position(hi)
        if k < start.count && start[k] == hi {
            hi = end[k]
            start.remove(at: k)
            end.remove(at: k)
        }
        if k > 0 && end[k - 1] == lo {
            k -= 1
            lo = start[k]
            start.remove(at: k)
            end.remove(at: k)
        }
        if hi >= top {
            top = lo
        } else {
            insertGap(lo, hi, at: k)
        }
    }

    private mutating func insertGap(_ a: Int, _ b: Int, at k: Int) {
        start.insert(a, at: k)
        end.insert(b, at: k)
    }

    /// The first gap whose start is at least `value`.
    private func position(_ value: Int) -> Int {
        var lo = 0, hi = start.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if start[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
