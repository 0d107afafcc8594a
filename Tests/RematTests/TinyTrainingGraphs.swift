import Allocation
import MemoryGraph

/// Seeded tiny graphs for exhaustive checks of rematerialisation: a
/// training graph (a forward chain with skips, a backward pass that reads
/// the gradient and the forward values of its layer) or a random DAG;
/// 4–8 operators, 1–3 bytes per tensor, costs 1–4, some operators with two
/// outputs, one weight. The same seed always gives the same graph.
enum TinyTrainingGraphs {
    struct Generator {
        var source: SplitMix64
        init(state: UInt64) { source = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { source.next() }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    static func graph(seed: UInt64) -> Graph {
        var random = Generator(state: seed)
        return random.below(3) == 0 ? randomDAG(&random, seed: seed) : training(&random, seed: seed)
    }

    /// Forward f1…fm (each reads the previous value, sometimes one before),
    /// loss, backward b_m…b_1 (each reads the incoming gradient and the
    /// forward values its layer used); gradients of the weight are outputs.
    static func training(_ random: inout Generator, seed: UInt64) -> Graph {
        let layers = 2 + random.below(3)  // 2–4 forward operators, as many backward, plus a loss: 5–9, capped at 8 below
        let forwardCount = min(layers, 3 + random.below(2))
        var tensors = [Tensor(name: "x", kind: .input, bytes: 1 + random.below(3)),
                       Tensor(name: "w", kind: .weight, bytes: 2)]
        var operators: [Operator] = []
        var values = [0]  // forward values: x, then each layer's output
        var layerInputs: [[Int]] = []
        for l in 0 ..< forwardCount {
            var inputs = [values.last!]
            if values.count >= 2, random.below(3) == 0 { inputs.append(values[values.count - 2]) }
            if l == 0 { inputs.append(1) }
            let out = tensors.count
            tensors.append(Tensor(name: "a\(l)", kind: .activation, bytes: 1 + random.below(3)))
            var outputs = [out]
            if random.below(4) == 0 {
                outputs.append(tensors.count)
                tensors.append(Tensor(name: "a\(l)s", kind: .activation, bytes: 1 + random.below(2)))
            }
            layerInputs.append(inputs + outputs.dropFirst())
            operators.append(Operator(name: "f\(l)", type: "F", inputs: inputs, outputs: outputs,
                                      cost: Double(1 + random.below(4)), phase: .forward))
            values.append(out)
        }
        let loss = tensors.count
        tensors.append(Tensor(name: "loss", kind: .activation, bytes: 1))
        operators.append(Operator(name: "loss", type: "Loss", inputs: [values.last!], outputs: [loss], cost: 1, phase: .forward))
        var gradient = loss
        var outputs = [loss]
        let backwardCount = min(forwardCount, 8 - operators.count)
        for l in stride(from: forwardCount - 1, through: forwardCount - backwardCount, by: -1) {
            var inputs = [gradient]
            for t in layerInputs[l] where tensors[t].kind == .activation && !inputs.contains(t) { inputs.append(t) }
            if l == 0 { inputs.append(1) }
            let out = tensors.count
            tensors.append(Tensor(name: "g\(l)", kind: .activation, bytes: 1 + random.below(3)))
            var outs = [out]
            if l == 0 {
                outs.append(tensors.count)
                tensors.append(Tensor(name: "gw", kind: .activation, bytes: 2))
                outputs.append(tensors.count - 1)
            }
            operators.append(Operator(name: "b\(l)", type: "B", inputs: inputs, outputs: outs,
                                      cost: Double(1 + random.below(4)), phase: .backward))
            gradient = out
        }
        outputs.append(gradient)
        return try! Graph(name: "train-\(seed)", tensors: tensors, operators: operators, outputs: Array(Set(outputs)).sorted())
    }

    /// A random DAG of 4–7 operators whose unread values are outputs; no phases.
    static func randomDAG(_ random: inout Generator, seed: UInt64) -> Graph {
        let count = 4 + random.below(4)
        var tensors = [Tensor(name: "x", kind: .input, bytes: 1 + random.below(3))]
        var available = [0]
        var operators: [Operator] = []
        var read = Set<Int>()
        for o in 0 ..< count {
            var inputs: [Int] = []
            for _ in 0 ..< 1 + random.below(2) {
                let t = available[random.below(available.count)]
                if !inputs.contains(t) { inputs.append(t) }
            }
            if o == 0, !inputs.contains(0) { inputs.append(0) }
            var outputs: [Int] = []
            for k in 0 ..< (random.below(4) == 0 ? 2 : 1) {
                outputs.append(tensors.count)
                tensors.append(Tensor(name: "t\(o).\(k)", kind: .activation, bytes: 1 + random.below(3)))
            }
            read.formUnion(inputs)
            available.append(contentsOf: outputs)
            operators.append(Operator(name: "op\(o)", type: "Op", inputs: inputs, outputs: outputs, cost: Double(1 + random.below(4))))
        }
        let outputs = tensors.indices.filter { tensors[$0].kind == .activation && !read.contains($0) }
        return try! Graph(name: "dag-\(seed)", tensors: tensors, operators: operators, outputs: outputs)
    }
}
