import Foundation
import MemoryGraph
@testable import ModelImport
import Testing

@Suite struct ShapeInferenceTests {
    /// The models exported by the TorchScript exporter keep their shape
    /// constants inline (Constant nodes), so inference alone recovers every
    /// shape; the dynamo exports keep them in (absent) external data.
    static let legacyExports: Set<String> = [
        "resnet50", "resnext50", "mobilenet_v2", "vgg16", "fcn_resnet50",
        "deeplabv3_resnet50", "lraspp_mobilenet_v3", "r2plus1d_18",
    ]

    /// Drops `value_info` and the output shapes, imports again, and compares
    /// every tensor with the shapes the exporter wrote: inference must never
    /// disagree, and on the TorchScript exports it must find them all.
    @Test(arguments: TestFiles.modelNames)
    func recoversDeclaredShapes(_ name: String) throws {
        let path = TestFiles.model(name)
        let declared = try ONNXImporter.importGraph(contentsOf: path, options: .init(inferShapes: false))
        var model = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: path)))
        model.graph.valueInfo = []
        for i in model.graph.output.indices { model.graph.output[i].type.tensorType.clearShape() }
        let stripped: Data = try model.serializedBytes()
        let inferred = try ONNXImporter.importGraph(serialized: stripped, file: "\(name) without value_info", name: name)

        var wrong: [String] = []
        var unknown: [String] = []
        for (a, b) in zip(declared.tensors, inferred.tensors) {
            #expect(a.name == b.name)
            if let size = b.bytes {
                if size != a.bytes || b.shape != a.shape || b.elementType != a.elementType { wrong.append(a.name) }
            } else {
                unknown.append(a.name)
            }
        }
        #expect(wrong.isEmpty, "inferred shapes differ from declared: \(wrong.prefix(10))")
        if Self.legacyExports.contains(name) {
            #expect(unknown.isEmpty, "not inferred: \(unknown.prefix(10))")
            #expect(GraphSummary(graph: inferred) == GraphSummary(graph: declared))
        }
    }

    @Test func infersATinyCNNWithoutValueInfo() throws {
        let graph = try ONNXImporter.importGraph(contentsOf: TestFiles.fixture("tiny_cnn.onnx"))
        func shape(_ name: String) -> [Int]? {
            graph.tensorIndex(named: name).flatMap { graph.tensors[$0].shape?.fixedDimensions }
        }
        #expect(shape("conv") == [2, 8, 16, 16])
        #expect(shape("pool") == [2, 8, 8, 8])
        #expect(shape("shape") == [4])
        #expect(shape("target") == [2])
        #expect(shape("flat") == [2, 512])  // Reshape to [n, -1] via Shape → Gather → Concat
        #expect(shape("logits") == [2, 10])
        #expect(shape("left") == [2, 5])
        #expect(shape("right") == [2, 5])
        #expect(shape("probs") == [2, 5])
        #expect(GraphSummary(graph: graph).unknownShapes.isEmpty)
    }

    @Test func capturedReadsOfSubgraphsAndSymbolicDimensions() throws {
        let path = TestFiles.fixture("subgraphs.onnx")
        let graph = try ONNXImporter.importGraph(contentsOf: path)
        #expect(graph.symbols == ["batch"])
        let branch = try #require(graph.operators.first { $0.name == "branch" })
        #expect(branch.inputs.map { graph.tensors[$0].name } == ["flag"])
        #expect(Set(branch.capturedInputs.map { graph.tensors[$0].name }) == ["a", "b", "c"])
        let loop = try #require(graph.operators.first { $0.name == "loop" })
        #expect(loop.capturedInputs.map { graph.tensors[$0].name } == ["d"])

        // Element-wise shapes flow from the symbolic input.
        let a = try #require(graph.tensorIndex(named: "a"))
        #expect(graph.tensors[a].shape == TensorShape([.symbolic("batch"), .fixed(4)]))
        #expect(graph.tensors[a].bytes == nil)

        let bound = try ONNXImporter.importGraph(contentsOf: path, options: .init(symbols: ["batch": 2]))
        let rows = try bound.activationBuffers()
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
        // a, b, c are read inside the If at step 4; d inside the Loop at step 5.
        #expect(byName["a"] == ActivationBuffer(id: "a", lower: 0, upper: 5, size: 32))
        #expect(byName["c"] == ActivationBuffer(id: "c", lower: 2, upper: 5, size: 32))
        #expect(byName["d"] == ActivationBuffer(id: "d", lower: 3, upper: 6, size: 32))
        #expect(byName["y"] == ActivationBuffer(id: "y", lower: 6, upper: 7, size: 32))
        // The binding can also happen after import.
        #expect(GraphSummary(graph: try graph.binding(["batch": 2])) == GraphSummary(graph: bound))
    }

    @Test func arithmeticNeverTraps() {
        typealias A = ShapeArithmetic
        #expect(A.multiply(Int.max, 2) == nil)
        #expect(A.floorDivide(7, 0) == nil)
        #expect(A.floorDivide(Int.min, -1) == nil)
        #expect(A.floorDivide(-7, 2) == -4)
        #expect(A.ceilDivide(7, 2) == 4)
        #expect(A.ceilDivide(-7, 2) == -3)
        #expect(A.axis(-1, rank: 3) == 2)
        #expect(A.axis(3, rank: 3) == nil)
        #expect(A.broadcast([.fixed(3), .fixed(1)], [.fixed(4)]) == [.fixed(3), .fixed(4)])
        #expect(A.broadcast([.fixed(3)], [.fixed(4)]) == nil)
        #expect(A.broadcast([.symbolic("n"), .fixed(1)], [.fixed(1), .fixed(5)]) == [.symbolic("n"), .fixed(5)])
    }
}

@Suite struct SymbolBindingTests {
    /// Symbols bound at import reach shape inference: a Reshape to
    /// `[-1, 4]` of a `batch×4` input needs the batch size.
    @Test func boundSymbolsFeedInference() throws {
        var graph = Onnx_GraphProto()
        var input = Onnx_ValueInfoProto()
        input.name = "x"
        input.type.tensorType.elemType = 1
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "batch"
        var four = Onnx_TensorShapeProto.Dimension()
        four.dimValue = 4
        input.type.tensorType.shape.dim = [batch, four]
        graph.input = [input]
        var target = Onnx_TensorProto()
        target.name = "target"
        target.dataType = 7
        target.dims = [2]
        target.int64Data = [-1, 2]
        graph.initializer = [target]
        var reshape = Onnx_NodeProto()
        reshape.opType = "Reshape"
        reshape.input = ["x", "target"]
        reshape.output = ["y"]
        graph.node = [reshape]
        var output = Onnx_ValueInfoProto()
        output.name = "y"
        graph.output = [output]
        var model = Onnx_ModelProto()
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        model.opsetImport = [opset]
        model.graph = graph
        let data: Data = try model.serializedBytes()

        let unbound = try ONNXImporter.importGraph(serialized: data, file: "r.onnx", name: "r")
        #expect(unbound.tensors[2].shape == nil)
        let bound = try ONNXImporter.importGraph(serialized: data, file: "r.onnx", name: "r", options: .init(symbols: ["batch": 3]))
        #expect(bound.tensors[2].shape == TensorShape(fixed: [6, 2]))
        #expect(bound.tensors[2].bytes == 48)
    }
}
