import MemoryGraph

/// What the smallest-arena problem sees of a graph: the operators, the
/// tensors that live in the arena, and who writes and reads each.
///
/// The arena holds every operator output, from the step of its producer
/// through the step of its last reader (captured reads count); a graph
/// output stays to the last step, and an output nobody reads lives at its
/// producer's step only (the operator still writes it). Graph inputs and
/// weights are the caller's buffers, valid before the first step and never
/// in the arena, as in a single-tier ``Plan`` whose home tier is the arena.
/// Tensors of unknown size count as 0 bytes.
///
/// With these rules the live bytes while operator `o` runs, after the set
/// `S` of operators has run, depend on `S` alone:
/// `live(S) + outputBytes[o]`, where `live(S)` is the bytes of tensors
/// produced in `S` that are graph outputs or still have a reader outside
/// `S`. Every search here rests on that.
///
/// Made in O(tensors + operators + edges); memory of the same order.
public struct ArenaProblem: Sendable {
    public let graph: Graph
    /// Arena tensor `a` is graph tensor `tensors[a]`: every operator
    /// output, in tensor order.
    public let tensors: [Int]
    /// Bytes of each arena tensor (unknown sizes as 0).
    public let bytes: [Int]
    /// The operator that writes each arena tensor.
    public let producer: [Int]
    /// The distinct operators that read each arena tensor, ascending.
    public let consumers: [[Int]]
    /// Graph outputs: live until the last step.
    public let pinned: [Bool]
    /// Per operator, the arena tensors it writes.
    public let outputs: [[Int]]
    /// Per operator, the distinct arena tensors it reads.
    public let reads: [[Int]]
    /// Per operator, the distinct operators whose outputs it reads.
    public let predecessors: [[Int]]
    /// Per operator, the distinct operators that read its outputs.
    public let successors: [[Int]]
    /// Per operator, the bytes of all its outputs: allocated while it runs.
    public let outputBytes: [Int]
    /// Per operator, the bytes of its outputs that outlive its step (read
    /// later, or graph outputs).
    public let keptBytes: [Int]

    public var operatorCount: Int { graph.operators.count }

    /// O(tensors + operators + edges).
    public init(graph: Graph) {
        let n = graph.operators.count
        var arenaIndex = [Int](repeating: -1, count: graph.tensors.count)
        var tensors: [Int] = []
        for t in graph.tensors.indices where graph.producers[t] != nil {
            arenaIndex[t] = tensors.count
            tensors.append(t)
        }
        let isOutput = Set(graph.outputs)
        let bytes = tensors.map { graph.tensors[$0].bytes ?? 0 }
        let producer = tensors.map { graph.producers[$0] ?? 0 }
        let consumers = tensors.map { Array(graph.consumers(of: $0)).sorted() }
        let pinned = tensors.map { isOutput.contains($0) }
        var outputs = [[Int]](repeating: [], count: n)
        var reads = [[Int]](repeating: [], count: n)
        var predecessors = [[Int]](repeating: [], count: n)
        var successors = [[Int]](repeating: [], count: n)
        for (o, op) in graph.operators.enumerated() {
            outputs[o] = op.outputs.map { arenaIndex[$0] }
            var seen = Set<Int>()
            var producers = Set<Int>()
            for t in op.reads where arenaIndex[t] >= 0 && seen.insert(arenaIndex[t]).inserted {
                reads[o].append(arenaIndex[t])
                if producers.insert(producer[arenaIndex[t]]).inserted { predecessors[o].append(producer[arenaIndex[t]]) }
            }
            reads[o].sort()
            predecessors[o].sort()
            for p in predecessors[o] { successors[p].append(o) }
        }
        // Sums below stay within the graph's total size, which Graph checked fits in Int.
        var outputBytes = [Int](repeating: 0, count: n)
        var keptBytes = [Int](repeating: 0, count: n)
        for (a, o) in producer.enumerated() {
            outputBytes[o] += bytes[a]
            if pinned[a] || !consumers[a].isEmpty { keptBytes[o] += bytes[a] }
        }
        self.graph = graph
        self.tensors = tensors
        self.bytes = bytes
        self.producer = producer
        self.consumers = consumers
        self.pinned = pinned
        self.outputs = outputs
        self.reads = reads
        self.predecessors = predecessors
        self.successors = successors
        self.outputBytes = outputBytes
        self.keptBytes = keptBytes
    }

    /// The graph's own order: file order when it is topological, otherwise
    /// Kahn's order starting from it.
    public var givenOrder: [Int] { graph.topologicalOrder }

    /// Whether `order` runs every operator once, after its predecessors.
    /// O(operators + edges).
    public func isTopological(_ order: [Int]) -> Bool {
        let n = operatorCount
        guard order.count == n else { return false }
        var step = [Int](repeating: -1, count: n)
        for (s, o) in order.enumerated() {
            guard o >= 0, o < n, step[o] < 0 else { return false }
            step[o] = s
        }
        for o in 0 ..< n where predecessors[o].contains(where: { step[$0] >= step[o] }) { return false }
        return true
    }

    /// Inclusive step ranges `[first, last]` of each arena tensor under a
    /// topological `order`. O(tensors + edges).
    public func lifetimes(_ order: [Int]) -> [Lifetime] {
        var step = [Int](repeating: 0, count: operatorCount)
        for (s, o) in order.enumerated() { step[o] = s }
        let lastStep = max(0, order.count - 1)
        return producer.indices.map { a in
            let first = step[producer[a]]
            if pinned[a] { return Lifetime(first: first, last: lastStep) }
            return Lifetime(first: first, last: consumers[a].reduce(first) { max($0, step[$1]) })
        }
    }

    /// Live arena bytes at each step of a topological `order`.
    /// O(tensors + edges + operators).
    public func liveBytes(_ order: [Int]) -> [Int] {
        var delta = [Int](repeating: 0, count: order.count + 1)
        for (a, lifetime) in lifetimes(order).enumerated() {
            delta[lifetime.first] += bytes[a]
            delta[lifetime.upper] -= bytes[a]
        }
        var running = 0
        return (0 ..< order.count).map { s in
            running += delta[s]
            return running
        }
    }

    /// The largest live byte count of a topological `order` (0 without
    /// operators). O(tensors + edges + operators).
    public func peak(of order: [Int]) -> Int { liveBytes(order).max() ?? 0 }

    /// Every operator's reads plus writes in the arena: a lower bound on
    /// the peak of every order. O(edges).
    public var largestFootprint: Int {
        (0 ..< operatorCount).reduce(0) { best, o in
            max(best, reads[o].reduce(outputBytes[o]) { $0 + bytes[$1] })
        }
    }
}
