import MemoryGraph
@testable import Verifier

/// Small random dataflow graphs for the verifier's tests: a few inputs,
/// weights per operator, operators that read earlier tensors (sometimes
/// twice, sometimes as captured inputs) and write one or two activations.
enum RandomGraphs {
    static func make(seed: UInt64, operators: Int) throws -> Graph {
        var random = SplitMix64(seed: seed)
        func below(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        func size() -> Int { below(10) == 0 ? 0 : 8 + 8 * below(24) + below(8) }

        var tensors: [Tensor] = []
        var readable: [Int] = []
        for i in 0 ..< 1 + below(3) {
            tensors.append(Tensor(name: "in\(i)", kind: .input, bytes: 8 + 8 * below(16)))
            readable.append(tensors.count - 1)
        }
        var ops: [Operator] = []
        var produced: [Int] = []
        var read = Set<Int>()
        for o in 0 ..< operators {
            var inputs: [Int] = []
            for _ in 0 ..< 1 + below(3) { inputs.append(readable[below(readable.count)]) }
            if below(6) == 0, let first = inputs.first { inputs.append(first) }  // Mul(x, x)
            for k in 0 ..< below(3) {
                tensors.append(Tensor(name: "w\(o)_\(k)", kind: .weight, bytes: size()))
                inputs.append(tensors.count - 1)
            }
            var captured: [Int] = []
            if below(8) == 0 { captured.append(readable[below(readable.count)]) }
            var outputs: [Int] = []
            for k in 0 ..< 1 + (below(4) == 0 ? 1 : 0) {
                tensors.append(Tensor(name: "a\(o)_\(k)", kind: .activation, bytes: size()))
                outputs.append(tensors.count - 1)
            }
            read.formUnion(inputs)
            read.formUnion(captured)
            ops.append(Operator(name: "op\(o)", type: "Random", inputs: inputs, outputs: outputs, capturedInputs: captured))
            produced.append(contentsOf: outputs)
            readable.append(contentsOf: outputs)
            // Keep reads mostly local so that graphs look like networks.
            if readable.count > 8 && below(2) == 0 { readable.remove(at: below(readable.count - 4)) }
        }
        var outputs = ops.last.map(\.outputs) ?? []
        for t in produced where !read.contains(t) && !outputs.contains(t) && below(2) == 0 { outputs.append(t) }
        return try Graph(name: "random\(seed)", tensors: tensors, operators: ops, outputs: outputs)
    }

    /// A random topological order: Kahn's algorithm picking a random ready
    /// operator each time.
    static func randomOrder(_ graph: Graph, seed: UInt64) -> [Int] {
        var random = SplitMix64(seed: seed ^ 0xABCD)
        var pending = graph.operators.map { op in Set(op.reads.compactMap { graph.producers[$0] }).count }
        var ready = graph.operators.indices.filter { pending[$0] == 0 }
        var order: [Int] = []
        while !ready.isEmpty {
            let o = ready.remove(at: Int(random.next() % UInt64(ready.count)))
            order.append(o)
            var successors = Set<Int>()
            for t in graph.operators[o].outputs { successors.formUnion(graph.consumers(of: t)) }
            for c in successors.sorted() {
                pending[c] -= 1
                if pending[c] == 0 { ready.append(c) }
            }
        }
        return order
    }
}
