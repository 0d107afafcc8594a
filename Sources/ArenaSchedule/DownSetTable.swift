/// The states of the exact search: down-sets of a stretch's operators as
/// bitsets of `words` 64-bit words, each with its best key (a lower bound
/// on the peak of every order through it), its live bytes, its parent and
/// the operator that led to it from there.
///
/// Lookup is by a 64-bit Zobrist hash of the set (the XOR of one random
/// word per operator, updated in O(1) when an operator is added) in an
/// open-addressing table; a hit is confirmed by comparing the set itself,
/// so a hash collision never merges two states.
///
/// Memory: per state `8 · words` bytes for the set plus 53 bytes of fields,
/// and 16 to 32 bytes of table slots (a hash and an index per slot, load
/// between 1/4 and 1/2).
struct DownSetTable {
    let words: Int
    private(set) var bits: [UInt64] = []
    private(set) var hashes: [UInt64] = []
    var keys: [Int] = []
    /// The state's own lower bound on its completions (part of its key).
    var bounds: [Int] = []
    var live: [Int] = []
    var parents: [Int32] = []
    var lastOperators: [Int32] = []
    var closed: [Bool] = []
    var depths: [Int32] = []
    /// Pairs (hash, state index); an index of `empty` marks a free slot.
    private var slots: [UInt64]
    private var mask: Int
    private static let empty = UInt64.max

    init(words: Int) {
        self.words = words
        slots = Self.freeSlots(1024)
        mask = 1023
    }

    private static func freeSlots(_ count: Int) -> [UInt64] {
        var slots = [UInt64](repeating: 0, count: 2 * count)
        for slot in 0 ..< count { slots[2 * slot + 1] = empty }
        return slots
    }

    var count: Int { keys.count }

    /// Whether the next insertion rehashes every state (O(states) time and
    /// a table twice the size): the search checks its deadline first.
    var growsOnNextInsert: Bool { keys.count + 1 > slots.count / 4 }

    /// The state holding exactly the set `set` (with Zobrist hash `hash`),
    /// if stored. Expected O(words); the set itself is read only when the
    /// hash kept in the slot matches.
    func find(_ set: UnsafeBufferPointer<UInt64>, hash: UInt64) -> Int? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = slots[2 * slot + 1]
            if index == Self.empty { return nil }
            if slots[2 * slot] == hash && equals(Int(index), set) { return Int(index) }
            slot = (slot + 1) & mask
        }
    }

    /// Stores a new state and returns its index. Amortised O(words).
    mutating func insert(_ set: UnsafeBufferPointer<UInt64>, hash: UInt64, key: Int, bound: Int, live: Int, parent: Int,
                         lastOperator: Int, depth: Int) -> Int {
        let index = keys.count
        bits.append(contentsOf: set)
        hashes.append(hash)
        keys.append(key)
        bounds.append(bound)
        self.live.append(live)
        parents.append(Int32(truncatingIfNeeded: parent))
        lastOperators.append(Int32(truncatingIfNeeded: lastOperator))
        closed.append(false)
        depths.append(Int32(truncatingIfNeeded: depth))
        if keys.count > slots.count / 4 { grow() } else { place(index) }
        return index
    }

    /// Copies state `index`'s set into `target`.
    func copySet(_ index: Int, into target: UnsafeMutableBufferPointer<UInt64>) {
        for w in 0 ..< words { target[w] = bits[index * words + w] }
    }

    private func equals(_ index: Int, _ set: UnsafeBufferPointer<UInt64>) -> Bool {
        let base = index * words
        for w in 0 ..< words where bits[base + w] != set[w] { return false }
        return true
    }

    private mutating func place(_ index: Int) {
        var slot = Int(truncatingIfNeeded: hashes[index]) & mask
        while slots[2 * slot + 1] != Self.empty { slot = (slot + 1) & mask }
        slots[2 * slot] = hashes[index]
        slots[2 * slot + 1] = UInt64(index)
    }

    private mutating func grow() {
        let count = slots.count  // twice the slots: the new slot count
        slots = Self.freeSlots(count)
        mask = count - 1
        for index in 0 ..< keys.count { place(index) }
    }
}

/// The states waiting to be expanded, by key, deeper states first on
/// equal keys (so that, among equally good states, the search dives toward
/// a complete order). Keys are byte counts that take few distinct values,
/// so the queue is a bucket per key (a small heap of the keys in use) and,
/// inside it, a stack per depth: push and pop are O(log keys) at worst,
/// and 4 bytes per entry. Entries may be stale: the search skips those
/// whose key no longer matches the state's.
struct StateQueue {
    private struct Bucket {
        var stacks: [[Int32]]
        /// The deepest depth that may hold entries.
        var top = -1
        var count = 0
    }

    private let depths: Int
    private var buckets: [Int: Bucket] = [:]
    /// Keys with a bucket, as a binary min-heap.
    private var keys: [Int] = []
    private(set) var count = 0

    init(depths: Int) { self.depths = depths }

    var isEmpty: Bool { count == 0 }
    var minimumKey: Int? { keys.first }

    mutating func push(key: Int, depth: Int, state: Int) {
        if buckets[key] == nil {
            buckets[key] = Bucket(stacks: [[Int32]](repeating: [], count: depths + 1))
            keys.append(key)
            var i = keys.count - 1
            while i > 0, keys[(i - 1) / 2] > keys[i] {
                keys.swapAt(i, (i - 1) / 2)
                i = (i - 1) / 2
            }
        }
        buckets[key]!.stacks[depth].append(Int32(truncatingIfNeeded: state))
        buckets[key]!.top = max(buckets[key]!.top, depth)
        buckets[key]!.count += 1
        count += 1
    }

    /// The deepest entry of the smallest key.
    mutating func pop() -> (key: Int, depth: Int, state: Int)? {
        guard let key = keys.first, var bucket = buckets.removeValue(forKey: key) else { return nil }
        while bucket.stacks[bucket.top].isEmpty { bucket.top -= 1 }
        let depth = bucket.top
        let state = Int(bucket.stacks[depth].removeLast())
        bucket.count -= 1
        count -= 1
        if bucket.count > 0 {
            buckets[key] = bucket
        } else {
            let last = keys.removeLast()
            if !keys.isEmpty {
                keys[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var smallest = i
                    if l < keys.count && keys[l] < keys[smallest] { smallest = l }
                    if r < keys.count && keys[r] < keys[smallest] { smallest = r }
                    if smallest == i { break }
                    keys.swapAt(i, smallest)
                    i = smallest
                }
            }
        }
        return (key, depth, state)
    }
}
