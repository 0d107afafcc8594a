/// Who owns which byte range of one addressed tier: a set of non-empty
/// `[start, end)` ranges, each owned by a tensor, ordered by start.
///
/// A treap (a binary search tree whose nodes also form a heap on random
/// priorities) stored in one array with a free list, so it is a value type
/// without per-node allocations. Priorities come from a fixed-seed
/// generator: runs are reproducible, and the expected depth is O(log n)
/// whatever order ranges arrive in. Every operation costs expected
/// O(log n) for n ranges held; memory is O(most ranges held at once),
/// independent of the addresses, so a tier of hundreds of gigabytes costs
/// no more than a small one.
///
/// The map itself does not refuse overlapping ranges; the verifier asks
/// `lastRange(startingBefore:)` first. Keys are `(start, owner)` so that two
/// ranges with one start can still be told apart if a caller skips the check.
struct AddressMap {
    /// One owned range, as reported to callers.
    struct Range: Equatable {
        var start: Int
        var end: Int
        var owner: Int
    }

    private struct Node {
        var range: Range
        var priority: UInt64
        var left: Int
        var right: Int
    }

    private var nodes: [Node] = []
    private var freeSlots: [Int] = []
    private var root = -1
    private var generator = SplitMix64(seed: 0x5707_A6E0)
    private(set) var count = 0

    /// Whether `a` sorts before `b`: by start, then by owner.
    private static func precedes(_ a: Range, _ start: Int, _ owner: Int) -> Bool {
        a.start < start || (a.start == start && a.owner < owner)
    }

    /// The held range with the largest start below `end`, if any. When the
    /// held ranges are disjoint, `[s, end)` overlaps some held range exactly
    /// when this one ends after `s`: ranges sorted by start are then sorted
    /// by end too. Expected O(log n).
    func lastRange(startingBefore end: Int) -> Range? {
        var node = root
        var best: Range?
        while node >= 0 {
            if nodes[node].range.start < end {
                best = nodes[node].range
                node = nodes[node].right
            } else {
                node = nodes[node].left
            }
        }
        return best
    }

    /// Adds a range. Expected O(log n).
    mutating func insert(_ range: Range) {
        let fresh = Node(range: range, priority: generator.next(), left: -1, right: -1)
        let slot: Int
        if let reused = freeSlots.popLast() {
            nodes[reused] = fresh
            slot = reused
        } else {
            nodes.append(fresh)
            slot = nodes.count - 1
        }
        let (below, rest) = split(root, start: range.start, owner: range.owner)
        root = merge(merge(below, slot), rest)
        count += 1
    }

    /// Removes the range that starts at `start` and belongs to `owner`;
    /// returns whether there was one. Expected O(log n).
    @discardableResult
    mutating func remove(start: Int, owner: Int) -> Bool {
        let (below, rest) = split(root, start: start, owner: owner)
        // `owner` is a tensor index, far below Int.max, so `owner + 1` is safe.
        let (match, above) = split(rest, start: start, owner: owner + 1)
        var removed = false
        var survivors = -1
        if match >= 0 {
            // Keys are unique per (start, owner), so `match` is one node.
            freeSlots.append(match)
            survivors = merge(nodes[match].left, nodes[match].right)
            removed = true
            count -= 1
        }
        root = merge(merge(below, survivors), above)
        return removed
    }

    /// Splits the subtree at `node` into keys below `(start, owner)` and the
    /// rest. Recursion depth is the treap's depth, expected O(log n).
    private mutating func split(_ node: Int, start: Int, owner: Int) -> (Int, Int) {
        guard node >= 0 else { return (-1, -1) }
        if Self.precedes(nodes[node].range, start, owner) {
            let (low, high) = split(nodes[node].right, start: start, owner: owner)
            nodes[node].right = low
            return (node, high)
        } else {
            let (low, high) = split(nodes[node].left, start: start, owner: owner)
            nodes[node].left = high
            return (low, node)
        }
    }

    /// Joins two subtrees when every key of `low` precedes every key of `high`.
    private mutating func merge(_ low: Int, _ high: Int) -> Int {
        if low < 0 { return high }
        if high < 0 { return low }
        if nodes[low].priority > nodes[high].priority {
            nodes[low].right = merge(nodes[low].right, high)
            return low
        } else {
            nodes[high].left = merge(low, nodes[high].left)
            return high
        }
    }

    /// Every held range in address order (for tests). O(n).
    var ranges: [Range] {
        var result: [Range] = []
        var stack: [Int] = []
        var node = root
        while node >= 0 || !stack.isEmpty {
            while node >= 0 {
                stack.append(node)
                node = nodes[node].left
            }
            let top = stack.removeLast()
            result.append(nodes[top].range)
            node = nodes[top].right
        }
        return result
    }
}
