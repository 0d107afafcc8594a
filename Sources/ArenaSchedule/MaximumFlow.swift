/// Maximum flow (Dinic's algorithm) on a small network with integer
/// capacities: breadth-first levels, then blocking flows by depth-first
/// search along level-increasing edges, repeated until the sink is cut off.
/// O(V² · E) worst case; far less on the shallow networks the bounds build.
struct MaximumFlow {
    private var head: [Int]
    private var next: [Int] = []
    private var to: [Int] = []
    private var capacity: [Int] = []

    init(nodes: Int) { head = [Int](repeating: -1, count: nodes) }

    /// An edge `from → to` of `capacity` (and its residual twin).
    mutating func addEdge(_ from: Int, _ target: Int, capacity c: Int) {
        to.append(target); capacity.append(c); next.append(head[from]); head[from] = to.count - 1
        to.append(from); capacity.append(0); next.append(head[target]); head[target] = to.count - 1
    }

    /// The maximum flow from `source` to `sink`, stopping early once it
    /// reaches `limit` (the caller needs no more).
    mutating func flow(from source: Int, to sink: Int, limit: Int = Int.max) -> Int {
        let n = head.count
        var total = 0
        var level = [Int](repeating: -1, count: n)
        var cursor = head
        var queue = [Int](repeating: 0, count: n)
        while total < limit {
            for i in 0 ..< n { level[i] = -1 }
            level[source] = 0
            var front = 0, back = 1
            queue[0] = source
            while front < back {
                let u = queue[front]
                front += 1
                var e = head[u]
                while e >= 0 {
                    if capacity[e] > 0 && level[to[e]] < 0 {
                        level[to[e]] = level[u] + 1
                        queue[back] = to[e]
                        back += 1
                    }
                    e = next[e]
                }
            }
            if level[sink] < 0 { break }
            cursor = head
            while total < limit {
                let pushed = augment(source, sink, limit - total, &level, &cursor)
                if pushed == 0 { break }
                total += pushed
            }
        }
        return total
    }

    /// One augmenting path along increasing levels (an explicit stack: no
    /// recursion as deep as the network).
    private mutating func augment(_ source: Int, _ sink: Int, _ limit: Int, _ level: inout [Int], _ cursor: inout [Int]) -> Int {
        var path: [Int] = []
        var u = source
        while true {
            if u == sink {
                var pushed = limit
                for e in path { pushed = min(pushed, capacity[e]) }
                for e in path {
                    capacity[e] -= pushed
                    capacity[e ^ 1] += pushed
                }
                return pushed
            }
            var advanced = false
            while cursor[u] >= 0 {
                let e = cursor[u]
                if capacity[e] > 0 && level[to[e]] == level[u] + 1 {
                    path.append(e)
                    u = to[e]
                    advanced = true
                    break
                }
                cursor[u] = next[e]
            }
            if advanced { continue }
            // Dead end: no path through u at this level.
            level[u] = -1
            guard let e = path.popLast() else { return 0 }
            u = to[e ^ 1]
            cursor[u] = next[cursor[u]]
        }
    }
}
