/// An execution order of a graph's operators: step `i` runs operator
/// `order[i]`. A schedule is checked against its graph when made, so a
/// `Schedule` in hand always respects every data dependency.
public struct Schedule: Hashable, Sendable {
    /// Operator indices, one per step.
    public let order: [Int]

    /// Validates `order` as a permutation of the graph's operators in which
    /// every operator runs after the producers of the tensors it reads.
    /// O(operators + edges).
    public init(_ order: [Int], for graph: Graph) throws(GraphError) {
        let n = graph.operators.count
        guard order.count == n else {
            throw GraphError.badSchedule("\(order.count) steps for \(n) operators")
        }
        var step = [Int](repeating: -1, count: n)
        for (s, o) in order.enumerated() {
            guard (0 ..< n).contains(o) else { throw GraphError.badSchedule("step \(s) names operator #\(o), which does not exist") }
            guard step[o] < 0 else { throw GraphError.badSchedule("operator '\(graph.operators[o].name)' is scheduled twice") }
            step[o] = s
        }
        for (s, o) in order.enumerated() {
            for t in graph.operators[o].reads {
                if let p = graph.producers[t], step[p] >= s {
                    throw GraphError.badSchedule(
                        "operator '\(graph.operators[o].name)' (step \(s)) reads '\(graph.tensors[t].name)' before '\(graph.operators[p].name)' (step \(step[p])) writes it")
                }
            }
        }
        self.order = order
    }

    private init(trusted order: [Int]) { self.order = order }

    /// The file order when it is topological, otherwise the graph's
    /// topological order (Kahn's, starting from file order).
    public static func `default`(for graph: Graph) -> Schedule {
        Schedule(trusted: graph.topologicalOrder)
    }

    public var count: Int { order.count }

    /// `stepOf[o]`: the step at which operator `o` runs. O(operators).
    public var stepOf: [Int] {
        var step = [Int](repeating: 0, count: order.count)
        for (s, o) in order.enumerated() { step[o] = s }
        return step
    }
}
