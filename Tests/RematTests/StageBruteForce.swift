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
        let order = graph.topologicalOrder
        let g = TinyGraphMasks(graph, order: order)
        let n = order.count
        precondition(g.activationCount <= 24 && n <= 10, "tiny graphs only")
        // State: stage (8 bits), position in the stage (8 bits), resident mask (32 bits).
        func key(_ stage: Int, _ position: Int, _ mask: UInt64) -> UInt64 { UInt64(stage) << 40 | UInt64(position) << 32 | mask }
        func decode(_ state: UInt64) -> (stage: Int, position: Int, mask: UInt64) {
            (Int(state >> 40), Int(state >> 32 & 0xFF), state & 0xFFFF_FFFF)
        }
        return cheapestPath(from: key(0, 0, 0), isGoal: { state in
            let (stage, _, mask) = decode(state)
            return stage == n && mask & g.outputMask == g.outputMask
        }, expand: { state, offer in
            let (stage, position, mask) = decode(state)
            guard stage < n else { return }  // every stage done, an output missing: a dead end
            var m = mask
            while m != 0 {
                let low = m & (~m &+ 1)
                offer(key(stage, position, mask & ~low), 0)
                m &= ~low
            }
            let runs = mask & g.readMask[position] == g.readMask[position] && g.bytes(mask | g.writeMask[position]) <= budget
            if position < stage {
                offer(key(stage, position + 1, mask), 0)  // not recomputed in this stage
                if runs { offer(key(stage, position + 1, mask | g.writeMask[position]), g.cost[position]) }
            } else if runs {
                offer(key(stage + 1, 0, mask | g.writeMask[position]), g.cost[position])
            }
        })
    }
}
