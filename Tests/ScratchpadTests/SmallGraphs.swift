import MemoryGraph
@testable import Scratchpad

/// Small graphs built in code, with sizes chosen so that replacement matters.
enum SmallGraphs {
    /// x → a → b → c → y with a skip from a to the last operator and one
    /// weight per operator: a must survive (or be spilled) across b and c.
    static func skipChain(sizes: [Int] = [4, 8, 6, 6, 4], weight: Int = 2) throws -> Graph {
        var tensors = [Tensor(name: "x", kind: .input, bytes: sizes[0])]
        for (i, name) in ["a", "b", "c", "y"].enumerated() {
            tensors.append(Tensor(name: name, kind: .activation, bytes: sizes[i + 1]))
        }
        for i in 0 ..< 4 { tensors.append(Tensor(name: "w\(i)", kind: .weight, bytes: weight)) }
        // x=0 a=1 b=2 c=3 y=4 w0..w3 = 5..8
        let operators = [
            Operator(name: "op0", type: "Conv", inputs: [0, 5], outputs: [1]),
            Operator(name: "op1", type: "Conv", inputs: [1, 6], outputs: [2]),
            Operator(name: "op2", type: "Conv", inputs: [2, 7], outputs: [3]),
            Operator(name: "op3", type: "Add", inputs: [3, 1, 8], outputs: [4]),
        ]
        return try Graph(name: "skip-chain", tensors: tensors, operators: operators, outputs: [4])
    }

    /// A random DAG in file order: each operator reads one to three earlier
    /// tensors (or the input) and a weight, and writes one tensor.
    static func random(operators count: Int, seed: UInt64) throws -> Graph {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var tensors = [Tensor(name: "in", kind: .input, bytes: 1 + next(8))]
        var operators: [Operator] = []
        var available = [0]
        for o in 0 ..< count {
            let weight = tensors.count
            tensors.append(Tensor(name: "w\(o)", kind: .weight, bytes: 1 + next(4)))
            var inputs = Set<Int>()
            for _ in 0 ... next(3) { inputs.insert(available[next(available.count)]) }
            let output = tensors.count
            tensors.append(Tensor(name: "t\(o)", kind: .activation, bytes: 1 + next(8)))
            operators.append(Operator(name: "op\(o)", type: "Op", inputs: inputs.sorted() + [weight], outputs: [output]))
            available.append(output)
        }
        return try Graph(name: "random-\(seed)", tensors: tensors, operators: operators, outputs: [available.last!])
    }
}
