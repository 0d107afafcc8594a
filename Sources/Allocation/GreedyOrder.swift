/// The order in which a greedy allocator places buffers. Production traces
/// have few distinct sizes, so the tie-breaks among equal sizes matter as
/// much as the main key.
public enum GreedyOrder: String, Sendable, CaseIterable, Codable {
    /// Largest first (TensorFlow Lite's arena planner, XLA's "spatial"
    /// order); ties: longer lifetime first, then earlier start.
    case size
    /// Largest first; ties: earlier start first, then longer.
    case sizeThenStart
    /// Largest first; ties: later end first, then longer (the program
    /// replayed backwards).
    case sizeThenEnd
    /// Longest lifetime first (XLA's "temporal" order).
    case lifetime
    /// Largest size × lifetime first (XLA's "area" order).
    case area
    /// Earliest start first: an online allocator replaying the program.
    case start
    /// Most contended first: the buffers alive when the most bytes are
    /// (the highest live bytes during the lifetime), then larger first.
    case contention
}

extension GreedyOrder {
    /// The buffers `free` sorted for this order. Every key falls back to
    /// the others and finally to `tie` (the index, or a random rank), so
    /// the result never depends on the sort's stability. O(n log n);
    /// `contention` adds O(n log n) for the live-bytes profile.
    func sorted(_ free: [Int], lower: [Int], upper: [Int], size: [Int], tie: [Int]) -> [Int] {
        var free = free
        switch self {
        case .size:
            free.sort { a, b in
                if size[a] != size[b] { return size[a] > size[b] }
                let la = upper[a] - lower[a], lb = upper[b] - lower[b]
                if la != lb { return la > lb }
                if lower[a] != lower[b] { return lower[a] < lower[b] }
                return tie[a] < tie[b]
            }
        case .sizeThenStart:
            free.sort { a, b in
                if size[a] != size[b] { return size[a] > size[b] }
                if lower[a] != lower[b] { return lower[a] < lower[b] }
                if upper[a] != upper[b] { return upper[a] > upper[b] }
                return tie[a] < tie[b]
            }
        case .sizeThenEnd:
            free.sort { a, b in
                if size[a] != size[b] { return size[a] > size[b] }
                if upper[a] != upper[b] { return upper[a] > upper[b] }
                if lower[a] != lower[b] { return lower[a] < lower[b] }
                return tie[a] < tie[b]
            }
        case .lifetime:
            free.sort { a, b in
                let la = upper[a] - lower[a], lb = upper[b] - lower[b]
                if la != lb { return la > lb }
                if size[a] != size[b] { return size[a] > size[b] }
                if lower[a] != lower[b] { return lower[a] < lower[b] }
                return tie[a] < tie[b]
            }
        case .area:
            // size × length may overflow an Int; compare as Double (ties
            // are broken exactly below).
            free.sort { a, b in
                let xa = Double(size[a]) * Double(upper[a] - lower[a])
                let xb = Double(size[b]) * Double(upper[b] - lower[b])
                if xa != xb { return xa > xb }
                if size[a] != size[b] { return size[a] > size[b] }
                if lower[a] != lower[b] { return lower[a] < lower[b] }
                return tie[a] < tie[b]
            }
        case .start:
            free.sort { a, b in
                if lower[a] != lower[b] { return lower[a] < lower[b] }
                if size[a] != size[b] { return size[a] > size[b] }
                return tie[a] < tie[b]
            }
        case .contention:
            let crowd = Self.contention(free, lower: lower, upper: upper, size: size)
            free.sort { a, b in
                if crowd[a] != crowd[b] { return crowd[a] > crowd[b] }
                if size[a] != size[b] { return size[a] > size[b] }
                let la = upper[a] - lower[a], lb = upper[b] - lower[b]
                if la != lb { return la > lb }
                return tie[a] < tie[b]
            }
        }
        return free
    }

    /// Per buffer of `indices` (others 0): the most bytes alive at once
    /// during its lifetime, counting every buffer of `indices`. A sweep for
    /// the live bytes between consecutive lifetime ends, then a segment tree
    /// for range maxima: O(n log n) time, O(n) memory.
    static func contention(_ indices: [Int], lower: [Int], upper: [Int], size: [Int]) -> [Int] {
        let axis = TimeAxis(lower: indices.map { lower[$0] }, upper: indices.map { upper[$0] })
        let position = axis.position
        let m = max(1, axis.times.count)
        var delta = [Int](repeating: 0, count: m + 1)
        for i in indices {
            delta[position(lower[i])] += size[i]
            delta[position(upper[i])] -= size[i]
        }
        var leaves = 1
        while leaves < m { leaves *= 2 }
        var tree = [Int](repeating: 0, count: 2 * leaves)
        var live = 0
        for k in 0 ..< m {
            live += delta[k]
            tree[leaves + k] = live
        }
        var node = leaves - 1
        while node >= 1 {
            tree[node] = max(tree[2 * node], tree[2 * node + 1])
            node -= 1
        }
        var result = [Int](repeating: 0, count: lower.count)
        for i in indices {
            // Elementary intervals [position(lower), position(upper)).
            var lo = position(lower[i]) + leaves, hi = position(upper[i]) + leaves
            var best = 0
            while lo < hi {
                if lo & 1 == 1 { best = max(best, tree[lo]); lo += 1 }
                if hi & 1 == 1 { hi -= 1; best = max(best, tree[hi]) }
                lo /= 2
                hi /= 2
            }
            result[i] = best
        }
        return result
    }
}
