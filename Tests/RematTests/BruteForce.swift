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
        let activations = graph.tensors.indices.filter { graph.tensors[$0].kind == .activation }
        var bit: [Int: Int] = [:]
        for (i, t) in activations.enumerated() { bit[t] = i }
        let n = graph.operators.count
        precondition(activations.count <= 24 && n <= 10, "tiny graphs only")
        let size = activations.map { graph.tensors[$0].bytes ?? 0 }
        var readMask = [UInt32](repeating: 0, count: n), writeMask = readMask
        for (o, op) in graph.operators.enumerated() {
            for t in op.reads { if let b = bit[t] { readMask[o] |= 1 << UInt32(b) } }
            for t in op.outputs { if let b = bit[t] { writeMask[o] |= 1 << UInt32(b) } }
        }
        var outputMask: UInt32 = 0
        for t in graph.outputs { if let b = bit[t] { outputMask |= 1 << UInt32(b) } }
        let cost = graph.operators.map { Int($0.executionCost) }
        func bytes(_ mask: UInt32) -> Int {
            var total = 0, m = mask, i = 0
            while m != 0 { if m & 1 != 0 { total += size[i] }; m >>= 1; i += 1 }
            return total
        }
        // Counts: 2 bits per operator (0, 1, 2, 3 = "ran" when uncapped).
        let limit = UInt64(cap ?? 1)
        func key(_ mask: UInt32, _ counts: UInt64) -> UInt64 { UInt64(mask) << 32 | counts }
        func count(_ counts: UInt64, _ o: Int) -> UInt64 { counts >> (2 * UInt64(o)) & 3 }
        let allRan: (UInt64) -> Bool = { counts in (0 ..< n).allSatisfy { count(counts, $0) >= 1 } }
        var best: [UInt64: Int] = [key(0, 0): 0]
        var buckets: [[UInt64]] = [[key(0, 0)]]
        var d = 0
        while d < buckets.count {
            var i = 0
            while i < buckets[d].count {
                let state = buckets[d][i]
                i += 1
                guard best[state] == d else { continue }
                let mask = UInt32(state >> 32), counts = state & 0xFFFF_FFFF
                if allRan(counts) && mask & outputMask == outputMask { return d }
                func push(_ next: UInt64, _ c: Int) {
                    if let known = best[next], known <= c { return }
                    best[next] = c
                    while buckets.count <= c { buckets.append([]) }
                    buckets[c].append(next)
                }
                // Frees.
                var m = mask
                while m != 0 {
                    let low = m & (~m &+ 1)
                    push(key(mask & ~low, counts), d)
                    m &= ~low
                }
                // Executions.
                for o in 0 ..< n where mask & readMask[o] == readMask[o] {
                    let c = count(counts, o)
                    if cap != nil && c >= limit { continue }
                    let after = mask | writeMask[o]
                    guard bytes(after) <= budget else { continue }
                    let nextCounts = cap == nil ? counts | (1 << (2 * UInt64(o))) : counts + (1 << (2 * UInt64(o)))
                    push(key(after, nextCounts), d + cost[o])
                }
            }
            d += 1
        }
        return nil
    }
}
