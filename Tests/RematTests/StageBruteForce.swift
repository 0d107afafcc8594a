import MemoryGraph

/// The cheapest *stage* schedule of a tiny graph, by exhaustive search:
/// the scope of Checkmate's MILP written from its definition alone. The
/// operators' first computations follow the graph's topological order; in
/// stage t any earlier operator may run again, at most once and in that
/// order, and then operator t runs. Frees (free of cost) may come at any
/// point. Otherwise the memory model is the one of ``BruteForce``: an
/// execution needs what it reads resident, makes its outputs resident,
/// and the resident bytes then must be at most the budget; at the end
/// every graph output is resident.
///
/// Dijkstra's algorithm over states (stage, next position in the stage,
/// resident activations), with costs as small integers.
struct StageBruteForce {
    let graph: Graph
    let budget: Int

    func optimum() -> Int? {
        let activations = graph.tensors.indices.filter { graph.tensors[$0].kind == .activation }
        var bit: [Int: Int] = [:]
        for (i, t) in activations.enumerated() { bit[t] = i }
        let order = graph.topologicalOrder
        let n = order.count
        precondition(activations.count <= 24 && n <= 10, "tiny graphs only")
        let size = activations.map { graph.tensors[$0].bytes ?? 0 }
        var readMask = [UInt32](repeating: 0, count: n), writeMask = readMask
        for (p, o) in order.enumerated() {
            for t in graph.operators[o].reads { if let b = bit[t] { readMask[p] |= 1 << UInt32(b) } }
            for t in graph.operators[o].outputs { if let b = bit[t] { writeMask[p] |= 1 << UInt32(b) } }
        }
        var outputMask: UInt32 = 0
        for t in graph.outputs { if let b = bit[t] { outputMask |= 1 << UInt32(b) } }
        let cost = order.map { Int(graph.operators[$0].executionCost) }
        func bytes(_ mask: UInt32) -> Int {
            var total = 0, m = mask, i = 0
            while m != 0 { if m & 1 != 0 { total += size[i] }; m >>= 1; i += 1 }
            return total
        }
        // State: stage (8 bits), position in the stage (8 bits), resident mask (32 bits).
        func key(_ stage: Int, _ position: Int, _ mask: UInt32) -> UInt64 { UInt64(stage) << 40 | UInt64(position) << 32 | UInt64(mask) }
        var best: [UInt64: Int] = [key(0, 0, 0): 0]
        var buckets: [[UInt64]] = [[key(0, 0, 0)]]
        var d = 0
        while d < buckets.count {
            var i = 0
            while i < buckets[d].count {
                let state = buckets[d][i]
                i += 1
                guard best[state] == d else { continue }
                let stage = Int(state >> 40), position = Int(state >> 32 & 0xFF), mask = UInt32(state & 0xFFFF_FFFF)
                if stage == n { if mask & outputMask == outputMask { return d } else { continue } }
                func push(_ next: UInt64, _ c: Int) {
                    if let known = best[next], known <= c { return }
                    best[next] = c
                    while buckets.count <= c { buckets.append([]) }
                    buckets[c].append(next)
                }
                var m = mask
                while m != 0 {
                    let low = m & (~m &+ 1)
                    push(key(stage, position, mask & ~low), d)
                    m &= ~low
                }
                let runs = mask & readMask[position] == readMask[position] && bytes(mask | writeMask[position]) <= budget
                if position < stage {
                    push(key(stage, position + 1, mask), d)  // not recomputed in this stage
                    if runs { push(key(stage, position + 1, mask | writeMask[position]), d + cost[position]) }
                } else if runs {
                    push(key(stage + 1, 0, mask | writeMask[position]), d + cost[position])
                }
            }
            d += 1
        }
        return nil
    }
}
