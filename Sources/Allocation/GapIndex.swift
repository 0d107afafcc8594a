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
/// **Storage.** All lists live in one array, each in a slot of its own
/// (where it begins, how much it holds, its room); a list that outgrows its
/// slot moves to a slot of twice the room at the end of the array. One
/// allocation for the whole pass instead of one per list (a quarter of a
/// greedy pass went to allocating, retaining and freeing the nested arrays
/// this replaced), and a query reads the lists in place instead of copying.
/// The slots and the lists are raw memory owned by the index (hence
/// non-copyable): an insertion updates some thirty lists, and Swift's
/// uniqueness and bounds checks on array properties cost about a tenth of
/// a pass's instructions (cachegrind, 60,354-buffer trace: 1.35 G → 1.23 G
/// for reading the file and one size-ordered pass).
///
/// Complexity: building is O(n log n). A query costs O(log T) to find its
/// lists; an insertion touches O(log T) lists, each in O(log m) plus the
/// shift of the slot's tail (O(m) worst case) for a list of m ranges. m is
/// bounded by the number of buffers alive at once and is in practice far
/// smaller than the number of conflicts, which is what a scan of
/// conflicting buffers costs.
///
/// Memory: an insertion visits at most 4 nodes per level of the tree
/// (adding its range to their `sub`) and 2 per level canonically (adding it
/// to their `own`), so at most 6(⌈log₂ T⌉ + 1) lists, 2 integers each. A
/// slot's room is at most twice the most integers its list ever held (4 at
/// least), and the abandoned slots of a list add up to less than its
/// current room. So `store` holds at most 4 · 12n(⌈log₂ T⌉ + 1) integers
/// (in practice far fewer: coalescing keeps lists short), plus 3 integers
/// of slot header per list, 8T lists. The store's allocation doubles when
/// full, so it is at most twice what the store holds (and 4T + 64
/// integers at first).
struct GapIndex: ~Copyable {
    private let first: [Int]         // buffer -> first elementary interval
    private let end: [Int]           // buffer -> one past its last elementary interval
    private let leaves: Int          // number of elementary intervals, ≥ 1
    /// Every list's ranges (start0, end0, start1, end1, …), each list in
    /// its slot: `used` integers of `capacity`.
    private var store: UnsafeMutablePointer<Int>
    private var used = 0
    private var capacity: Int
    /// Per list (node k: `own` at 2k, `sub` at 2k + 1): its slot.
    private var slots: UnsafeMutablePointer<Slot>
    private let listCount: Int

    private struct Slot {
        /// Where the slot begins in `store`.
        var from = 0
        /// Integers the list holds (twice its ranges).
        var count = 0
        /// Integers the slot can hold.
        var room = 0
    }

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
        listCount = 8 * leaves
        slots = .allocate(capacity: listCount)
        slots.initialize(repeating: Slot(), count: listCount)
        capacity = 4 * leaves + 64
        store = .allocate(capacity: capacity)
    }

    deinit {
        slots.deallocate()
        store.deallocate()
    }

    /// Calls `body` with the storage the positions of ``gather(_:into:)``
    /// point into (valid until the next insertion).
    func withRanges<R>(_ body: (UnsafeBufferPointer<Int>) -> R) -> R {
        body(UnsafeBufferPointer(start: store, count: used))
    }

    /// Records buffer `i` as occupying `[start, stop)` (`start < stop`)
    /// during its lifetime. O(log T) lists, each updated as in `add`.
    mutating func insert(_ i: Int, start: Int, stop: Int) {
        let a = first[i], b = end[i]
        if a >= b || start >= stop { return }
        insert(node: 1, from: 0, to: leaves, a, b, start, stop)
    }

    private mutating func insert(node: Int, from lo: Int, to hi: Int, _ a: Int, _ b: Int, _ start: Int, _ stop: Int) {
        add(start, stop, to: 2 * node + 1)
        if a <= lo && hi <= b {
            add(start, stop, to: 2 * node)
            return
        }
        let mid = (lo + hi) / 2
        if a < mid { insert(node: 2 * node, from: lo, to: mid, a, b, start, stop) }
        if b > mid { insert(node: 2 * node + 1, from: mid, to: hi, a, b, start, stop) }
    }

    /// Appends to `scratch.lists` where each non-empty list holding the
    /// address ranges of the placed buffers whose lifetimes intersect
    /// buffer `i`'s begins and ends in ``store``: O(log T) lists, each
    /// sorted, overlapping one another.
    func gather(_ i: Int, into scratch: inout GapScratch) {
        let a = first[i], b = end[i]
        if a >= b { return }
        gather(node: 1, from: 0, to: leaves, a, b, into: &scratch)
    }

    private func gather(node: Int, from lo: Int, to hi: Int, _ a: Int, _ b: Int, into s: inout GapScratch) {
        if a <= lo && hi <= b {
            note(2 * node + 1, in: &s)
            return
        }
        note(2 * node, in: &s)
        let mid = (lo + hi) / 2
        if a < mid { gather(node: 2 * node, from: lo, to: mid, a, b, into: &s) }
        if b > mid { gather(node: 2 * node + 1, from: mid, to: hi, a, b, into: &s) }
    }

    @inline(__always)
    private func note(_ list: Int, in s: inout GapScratch) {
        let slot = slots[list]
        if slot.count == 0 { return }
        s.lists.append(slot.from)
        s.lists.append(slot.from + slot.count)
    }

    /// The ranges of one list, in order (for tests).
    func ranges(ofList list: Int) -> [Int] {
        let slot = slots[list]
        return Array(UnsafeBufferPointer(start: store + slot.from, count: slot.count))
    }

    /// Adds `[start, stop)` to list `l`, sorted, of disjoint, non-touching
    /// ranges, merging it with those it overlaps or touches. O(log m) to
    /// find the place, plus the shift of the tail when the count changes.
    private mutating func add(_ start: Int, _ stop: Int, to l: Int) {
        var slot = slots[l]
        let m = slot.count / 2
        // Fast path: above everything (the common case for an arena that
        // grows upward).
        if m == 0 || store[slot.from + 2 * m - 1] < start {
            if slot.count + 2 > slot.room { slot = grow(l) }
            store[slot.from + slot.count] = start
            store[slot.from + slot.count + 1] = stop
            slots[l].count = slot.count + 2
            return
        }
        let base = slot.from
        // The first range whose end reaches `start`.
        var lo = 0, hi = m
        while lo < hi {
            let mid = (lo + hi) / 2
            if store[base + 2 * mid + 1] < start { lo = mid + 1 } else { hi = mid }
        }
        var last = lo
        var mergedStart = start, mergedStop = stop
        while last < m && store[base + 2 * last] <= stop {
            mergedStart = min(mergedStart, store[base + 2 * last])
            mergedStop = max(mergedStop, store[base + 2 * last + 1])
            last += 1
        }
        if last == lo {
            // A new range before range `lo`: shift the tail up by one range.
            if slot.count + 2 > slot.room { slot = grow(l) }
            let from = slot.from
            var k = from + slot.count - 1
            while k >= from + 2 * lo {
                store[k + 2] = store[k]
                k -= 1
            }
            store[from + 2 * lo] = start
            store[from + 2 * lo + 1] = stop
            slots[l].count = slot.count + 2
        } else {
            store[base + 2 * lo] = mergedStart
            store[base + 2 * lo + 1] = mergedStop
            let removed = 2 * (last - lo - 1)
            if removed > 0 {
                // Ranges lo + 1 ..< last merged into lo: shift the tail down.
                var k = base + 2 * last
                while k < base + slot.count {
                    store[k - removed] = store[k]
                    k += 1
                }
                slots[l].count = slot.count - removed
            }
        }
    }

    /// Moves list `l` to a slot of twice the room (4 at least) at the end
    /// of ``store``; returns the new slot.
    private mutating func grow(_ l: Int) -> Slot {
        let old = slots[l]
        let room = max(4, 2 * old.room)
        if used + room > capacity {
            let larger = max(2 * capacity, used + room)
            let moved = UnsafeMutablePointer<Int>.allocate(capacity: larger)
            moved.moveInitialize(from: store, count: used)
            store.deallocate()
            store = moved
            capacity = larger
        }
        let from = used
        (store + from).initialize(repeating: 0, count: room)
        used += room
        (store + from).update(from: store + old.from, count: old.count)
        let slot = Slot(from: from, count: old.count, room: room)
        slots[l] = slot
        return slot
    }
}
