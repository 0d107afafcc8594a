import MemoryGraph
import Allocation
import RandomNetworks

/// Seeded small DAGs for exhaustive checks: `operators` operators, one or
/// two graph inputs, an occasional weight, now and then an operator with
/// two outputs, reads drawn from everything produced so far (so branches
/// can run in either order), sizes 1–4 units of `unit` bytes (or all one
/// unit). Outputs nobody reads are graph outputs or, sometimes, dead
/// writes (live at their producer's step only).
enum TinyArenaGraphs {
    static func graph(seed: UInt64, operators count: Int, equalSizes: Bool = false, unit: Int = 8) -> Graph {
        var random = SplitMix64(seed: seed)
        func below(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        var tensors: [Tensor] = []
        var available: [Int] = []
        let inputs = 1 + below(2)
        for i in 0 ..< inputs {
            tensors.append(Tensor(name: "x\(i)", kind: .input, bytes: unit))
            available.append(i)
        }
        var operators: [Operator] = []
        for o in 0 ..< count {
            var reads: [Int] = o < inputs ? [o] : []
            let wanted = 1 + below(2)
            for _ in 0 ..< 6 where reads.count < wanted {
                let t = available[below(available.count)]
                if !reads.contains(t) { reads.append(t) }
            }
            if below(4) == 0 {
                tensors.append(Tensor(name: "w\(o)", kind: .weight, bytes: unit))
                reads.append(tensors.count - 1)
            }
            var outputs: [Int] = []
            for k in 0 ..< (below(5) == 0 ? 2 : 1) {
                tensors.append(Tensor(name: "t\(o)_\(k)", kind: .activation, bytes: unit * (equalSizes ? 1 : 1 + below(4))))
                outputs.append(tensors.count - 1)
                available.append(tensors.count - 1)
            }
            operators.append(Operator(name: "op\(o)", type: "Op", inputs: reads, outputs: outputs))
        }
        var read = Set<Int>()
        for op in operators { read.formUnion(op.inputs) }
        var outputs: [Int] = []
        for t in tensors.indices where tensors[t].kind == .activation {
            if !read.contains(t) ? below(4) != 0 : below(6) == 0 { outputs.append(t) }
        }
        return try! Graph(name: "tiny-\(seed)", tensors: tensors, operators: operators, outputs: outputs)
    }
}
