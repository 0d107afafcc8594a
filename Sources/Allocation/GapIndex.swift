/// The address ranges occupied by placed buffers, indexed by time, so that a
/// greedy allocator gets the union of the ranges of the placed buffers
/// conflicting with a new buffer without listing those buffers.
///
/// A static segment tree over the elementary time intervals between the
/// distinct lifetime endpoints. A placed buffer's lifetime decomposes into
/// O(log T) canonical nodes (T endpoints); each node keeps two sorted lists
/// of disjoint, non-touching address ranges:
/// - `own`: the union of the ranges of buffers with the node among their
///   canonical nodes (they are alive during the node's whole time span);
/// - `sub`: the union of `own` over the node's subtree.
///
/// A placed buffer conflicts with `[lower, upper)` exactly when one of its
/// canonical nodes lies inside a canonical node of the query (caught by that
/// node's `sub`) or strictly above one (caught by the `own` of the
/// partially covered nodes the query descends through). So the occupied
/// union is the union of O(log T) lists, each already coalesced: touching
/// and overlapping ranges merge as buffers are placed, which keeps the lists
/// short (a filled region is one range, whatever number of buffers it holds).
///
/// Complexity: building is O(n log n). A query costs O(log T + r log r) for
/// the r ranges in the lists it gathers; an insertion touches O(log T) lists,
/// each in O(log m) plus the shift of the array tail (O(m) worst case) for a
/// list of m ranges. m and r are bounded by the number of buffers alive at
/// once and are in practice far smaller than the number of conflicts, which
/// is what a scan of conflicting buffers costs.
struct GapIndex {
    private let first: [Int]         // buffer -> first elementary interval
    private let end: [Int]           // buffer -> one past its last elementary interval
    private let leaves: Int          // number of elementary intervals, ≥ 1
    private var own: [[Int]]         // per node: start0, end0, start1, end1, …
    private var sub: [[Int]]

    /// Lifetimes `[lower[i], upper[i])`, each non-empty. O(n log n).
    init(lower: [Int], upper: [Int]) {
        let axis = TimeAxis(lower: lower, upper: upper)
        self.init(first: lower.map(axis.position), end: upper.map(axis.position), leaves: axis.intervals)
    }

    /// The lifetimes as a greedy pass prepared them. O(T).
    init(_ context: GreedyContext) {
        self.init(first: context.first, end: context.end, leaves: context.elementaryIntervals)
    }

    private init(first: [Int], end: [Int], leaves: Int) {
        self.first = first
        self.end = end
        self.leaves = leaves
        self.own = Array(repeating: [], count: 4 * leaves)
        self.sub = Array(repeating: [], count: 4 * leaves)
    }

    /// Records buffer `i` as occupying `[start, stop)` (`start < stop`)
    /// during its lifetime. O(log T) lists, each updated as in `add`.
    mutating func insert(_ i: Int, start: Int, stop: Int) {
        let a = first[i], b = end[i]
        if a >= b || start >= stop { return }
        insert(node: 1, from: 0, to: leaves, a, b, start, stop)
    }

    private mutating func insert(node: Int, from lo: Int, to hi: Int, _ a: Int, _ b: Int, _ start: Int, _ stop: Int) {
        Self.add(start, stop, to: &sub[node])
        if a <= lo && hi <= b {
            Self.add(start, stop, to: &own[node])
            return
        }
        let mid = (lo + hi) / 2
        if a < mid { insert(node: 2 * node, from: lo, to: mid, a, b, start, stop) }
        if b > mid { insert(node: 2 * node + 1, from: mid, to: hi, a, b, start, stop) }
    }

    /// Appends to `occupied` the address ranges of the placed buffers whose
    /// lifetimes intersect buffer `i`'s, as the ranges of O(log T) lists:
    /// sorted within a list, overlapping across lists. Returns the number
    /// of non-empty lists appended (the caller sorts only when it exceeds 1).
    func occupied(by i: Int, into occupied: inout [(start: Int, end: Int)]) -> Int {
        let a = first[i], b = end[i]
        if a >= b { return 0 }
        var lists = 0
        collect(node: 1, from: 0, to: leaves, a, b, into: &occupied, lists: &lists)
        return lists
    }

    private func collect(node: Int, from lo: Int, to hi: Int, _ a: Int, _ b: Int,
                         into occupied: inout [(start: Int, end: Int)], lists: inout Int) {
        if a <= lo && hi <= b {
            Self.append(sub[node], to: &occupied, lists: &lists)
            return
        }
        Self.append(own[node], to: &occupied, lists: &lists)
        let mid = (lo + hi) / 2
        if a < mid { collect(node: 2 * node, from: lo, to: mid, a, b, into: &occupied, lists: &lists) }
        if b > mid { collect(node: 2 * node + 1, from: mid, to: hi, a, b, into: &occupied, lists: &lists) }
    }

    /// As ``occupied(by:into:)``, into `scratch.ranges`, noting where each
    /// list begins in `scratch.listStart`.
    func gather(_ i: Int, into scratch: inout GapScratch) {
        let a = first[i], b = end[i]
        if a >= b { return }
        gather(node: 1, from: 0, to: leaves, a, b, into: &scratch)
    }

    private func gather(node: Int, from lo: Int, to hi: Int, _ a: Int, _ b: Int, into s: inout GapScratch) {
        if a <= lo && hi <= b {
            Self.append(sub[node], to: &s)
            return
        }
        Self.append(own[node], to: &s)
        let mid = (lo + hi) / 2
        if a < mid { gather(node: 2 * node, from: lo, to: mid, a, b, into: &s) }
        if b > mid { gather(node: 2 * node + 1, from: mid, to: hi, a, b, into: &s) }
    }

    @inline(__always)
    private static func append(_ list: [Int], to s: inout GapScratch) {
        if list.isEmpty { return }
        s.listStart.append(s.ranges.count)
        s.ranges.append(contentsOf: list)
    }

    @inline(__always)
    private static func append(_ list: [Int], to occupied: inout [(start: Int, end: Int)], lists: inout Int) {
        if list.isEmpty { return }
        lists += 1
        var k = 0
        while k < list.count {
            occupied.append((list[k], list[k + 1]))
            k += 2
        }
    }

    /// Adds `[start, stop)` to a sorted list of disjoint, non-touching
    /// ranges, merging it with those it overlaps or touches. O(log m) to
    /// find the place, plus the shift of the tail when the count changes.
    static func add(_ start: Int, _ stop: Int, to list: inout [Int]) {
        let m = list.count / 2
        // Fast path: above everything (the common case for an arena that
        // grows upward).
        if m == 0 || list[2 * m - 1] < start {
            list.append(start)
            list.append(stop)
            return
        }
        // The first range whose end reaches `start`.
        var lo = 0, hi = m
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[2 * mid + 1] < start { lo = mid + 1 } else { hi = mid }
        }
        var last = lo
        var mergedStart = start, mergedStop = stop
        while last < m && list[2 * last] <= stop {
            mergedStart = min(mergedStart, list[2 * last])
            mergedStop = max(mergedStop, list[2 * last + 1])
            last += 1
        }
        if last == lo {
            list.insert(stop, at: 2 * lo)
            list.insert(start, at: 2 * lo)
        } else {
            list[2 * lo] = mergedStart
            list[2 * lo + 1] = mergedStop
            if last > lo + 1 { list.removeSubrange(2 * lo + 2 ..< 2 * last) }
        }
    }
}
