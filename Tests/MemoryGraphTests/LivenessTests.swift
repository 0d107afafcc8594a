import Testing
@testable import MemoryGraph

@Suite struct LivenessTests {
    @Test func diamondByHand() throws {
        let g = try GraphFixtures.diamond()
        let live = Liveness(graph: g, schedule: .default(for: g))
        // step 0: x a; 1: a b; 2: a b c; 3: b c d (x dies after step 0).
        #expect(live.liveBytes == [110, 30, 60, 90])
        #expect(live.peakBytes == 110)
        #expect(live.peakStep == 0)
        #expect(live.lifetimes[0] == Lifetime(first: 0, last: 0))
        #expect(live.lifetimes[1] == nil)  // weights are not activations
        #expect(live.lifetimes[3] == Lifetime(first: 0, last: 2))
        #expect(live.lifetimes[6] == Lifetime(first: 3, last: 3))
        #expect(live.live(at: 2) == [3, 4, 5])

        let other = try Schedule([0, 2, 1, 3], for: g)
        #expect(Liveness(graph: g, schedule: other).liveBytes == [110, 40, 60, 90])
    }

    @Test func outputsLiveToTheEndAndUnreadTensorsOnlyAtTheirStep() throws {
        let tensors = [
            Tensor(name: "x", kind: .input, bytes: 1),
            Tensor(name: "early_output", kind: .activation, bytes: 10),
            Tensor(name: "dead", kind: .activation, bytes: 100),
            Tensor(name: "y", kind: .activation, bytes: 1000),
            Tensor(name: "unused_input", kind: .input, bytes: 5),
        ]
        let ops = [
            Operator(name: "p", type: "Split", inputs: [0], outputs: [1, 2]),
            Operator(name: "q", type: "Relu", inputs: [0], outputs: [3]),
            Operator(name: "r", type: "Relu", inputs: [0], outputs: []),
        ]
        let g = try Graph(name: "g", tensors: tensors, operators: ops, outputs: [1, 3])
        let live = Liveness(graph: g, schedule: .default(for: g))
        #expect(live.lifetimes[1] == Lifetime(first: 0, last: 2))
        #expect(live.lifetimes[2] == Lifetime(first: 0, last: 0))
        #expect(live.lifetimes[3] == Lifetime(first: 1, last: 2))
        #expect(live.lifetimes[4] == Lifetime(first: 0, last: 0))
        #expect(live.liveBytes == [116, 1011, 1011])
    }

    @Test func capturedInputsExtendLifetimes() throws {
        let tensors = [
            Tensor(name: "x", kind: .input, bytes: 1),
            Tensor(name: "a", kind: .activation, bytes: 10),
            Tensor(name: "b", kind: .activation, bytes: 20),
            Tensor(name: "c", kind: .activation, bytes: 40),
        ]
        let ops = [
            Operator(name: "p", type: "Relu", inputs: [0], outputs: [1]),
            Operator(name: "q", type: "Relu", inputs: [0], outputs: [2]),
            Operator(name: "if", type: "If", inputs: [2], outputs: [3], capturedInputs: [1]),
        ]
        let g = try Graph(name: "g", tensors: tensors, operators: ops, outputs: [3])
        let live = Liveness(graph: g, schedule: .default(for: g))
        #expect(live.lifetimes[1] == Lifetime(first: 0, last: 2))
        #expect(g.footprint(ofOperator: 2) == 70)
    }

    @Test func unknownSizesCountAsZeroAndAreListed() throws {
        let tensors = [
            Tensor(name: "x", kind: .input, bytes: 8),
            Tensor(name: "y", kind: .activation, bytes: nil),
        ]
        let g = try Graph(name: "g", tensors: tensors, operators: [Operator(name: "p", type: "Relu", inputs: [0], outputs: [1])], outputs: [1])
        let live = Liveness(graph: g, schedule: .default(for: g))
        #expect(live.peakBytes == 8)
        #expect(live.unknownSizes == [1])
        #expect(GraphSummary(graph: g).unknownShapes == ["y"])
        #expect(throws: GraphError.unknownSize(tensor: "y")) { try g.activationBuffers() }
    }

    @Test func emptyGraph() throws {
        let g = try Graph(name: "empty", tensors: [], operators: [], outputs: [])
        let s = GraphSummary(graph: g)
        #expect(s.nodes == 0 && s.peakLiveBytes == 0 && s.maxOperatorBytes == 0 && s.maxOperatorNode == nil)
        #expect(try g.activationBuffers().isEmpty)
    }

    /// Random DAGs under random topological schedules: the difference-array
    /// liveness must equal a direct count of the tensors live at each step.
    @Test func agreesWithADirectCountOnRandomGraphs() throws {
        var rng = SeededGenerator(seed: 42)
        for _ in 0 ..< 200 {
            let g = try randomGraph(&rng)
            let order = randomTopologicalOrder(g, &rng)
            let schedule = try Schedule(order, for: g)
            let live = Liveness(graph: g, schedule: schedule)
            let stepOf = schedule.stepOf
            let steps = order.count
            for s in 0 ..< steps {
                var expected = 0
                for (t, tensor) in g.tensors.enumerated() where tensor.kind != .weight {
                    let first = g.producers[t].map { stepOf[$0] } ?? 0
                    let readers = g.operators.indices.filter { g.operators[$0].reads.contains(t) }.map { stepOf[$0] }
                    let last = g.outputs.contains(t) ? steps - 1 : max(first, readers.max() ?? first)
                    if first <= s && s <= last { expected += tensor.bytes ?? 0 }
                }
                #expect(live.liveBytes[s] == expected)
            }
            // The buffer rows say the same: at every step, the live rows sum to the live bytes.
            let rows = try g.activationBuffers(schedule: schedule)
            for s in 0 ..< steps {
                #expect(rows.filter { $0.lower <= s && s < $0.upper }.reduce(0) { $0 + $1.size } == live.liveBytes[s])
            }
        }
    }

    func randomGraph(_ rng: inout SeededGenerator) throws -> Graph {
        let inputs = Int.random(in: 1 ... 3, using: &rng)
        let opCount = Int.random(in: 1 ... 12, using: &rng)
        var tensors = (0 ..< inputs).map { Tensor(name: "in\($0)", kind: .input, bytes: Int.random(in: 0 ... 50, using: &rng)) }
        tensors.append(Tensor(name: "w", kind: .weight, bytes: 7))
        var ops: [Operator] = []
        for o in 0 ..< opCount {
            let available = tensors.indices.filter { _ in true }
            let reads = (0 ..< Int.random(in: 1 ... 3, using: &rng)).map { _ in available.randomElement(using: &rng)! }
            let outputs = (0 ..< Int.random(in: 0 ... 2, using: &rng)).map { k -> Int in
                tensors.append(Tensor(name: "t\(o)_\(k)", kind: .activation, bytes: Int.random(in: 0 ... 100, using: &rng)))
                return tensors.count - 1
            }
            ops.append(Operator(name: "op\(o)", type: "Op", inputs: reads, outputs: outputs))
        }
        let activations = tensors.indices.filter { tensors[$0].kind == .activation }
        let outputs = activations.filter { _ in Bool.random(using: &rng) }
        // Shuffle the operators so file order is usually not topological.
        return try Graph(name: "random", tensors: tensors, operators: ops.shuffled(using: &rng), outputs: outputs)
    }

    func randomTopologicalOrder(_ g: Graph, _ rng: inout SeededGenerator) -> [Int] {
        var done = Set<Int>()
        var order: [Int] = []
        while order.count < g.operators.count {
            let ready = g.operators.indices.filter { o in
                !done.contains(o) && g.operators[o].reads.allSatisfy { t in g.producers[t].map { done.contains($0) } ?? true }
            }
            let pick = ready.randomElement(using: &rng)!
            done.insert(pick)
            order.append(pick)
        }
        return order
    }
}
