/// The buffers placed so far, indexed by lifetime, so that a greedy
/// allocator finds those conflicting with a new buffer without scanning all
/// of them.
///
/// All lifetimes are known up front, so the index is a static max-segment
/// tree over the buffers sorted by `lower`: a leaf holds its buffer's
/// `upper` once placed (`Int.min` before). The buffers conflicting with
/// `[l, u)` are the placed ones among the prefix with `lower < u` whose
/// `upper > l`; a descent that skips subtrees whose maximum `upper` is at
/// most `l` reports them in O((k + 1) log n) for k conflicts. Insertion is
/// O(log n).
struct PlacedIndex {
    private let lowers: [Int]        // sorted ascending
    private let position: [Int]      // buffer index -> leaf position
    private let buffer: [Int]        // leaf position -> buffer index
    private var tree: [Int]          // max upper per node; leaves at [leaves ..< 2 * leaves]
    private let leaves: Int

    init(lower: [Int], upper: [Int]) {
        let n = lower.count
        let order = (0 ..< n).sorted { lower[$0] < lower[$1] }
        var position = [Int](repeating: 0, count: n)
        for (p, i) in order.enumerated() { position[i] = p }
        var leaves = 1
        while leaves < max(n, 1) { leaves *= 2 }
        self.lowers = order.map { lower[$0] }
        self.position = position
        self.buffer = order
        self.leaves = leaves
        self.tree = [Int](repeating: Int.min, count: 2 * leaves)
        self.uppers = upper
    }

    private let uppers: [Int]

    /// Marks buffer `i` as placed. O(log n).
    mutating func insert(_ i: Int) {
        var node = leaves + position[i]
        let value = uppers[i]
        tree[node] = value
        node /= 2
        while node >= 1 {
            let m = max(tree[2 * node], tree[2 * node + 1])
            if tree[node] == m { break }
            tree[node] = m
            node /= 2
        }
    }

    /// Appends to `found` every placed buffer whose lifetime intersects
    /// `[lower, upper)`.
    func forEachConflict(lower: Int, upper: Int, stack: inout [Int], into found: inout [Int]) {
        // Leaves [0, limit) have lower < upper.
        var lo = 0, hi = lowers.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lowers[mid] < upper { lo = mid + 1 } else { hi = mid }
        }
        let limit = lo
        if limit == 0 { return }
        // Only node ids go on the stack: a node at depth d (node in
        // [2^d, 2^(d+1))) spans leaves >> d leaves from (node - 2^d) × span.
        stack.removeAll(keepingCapacity: true)
        stack.append(1)
        let depthOfLeaves = leaves.trailingZeroBitCount
        tree.withUnsafeBufferPointer { tree in
            buffer.withUnsafeBufferPointer { buffer in
                while let node = stack.popLast() {
                    if tree[node] <= lower { continue }
                    let depth = Int.bitWidth - 1 - node.leadingZeroBitCount
                    let shift = depthOfLeaves - depth
                    let first = (node - (1 << depth)) << shift
                    if first >= limit { continue }
                    if shift == 0 {
                        found.append(buffer[first])
                        continue
                    }
                    stack.append(2 * node + 1)
                    stack.append(2 * node)
                }
            }
        }
    }
}
