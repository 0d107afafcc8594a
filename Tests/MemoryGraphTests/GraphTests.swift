import Testing
@testable import MemoryGraph

@Suite struct GraphTests {
    @Test func indexesProducersAndConsumers() throws {
        let g = try GraphFixtures.diamond()
        #expect(g.inputs == [0])
        #expect(g.weights == [1, 2])
        #expect(g.producers == [nil, nil, nil, 0, 1, 2, 3])
        #expect(Array(g.consumers(of: 3)) == [1, 2])
        #expect(Array(g.consumers(of: 2)) == [3])
        #expect(g.consumers(of: 6).isEmpty)
        #expect(g.tensorIndex(named: "c") == 5)
        #expect(g.isFileOrderTopological)
        #expect(g.topologicalOrder == [0, 1, 2, 3])
    }

    @Test func reordersAFileOrderThatBreaksDependencies() throws {
        let tensors = [
            Tensor(name: "x", kind: .input, bytes: 1),
            Tensor(name: "y", kind: .activation, bytes: 1),
            Tensor(name: "z", kind: .activation, bytes: 1),
        ]
        let ops = [
            Operator(name: "second", type: "Relu", inputs: [1], outputs: [2]),
            Operator(name: "first", type: "Relu", inputs: [0], outputs: [1]),
        ]
        let g = try Graph(name: "swapped", tensors: tensors, operators: ops, outputs: [2])
        #expect(!g.isFileOrderTopological)
        #expect(g.topologicalOrder == [1, 0])
        #expect(GraphSummary(graph: g).schedule == "topological")
    }

    @Test func rejectsInvalidGraphs() {
        let x = Tensor(name: "x", kind: .input, bytes: 1)
        let w = Tensor(name: "w", kind: .weight, bytes: 1)
        let y = Tensor(name: "y", kind: .activation, bytes: 1)
        #expect(throws: GraphError.duplicateTensor("x")) {
            try Graph(name: "g", tensors: [x, x], operators: [], outputs: [])
        }
        #expect(throws: GraphError.unproducedActivation(tensor: "y")) {
            try Graph(name: "g", tensors: [x, y], operators: [], outputs: [])
        }
        #expect(throws: GraphError.multipleProducers(tensor: "y", operators: ["p", "q"])) {
            try Graph(name: "g", tensors: [x, y], operators: [
                Operator(name: "p", type: "Relu", inputs: [0], outputs: [1]),
                Operator(name: "q", type: "Relu", inputs: [0], outputs: [1]),
            ], outputs: [])
        }
        #expect(throws: GraphError.producedNonActivation(tensor: "w", kind: .weight, operator: "p")) {
            try Graph(name: "g", tensors: [x, w], operators: [Operator(name: "p", type: "Relu", inputs: [0], outputs: [1])], outputs: [])
        }
        #expect(throws: GraphError.tensorIndexOutOfRange(operator: "p", index: 7)) {
            try Graph(name: "g", tensors: [x, y], operators: [Operator(name: "p", type: "Relu", inputs: [7], outputs: [1])], outputs: [])
        }
        #expect(throws: GraphError.totalSizeOverflow) {
            try Graph(name: "g", tensors: [Tensor(name: "a", kind: .input, bytes: Int.max), Tensor(name: "b", kind: .input, bytes: 1)],
                      operators: [], outputs: [])
        }
    }

    @Test func rejectsCycles() {
        let tensors = [
            Tensor(name: "a", kind: .activation, bytes: 1),
            Tensor(name: "b", kind: .activation, bytes: 1),
        ]
        let ops = [
            Operator(name: "p", type: "Relu", inputs: [1], outputs: [0]),
            Operator(name: "q", type: "Relu", inputs: [0], outputs: [1]),
        ]
        #expect(throws: GraphError.cycle(operators: ["p", "q"])) {
            try Graph(name: "loop", tensors: tensors, operators: ops, outputs: [])
        }
        let selfLoop = [Operator(name: "s", type: "Relu", inputs: [0], outputs: [0])]
        #expect(throws: GraphError.cycle(operators: ["s"])) {
            try Graph(name: "self", tensors: [tensors[0]], operators: selfLoop, outputs: [])
        }
    }

    @Test func schedulesAreChecked() throws {
        let g = try GraphFixtures.diamond()
        #expect(try Schedule([0, 2, 1, 3], for: g).order == [0, 2, 1, 3])
        #expect(throws: GraphError.self) { try Schedule([1, 0, 2, 3], for: g) }
        #expect(throws: GraphError.self) { try Schedule([0, 1, 1, 3], for: g) }
        #expect(throws: GraphError.self) { try Schedule([0, 1, 2], for: g) }
        #expect(throws: GraphError.self) { try Schedule([0, 1, 2, 9], for: g) }
    }

    @Test func bindsSymbolicDimensions() throws {
        let t = try Tensor(name: "x", kind: .input, elementType: .float16,
                           shape: TensorShape([.symbolic("batch"), .fixed(8)]))
        #expect(t.bytes == nil)
        let g = try Graph(name: "g", tensors: [t], operators: [], outputs: [0])
        #expect(g.symbols == ["batch"])
        let bound = try g.binding(["batch": 4])
        #expect(bound.tensors[0].bytes == 64)
        #expect(bound.symbols.isEmpty)
    }
}
