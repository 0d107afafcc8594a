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
        let activations = graph.tensors.indices.filter { graph.tensors[$0].kind == .activation }
        var bit: [Int: Int] = [:]
        for (i, t) in activations.enumerated() { bit[t] = i }
        let n = graph.operators.count
        precondition(activations.count <= 16 && n <= 16 && (cap ?? 1) <= 3, "tiny graphs only")
        let size = activations.map { graph.tensors[$0].bytes ?? 0 }
        var readMask = [UInt64](repeating: 0, count: n), writeMask = readMask
        for (o, op) in graph.operators.enumerated() {
            for t in op.reads { if let b = bit[t] { readMask[o] |= 1 << UInt64(b) } }
            for t in op.outputs { if let b = bit[t] { writeMask[o] |= 1 << UInt64(b) } }
        }
        var outputMask: UInt64 = 0
        for t in graph.outputs { if let b = bit[t] { outputMask |= 1 << UInt64(b) } }
        let cost = graph.operators.map { Int($0.executionCost) }
        func bytes(_ mask: UInt64) -> Int {
            var total = 0, m = mask, i = 0
            while m != 0 { if m & 1 != 0 { total += size[i] }; m >>= 1; i += 1 }
            return total
        }
        // Key: device (16 bits) | host (16 bits) << 16 | counts (2 bits per operator) << 32.
        func key(_ device: UInt64, _ host: UInt64, _ counts: UInt64) -> UInt64 { device | host << 16 | counts << 32 }
        func count(_ counts: UInt64, _ o: Int) -> UInt64 { counts >> (2 * UInt64(o)) & 3 }
        var best: [UInt64: Int] = [key(0, 0, 0): 0]
        var buckets: [[UInt64]] = [[key(0, 0, 0)]]
        var d = 0
        while d < buckets.count {
            var i = 0
            while i < buckets[d].count {
                let state = buckets[d][i]
                i += 1
                guard best[state] == d else { continue }
                let device = state & 0xFFFF, host = state >> 16 & 0xFFFF, counts = state >> 32
                if (0 ..< n).allSatisfy({ count(counts, $0) >= 1 }) && device & outputMask == outputMask { return d }
                func push(_ next: UInt64, _ c: Int) {
                    if let known = best[next], known <= c { return }
                    best[next] = c
                    while buckets.count <= c { buckets.append([]) }
                    buckets[c].append(next)
                }
                for b in 0 ..< activations.count {
                    let m = UInt64(1) << UInt64(b)
                    if device & m != 0 {
                        push(key(device & ~m, host, counts), d)  // free
                        if host & m == 0 { push(key(device, host | m, counts), d + store * size[b]) }  // store
                    } else if host & m != 0, bytes(device | m) <= budget {
                        push(key(device | m, host, counts), d + load * size[b])  // load
                    }
                }
                for o in 0 ..< n where device & readMask[o] == readMask[o] {
                    if let cap, count(counts, o) >= UInt64(cap) { continue }
                    let after = device | writeMask[o]
                    guard bytes(after) <= budget else { continue }
                    // Uncapped: the count only records that the operator ran.
                    let nextCounts = cap == nil ? counts | (1 << (2 * UInt64(o))) : counts + (1 << (2 * UInt64(o)))
                    push(key(after, host & ~writeMask[o], nextCounts), d + cost[o])
                }
            }
            d += 1
        }
        return nil
    }
}
