import MemoryGraph

/// A tiny graph's activations as bits, for the exhaustive searches
/// (``BruteForce``, ``SpillBruteForce``, ``StageBruteForce``): bit i is the
/// i-th activation; per operator (in `order`) the activations it reads and
/// writes; the graph outputs; the costs. Graph inputs and weights have no
/// bit: they are outside the budget.
struct TinyGraphMasks {
    let activationCount: Int
    let size: [Int]
    let readMask: [UInt64]
    let writeMask: [UInt64]
    let outputMask: UInt64
    let cost: [Int]

    /// `order` lists the operators the masks are indexed by (default: the graph's own order).
    init(_ graph: Graph, order: [Int]? = nil) {
        let activations = graph.tensors.indices.filter { graph.tensors[$0].kind == .activation }
        precondition(activations.count <= 32, "tiny graphs only")
        var bit: [Int: Int] = [:]
        for (i, t) in activations.enumerated() { bit[t] = i }
        let operators = order ?? Array(graph.operators.indices)
        func mask(_ tensors: [Int]) -> UInt64 {
            tensors.reduce(0) { mask, t in bit[t].map { mask | 1 << UInt64($0) } ?? mask }
        }
        activationCount = activations.count
        size = activations.map { graph.tensors[$0].bytes ?? 0 }
        readMask = operators.map { mask(graph.operators[$0].reads) }
        writeMask = operators.map { mask(graph.operators[$0].outputs) }
        outputMask = mask(graph.outputs)
        cost = operators.map { Int(graph.operators[$0].executionCost) }
    }

    /// The bytes of the activations in `mask`.
    func bytes(_ mask: UInt64) -> Int {
        var total = 0, m = mask, i = 0
        while m != 0 { if m & 1 != 0 { total += size[i] }; m >>= 1; i += 1 }
        return total
    }
}

/// Dijkstra's algorithm with small integer costs (Dial's: a list of
/// buckets, one per cost), over states packed in a UInt64: the least cost
/// from `start` to a state `isGoal` accepts, nil when none is reachable.
/// `expand` offers each successor of a state with the cost of the move.
/// O(states + moves + the largest cost) time, O(states) memory.
func cheapestPath(from start: UInt64, isGoal: (UInt64) -> Bool,
                  expand: (UInt64, _ offer: (UInt64, Int) -> Void) -> Void) -> Int? {
    var best: [UInt64: Int] = [start: 0]
    var buckets: [[UInt64]] = [[start]]
    var d = 0
    while d < buckets.count {
        var i = 0
        while i < buckets[d].count {
            let state = buckets[d][i]
            i += 1
            guard best[state] == d else { continue }
            if isGoal(state) { return d }
            expand(state) { next, move in
                let c = d + move
                if let known = best[next], known <= c { return }
                best[next] = c
                while buckets.count <= c { buckets.append([]) }
                buckets[c].append(next)
            }
        }
        d += 1
    }
    return nil
}
