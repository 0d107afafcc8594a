import Allocation

/// A Watts–Strogatz small-world graph (Nature, 1998), as RandWire (Xie et
/// al., ICCV 2019) draws its stages: `n` nodes on a ring, each joined to
/// its `k / 2` nearest neighbours on either side; then, one neighbour
/// distance at a time and one node at a time, each such edge is rewired
/// with probability `p` to a uniformly chosen node that is neither the node
/// itself nor already joined to it (the procedure of networkx's
/// `watts_strogatz_graph`).
///
/// RandWire makes the graph a DAG by pointing every edge from the lower
/// to the higher node index; ``edges`` are returned that way, sorted.
/// O(n · k) expected time and memory.
public struct WattsStrogatz: Sendable {
    public let nodes: Int
    public let edges: [(from: Int, to: Int)]

    /// `n > k ≥ 2` with `k` even (``RandWire/stage(nodes:neighbours:rewiring:sizes:seed:)``
    /// checks); otherwise the ring has fewer edges than described.
    public init(nodes n: Int, neighbours k: Int, rewiring p: Double, random: inout SplitMix64) {
        let n = max(n, 0)
        var adjacent = [Set<Int>](repeating: [], count: n)
        for u in 0 ..< n {
            for j in stride(from: 1, through: k / 2, by: 1) {
                let v = (u + j) % n
                adjacent[u].insert(v)
                adjacent[v].insert(u)
            }
        }
        for j in stride(from: 1, through: k / 2, by: 1) {
            for u in 0 ..< n {
                let v = (u + j) % n
                guard adjacent[u].contains(v), random.chance(p) else { continue }
                // A node fully joined to every other keeps its edge.
                guard adjacent[u].count < n - 1 else { continue }
                var w = random.below(n)
                while w == u || adjacent[u].contains(w) { w = random.below(n) }
                adjacent[u].remove(v)
                adjacent[v].remove(u)
                adjacent[u].insert(w)
                adjacent[w].insert(u)
            }
        }
        var edges: [(from: Int, to: Int)] = []
        for u in 0 ..< n {
            for v in adjacent[u] where u < v { edges.append((u, v)) }
        }
        edges.sort { ($0.from, $0.to) < ($1.from, $1.to) }
        nodes = n
        self.edges = edges
    }
}
