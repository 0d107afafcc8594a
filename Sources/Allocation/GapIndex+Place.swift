/// Reusable buffers for ``GapIndex/place(_:size:alignment:firstFit:scratch:)``,
/// so that a greedy pass allocates nothing per buffer.
struct GapScratch {
    /// The gathered lists, as pairs: where each begins and ends in
    /// the index's storage (see ``GapIndex/withRanges(_:)``).
    var lists: [Int] = []
    /// Per list: its read position in the store.
    var position: [Int] = []
    /// Lists ordered as a binary min-heap by the start at their position.
    var heap: [Int] = []
}

extension GapIndex {
    /// The offset a greedy allocator gives buffer `i` (`size` > 0): among
    /// the gaps left by the placed buffers whose lifetimes intersect its
    /// own, the lowest that holds it (`firstFit`), or the smallest (best
    /// fit, the lowest of equal ones); above them all when none does.
    ///
    /// The O(log T) coalesced lists of the query (see ``gather(_:into:)``)
    /// are read in place and merged with a heap rather than sorted, and the
    /// walk stops at the first fitting gap (first fit) or at a gap of
    /// exactly the size (best fit: none can be smaller). O(log T + r log L)
    /// for r ranges in L lists.
    func place(_ i: Int, size: Int, alignment: Int, firstFit: Bool, scratch s: inout GapScratch) -> Int {
        s.lists.removeAll(keepingCapacity: true)
        gather(i, into: &s)
        let lists = s.lists.count / 2
        if lists == 0 { return 0 }
        var cursor = 0
        var best: (gap: Int, offset: Int)?
        /// Considers the gap [cursor, start); true when the walk can stop.
        @inline(__always)
        func consider(_ start: Int) -> Bool {
            guard start > cursor else { return false }
            let candidate = roundUp(cursor, alignment)
            guard candidate + size <= start else { return false }
            if firstFit { best = (0, candidate); return true }
            let gap = start - cursor
            if best == nil || gap < best!.gap { best = (gap, candidate) }
            return gap == size
        }
        let stop: Bool = withRanges { ranges in
            if lists == 1 {
                var k = s.lists[0]
                let end = s.lists[1]
                while k < end {
                    if consider(ranges[k]) { return true }
                    cursor = max(cursor, ranges[k + 1])
                    k += 2
                }
                return false
            }
            // Heap-ordered merge of the lists by start.
            s.position.removeAll(keepingCapacity: true)
            s.heap.removeAll(keepingCapacity: true)
            for l in 0 ..< lists {
                s.position.append(s.lists[2 * l])
                s.heap.append(l)
            }
            return s.lists.withUnsafeBufferPointer { bounds in
                s.position.withUnsafeMutableBufferPointer { position in
                    s.heap.withUnsafeMutableBufferPointer { heap in
                        var count = lists
                        @inline(__always) func key(_ l: Int) -> Int { ranges[position[l]] }
                        func siftDown(_ from: Int) {
                            var parent = from
                            let item = heap[parent]
                            let itemKey = key(item)
                            while true {
                                var child = 2 * parent + 1
                                if child >= count { break }
                                if child + 1 < count && key(heap[child + 1]) < key(heap[child]) { child += 1 }
                                if key(heap[child]) >= itemKey { break }
                                heap[parent] = heap[child]
                                parent = child
                            }
                            heap[parent] = item
                        }
                        var k = count / 2
                        while k > 0 { k -= 1; siftDown(k) }
                        while count > 0 {
                            let l = heap[0]
                            let p = position[l]
                            if consider(ranges[p]) { return true }
                            cursor = max(cursor, ranges[p + 1])
                            position[l] = p + 2
                            if p + 2 >= bounds[2 * l + 1] {
                                count -= 1
                                heap[0] = heap[count]
                            }
                            if count > 0 { siftDown(0) }
                        }
                        return false
                    }
                }
            }
        }
        if stop { return best!.offset }
        return best?.offset ?? roundUp(cursor, alignment)
    }
}
