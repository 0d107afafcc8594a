import Allocation
import ArenaSchedule
import MemoryGraph

/// Exhaustive answers for tiny graphs, sharing nothing with the searches:
/// every topological order by recursion, live bytes from ``Liveness``
/// (minus the graph inputs, which the arena does not hold), and every
/// placement by first fit over every permutation of the buffers (an
/// optimum is among them: place an optimal solution's buffers lowest
/// first, and each lands at or below its own optimal offset).
enum BruteForce {
    /// Every topological order of the graph's operators.
    static func orders(_ graph: Graph) -> [[Int]] {
        let n = graph.operators.count
        var predecessors = [Set<Int>](repeating: [], count: n)
        for (o, op) in graph.operators.enumerated() {
            for t in op.reads { if let p = graph.producers[t] { predecessors[o].insert(p) } }
        }
        var result: [[Int]] = []
        var order: [Int] = []
        var done = Set<Int>()
        func extend() {
            if order.count == n { result.append(order); return }
            for o in 0 ..< n where !done.contains(o) && predecessors[o].isSubset(of: done) {
                order.append(o); done.insert(o)
                extend()
                order.removeLast(); done.remove(o)
            }
        }
        extend()
        return result
    }

    /// Live arena bytes per step: Liveness's figures without graph inputs.
    static func arenaLive(_ graph: Graph, _ order: [Int]) -> [Int] {
        let liveness = Liveness(graph: graph, schedule: try! Schedule(order, for: graph))
        return (0 ..< order.count).map { s in
            liveness.live(at: s).filter { graph.tensors[$0].kind == .activation }.reduce(0) { $0 + (graph.tensors[$1].bytes ?? 0) }
        }
    }

    static func minimumPeak(_ graph: Graph) -> Int {
        orders(graph).map { arenaLive(graph, $0).max() ?? 0 }.min() ?? 0
    }

    /// The smallest height of one order's lifetimes, over every placement.
    static func minimumHeight(_ graph: Graph, order: [Int]) -> Int {
        let liveness = Liveness(graph: graph, schedule: try! Schedule(order, for: graph))
        var buffers: [(lower: Int, upper: Int, size: Int)] = []
        for (t, tensor) in graph.tensors.enumerated() where tensor.kind == .activation && (tensor.bytes ?? 0) > 0 {
            let lifetime = liveness.lifetimes[t]!
            buffers.append((lifetime.first, lifetime.upper, tensor.bytes!))
        }
        var best = Int.max
        var offsets = [Int](repeating: -1, count: buffers.count)
        var permutation = Array(buffers.indices)
        func place(_ depth: Int, _ height: Int) {
            if height >= best { return }
            if depth == permutation.count { best = height; return }
            for k in depth ..< permutation.count {
                permutation.swapAt(depth, k)
                let i = permutation[depth]
                var at = 0, moved = true
                while moved {
                    moved = false
                    for j in buffers.indices where offsets[j] >= 0 && buffers[i].lower < buffers[j].upper
                        && buffers[j].lower < buffers[i].upper && at < offsets[j] + buffers[j].size && offsets[j] < at + buffers[i].size {
                        at = offsets[j] + buffers[j].size
                        moved = true
                    }
                }
                offsets[i] = at
                place(depth + 1, max(height, at + buffers[i].size))
                offsets[i] = -1
                permutation.swapAt(depth, k)
            }
        }
        place(0, 0)
        return best == Int.max ? 0 : best
    }

    static func minimumHeight(_ graph: Graph) -> Int {
        orders(graph).map { minimumHeight(graph, order: $0) }.min() ?? 0
    }
}
