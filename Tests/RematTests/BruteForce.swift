import MemoryGraph

/// The memory model of rematerialisation written a third time, as a
/// search: the cheapest schedule of a tiny graph, over every sequence of
/// executions (each operator at most `cap` times, or any number when `cap`
/// is nil) and every choice of frees, by Dijkstra's algorithm over states
/// (resident activations, executions so far per operator). Costs are small
/// integers in the tests, so the queue is a list of buckets.
///
/// Written from the model's rules alone (see the Remat module's doc): an
/// execution needs every activation it reads resident, makes its outputs
/// resident, and the resident bytes then (its outputs included) must be at
/// most the budget; a free costs nothing; at the end every operator has run
/// and every graph output is resident. Graph inputs and weights are outside
/// the budget.
struct BruteForce {
    let graph: Graph
    let budget: Int
    let cap: Int?

    /// The least cost, nil when no schedule fits.
    func optimum() -> Int? {
        let g = TinyGraphMasks(graph)
        let n = graph.operators.count
        precondition(g.activationCount <= 24 && n <= 10, "tiny graphs only")
        // State: resident mask << 32 | counts (2 bits per operator; 0, 1, 2, 3 = "ran" when uncapped).
        let limit = UInt64(cap ?? 1)
        func key(_ mask: UInt64, _ counts: UInt64) -> UInt64 { mask << 32 | counts }
        func count(_ counts: UInt64, _ o: Int) -> UInt64 { counts >> (2 * UInt64(o)) & 3 }
        return cheapestPath(from: key(0, 0), isGoal: { state in
            let mask = state >> 32, counts = state & 0xFFFF_FFFF
            return (0 ..< n).allSatisfy { count(counts, $0) >= 1 } && mask & g.outputMask == g.outputMask
        }, expand: { state, offer in
            let mask = state >> 32, counts = state & 0xFFFF_FFFF
            // Frees.
            var m = mask
            while m != 0 {
                let low = m & (~m &+ 1)
                offer(key(mask & ~low, counts), 0)
                m &= ~low
            }
            // Executions.
            for o in 0 ..< n where mask & g.readMask[o] == g.readMask[o] {
                if cap != nil && count(counts, o) >= limit { continue }
                let after = mask | g.writeMask[o]
                guard g.bytes(after) <= budget else { continue }
                let nextCounts = cap == nil ? counts | (1 << (2 * UInt64(o))) : counts + (1 << (2 * UInt64(o)))
                offer(key(after, nextCounts), g.cost[o])
            }
        })
    }
}
