/// Checks a proposed solution, independently of every algorithm that makes
/// one: it shares no code with the heuristics, the search or the ILP, only
/// the problem's data types, and uses overflow-checked arithmetic because the
/// offsets it checks may come from anywhere (a file, a solver, a bug).
///
/// Complexity: O(n log n) time and O(n) memory, whatever the number of
/// buffers alive together (see ``firstOverlap(_:offsets:)``).
public enum Validator {
    /// The height of `offsets` for `problem`, or the first violation found:
    /// wrong count, negative or misaligned offset, moved fixed offset,
    /// overflow, capacity exceeded, or two live buffers overlapping.
    public static func height(of offsets: [Int], for problem: AllocationProblem) throws(AllocationViolation) -> Int {
        let buffers = problem.buffers
        guard offsets.count == buffers.count else {
            throw AllocationViolation("expected \(buffers.count) offsets, got \(offsets.count)")
        }
        var height = 0
        for (i, buffer) in buffers.enumerated() {
            let offset = offsets[i]
            if offset < 0 { throw AllocationViolation("buffer '\(buffer.id)' has negative offset \(offset)") }
            if buffer.alignment <= 0 { throw AllocationViolation("buffer '\(buffer.id)' has alignment \(buffer.alignment)") }
            if buffer.size < 0 { throw AllocationViolation("buffer '\(buffer.id)' has negative size \(buffer.size)") }
            if buffer.upper <= buffer.lower { throw AllocationViolation("buffer '\(buffer.id)' has an empty lifetime") }
            if offset % buffer.alignment != 0 {
                throw AllocationViolation("buffer '\(buffer.id)' at offset \(offset) is not aligned to \(buffer.alignment)")
            }
            if let fixed = buffer.fixedOffset, fixed != offset {
                throw AllocationViolation("buffer '\(buffer.id)' must stay at offset \(fixed), not \(offset)")
            }
            let (end, overflow) = offset.addingReportingOverflow(buffer.size)
            if overflow { throw AllocationViolation("buffer '\(buffer.id)': offset \(offset) + size \(buffer.size) overflows") }
            height = max(height, end)
        }
        if let capacity = problem.capacity, height > capacity {
            throw AllocationViolation("height \(height) exceeds capacity \(capacity)")
        }
        if let (a, b) = firstOverlap(buffers, offsets: offsets) {
            let (x, y) = (buffers[a], buffers[b])
            throw AllocationViolation(
                "buffers '\(x.id)' [\(offsets[a]), \(offsets[a] + x.size)) and '\(y.id)' [\(offsets[b]), \(offsets[b] + y.size)) overlap while both are alive")
        }
        return height
    }

    /// True when `offsets` is a valid solution of `problem`.
    public static func isValid(_ offsets: [Int], for problem: AllocationProblem) -> Bool {
        (try? height(of: offsets, for: problem)) != nil
    }

    /// Two buffers of positive size alive at the same time whose address
    /// ranges `[offset, offset + size)` intersect, or nil when there are
    /// none. Offsets must be non-negative and `offset + size` must not
    /// overflow (``height(of:for:)`` checks both first).
    ///
    /// A sweep by start time: when a buffer starts, the buffers alive are
    /// pairwise disjoint (an overlap among them would have been found when
    /// the later of the two started), so, ordered by offset, each ends
    /// before the next begins, and the new buffer can only overlap its two
    /// neighbours in that order. The live set is a Fenwick tree over the
    /// buffers' ranks by offset, which finds neighbours in O(log n).
    /// O(n log n) time, O(n) memory.
    public static func firstOverlap(_ buffers: [Buffer], offsets: [Int]) -> (Int, Int)? {
        let positive = buffers.indices.filter { buffers[$0].size > 0 }
        guard positive.count > 1 else { return nil }
        let m = positive.count
        // Ranks by (offset, index): the tree's positions.
        let byOffset = positive.sorted { (offsets[$0], $0) < (offsets[$1], $1) }
        var rank = [Int](repeating: 0, count: buffers.count)
        for (r, i) in byOffset.enumerated() { rank[i] = r }
        let byStart = positive.sorted { (buffers[$0].lower, $0) < (buffers[$1].lower, $1) }
        let byEnd = positive.sorted { buffers[$0].upper < buffers[$1].upper }
        var live = RankSet(count: m)
        var ended = 0
        for i in byStart {
            // Half-open lifetimes: a buffer ending at this start is gone.
            while ended < m && buffers[byEnd[ended]].upper <= buffers[i].lower {
                live.remove(rank[byEnd[ended]])
                ended += 1
            }
            let r = rank[i]
            let below = live.count(below: r)
            if below > 0 {
                let j = byOffset[live.element(atOrder: below)]
                if offsets[j] + buffers[j].size > offsets[i] { return (j, i) }
            }
            if below < live.total {
                let j = byOffset[live.element(atOrder: below + 1)]
                if offsets[i] + buffers[i].size > offsets[j] { return (j, i) }
            }
            live.insert(r)
        }
        return nil
    }
}

/// A set of integers in `0 ..< count` with order statistics: a Fenwick
/// (binary indexed) tree of 0/1 counts. Every operation is O(log count).
struct RankSet {
    private var tree: [Int]
    private(set) var total = 0

    init(count: Int) { tree = [Int](repeating: 0, count: count + 1) }

    mutating func insert(_ r: Int) { add(r, 1) }
    mutating func remove(_ r: Int) { add(r, -1) }

    private mutating func add(_ r: Int, _ delta: Int) {
        total += delta
        var k = r + 1
        while k < tree.count {
            tree[k] += delta
            k += k & -k
        }
    }

    /// How many members are below `r`.
    func count(below r: Int) -> Int {
        var k = r, sum = 0
        while k > 0 {
            sum += tree[k]
            k -= k & -k
        }
        return sum
    }

    /// The `k`-th smallest member, 1-based (`1 ... total`).
    func element(atOrder k: Int) -> Int {
        var position = 0, remaining = k
        var step = 1
        while step * 2 < tree.count { step *= 2 }
        while step > 0 {
            let next = position + step
            if next < tree.count && tree[next] < remaining {
                position = next
                remaining -= tree[next]
            }
            step /= 2
        }
        // The largest prefix holding fewer than k members ends just before it.
        return position
    }
}

/// What is wrong with a proposed solution.
public struct AllocationViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
