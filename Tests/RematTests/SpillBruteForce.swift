import MemoryGraph

/// The memory model with spills written a third time, as a search (as
/// ``BruteForce`` without them): the cheapest schedule of a tiny graph over
/// every sequence of executions (each operator at most `cap` times, or
/// any number when `cap` is nil),
/// stores, loads and frees, by Dijkstra's algorithm over states (device
/// residents, valid host copies, executions so far).
///
/// From the rules alone: a store needs the value on the device and makes
/// the host copy valid (costing `store` per byte); a load needs a valid
/// host copy and room for the value on the device (costing `load` per
/// byte); an execution needs what it reads on the device, room for what it
/// writes, and makes the host copies of what it writes stale; frees cost
/// nothing; host memory is unbounded. Integer costs per byte.
struct SpillBruteForce {
    let graph: Graph
    let budget: Int
    let cap: Int?
    let store: Int
    let load: Int

    func optimum() -> Int? {
        let g = TinyGraphMasks(graph)
        let n = graph.operators.count
        precondition(g.activationCount <= 16 && n <= 16 && (cap ?? 1) <= 3, "tiny graphs only")
        // Key: device (16 bits) | host (16 bits) << 16 | counts (2 bits per operator) << 32.
        func key(_ device: UInt64, _ host: UInt64, _ counts: UInt64) -> UInt64 { device | host << 16 | counts << 32 }
        func count(_ counts: UInt64, _ o: Int) -> UInt64 { counts >> (2 * UInt64(o)) & 3 }
        return cheapestPath(from: key(0, 0, 0), isGoal: { state in
            let device = state & 0xFFFF, counts = state >> 32
            return (0 ..< n).allSatisfy { count(counts, $0) >= 1 } && device & g.outputMask == g.outputMask
        }, expand: { state, offer in
            let device = state & 0xFFFF, host = state >> 16 & 0xFFFF, counts = state >> 32
            for b in 0 ..< g.activationCount {
                let m = UInt64(1) << UInt64(b)
                if device & m != 0 {
                    offer(key(device & ~m, host, counts), 0)  // free
                    if host & m == 0 { offer(key(device, host | m, counts), store * g.size[b]) }  // store
                } else if host & m != 0, g.bytes(device | m) <= budget {
                    offer(key(device | m, host, counts), load * g.size[b])  // load
                }
            }
            for o in 0 ..< n where device & g.readMask[o] == g.readMask[o] {
                if let cap, count(counts, o) >= UInt64(cap) { continue }
                let after = device | g.writeMask[o]
                guard g.bytes(after) <= budget else { continue }
                // Uncapped: the count only records that the operator ran.
                let nextCounts = cap == nil ? counts | (1 << (2 * UInt64(o))) : counts + (1 << (2 * UInt64(o)))
                offer(key(after, host & ~g.writeMask[o], nextCounts), g.cost[o])
            }
        })
    }
}
