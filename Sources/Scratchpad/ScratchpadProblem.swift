import MemoryGraph

/// A graph to run through a scratchpad of `capacity` bytes in a given
/// operator order. Every operator needs all it reads and writes resident
/// while it runs; inputs and weights start in host memory, graph outputs
/// must end there.
public struct ScratchpadProblem: Sendable {
    public let graph: Graph
    public let schedule: Schedule
    public private(set) var capacity: Int
    /// Scratchpad offsets are multiples of this.
    public private(set) var alignment: Int

    /// `uses[t]`: the steps at which tensor `t` is read or written, ascending.
    public let uses: [[Int]]
    /// `need[s]`: the distinct tensors step `s` reads or writes.
    public let need: [[Int]]
    public let isGraphOutput: [Bool]

    /// O(tensors + edges).
    public init(graph: Graph, schedule: Schedule, capacity: Int, alignment: Int = 1) {
        self.graph = graph
        self.schedule = schedule
        self.capacity = capacity
        self.alignment = max(1, alignment)
        var uses = [[Int]](repeating: [], count: graph.tensors.count)
        var need: [[Int]] = []
        need.reserveCapacity(schedule.count)
        for (s, o) in schedule.order.enumerated() {
            let op = graph.operators[o]
            var seen = Set<Int>()
            var stepNeed: [Int] = []
            for t in op.reads + op.outputs where seen.insert(t).inserted {
                stepNeed.append(t)
                uses[t].append(s)
            }
            need.append(stepNeed)
        }
        self.uses = uses
        self.need = need
        var outputs = [Bool](repeating: false, count: graph.tensors.count)
        for t in graph.outputs { outputs[t] = true }
        self.isGraphOutput = outputs
    }

    /// The same graph and order against another capacity and alignment,
    /// without recomputing the use lists.
    public func with(capacity: Int, alignment: Int? = nil) -> ScratchpadProblem {
        var copy = self
        copy.capacity = capacity
        if let alignment { copy.alignment = max(1, alignment) }
        return copy
    }

    /// The same graph, capacity and alignment in another operator order.
    public func reordered(_ order: [Int]) throws(GraphError) -> ScratchpadProblem {
        ScratchpadProblem(graph: graph, schedule: try Schedule(order, for: graph), capacity: capacity, alignment: alignment)
    }

    public func bytes(_ t: Int) -> Int { graph.tensors[t].bytes ?? 0 }

    /// The bytes step `s` needs resident at once.
    public func footprint(atStep s: Int) -> Int { need[s].reduce(0) { $0 + bytes($1) } }

    /// Whether `t` starts valid in host memory (inputs and weights do).
    public func startsInHost(_ t: Int) -> Bool { graph.tensors[t].kind != .activation }

    /// Loads of every input and weight some operator reads, plus one store of
    /// every graph output an operator produces: traffic no plan avoids.
    public var compulsoryBytes: Int {
        var total = 0
        for t in graph.tensors.indices where !uses[t].isEmpty {
            if startsInHost(t) { total += bytes(t) } else if isGraphOutput[t] { total += bytes(t) }
        }
        return total
    }
}
