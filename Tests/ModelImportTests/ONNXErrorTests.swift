import Foundation
import MemoryGraph
@testable import ModelImport
import Testing

/// Inconsistent ONNX files are refused with a message that names the file
/// and the node or tensor.
@Suite struct ONNXErrorTests {
    func model(_ edit: (inout Onnx_GraphProto) -> Void) throws -> Data {
        var graph = Onnx_GraphProto()
        graph.name = "g"
        var input = Onnx_ValueInfoProto()
        input.name = "x"
        input.type.tensorType.elemType = 1
        var dim = Onnx_TensorShapeProto.Dimension()
        dim.dimValue = 4
        input.type.tensorType.shape.dim = [dim]
        graph.input = [input]
        var relu = Onnx_NodeProto()
        relu.opType = "Relu"
        relu.name = "relu"
        relu.input = ["x"]
        relu.output = ["y"]
        graph.node = [relu]
        var output = Onnx_ValueInfoProto()
        output.name = "y"
        graph.output = [output]
        edit(&graph)
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        model.opsetImport = [opset]
        model.graph = graph
        return try model.serializedBytes()
    }

    func importing(_ data: Data) throws(ImportError) -> Graph {
        try ONNXImporter.importGraph(serialized: data, file: "test.onnx", name: "test")
    }

    @Test func importsTheBaseModel() throws {
        let graph = try importing(try model { _ in })
        #expect(graph.tensors.map(\.bytes) == [16, 16])  // y inferred from Relu
    }

    @Test func undefinedInput() throws {
        let data = try model { $0.node[0].input = ["nowhere"] }
        #expect(throws: ImportError.invalid(file: "test.onnx", location: "node #0 Relu 'relu'",
                                            reason: "reads 'nowhere', which no graph input, initializer or node defines")) {
            try importing(data)
        }
    }

    @Test func undefinedOutput() throws {
        let data = try model { $0.output[0].name = "missing" }
        #expect(throws: ImportError.self) { try importing(data) }
    }

    @Test func duplicateDefinitions() throws {
        let twice = try model { graph in graph.node.append(graph.node[0]) }
        #expect(throws: ImportError.self) { try importing(twice) }
        let overwritesInput = try model { $0.node[0].output = ["x"] }
        #expect(throws: ImportError.self) { try importing(overwritesInput) }
    }

    @Test func negativeAndOverflowingDimensions() throws {
        let negative = try model { $0.input[0].type.tensorType.shape.dim[0].dimValue = -3 }
        #expect(throws: ImportError.invalid(file: "test.onnx", location: "graph input 'x'", reason: "negative dimension -3")) {
            try importing(negative)
        }
        let huge = try model { graph in
            var dim = Onnx_TensorShapeProto.Dimension()
            dim.dimValue = 1 << 40
            graph.input[0].type.tensorType.shape.dim = [dim, dim]
        }
        #expect(throws: ImportError.self) { try importing(huge) }
        let hugeWeight = try model { graph in
            var w = Onnx_TensorProto()
            w.name = "w"
            w.dataType = 1
            w.dims = [1 << 31, 1 << 31]
            graph.initializer = [w]
        }
        #expect(throws: ImportError.self) { try importing(hugeWeight) }
    }

    @Test func unknownDataType() throws {
        let data = try model { $0.input[0].type.tensorType.elemType = 99 }
        #expect(throws: ImportError.invalid(file: "test.onnx", location: "graph input 'x'", reason: "unknown data type 99")) {
            try importing(data)
        }
    }

    @Test func cycle() throws {
        let data = try model { graph in
            graph.node[0].input = ["x", "z"]
            var back = Onnx_NodeProto()
            back.opType = "Relu"
            back.name = "back"
            back.input = ["y"]
            back.output = ["z"]
            graph.node.append(back)
        }
        #expect(throws: ImportError.self) { try importing(data) }
    }

    @Test func stringTensorsHaveUnknownSize() throws {
        let data = try model { $0.input[0].type.tensorType.elemType = 8 }
        let graph = try importing(data)
        #expect(graph.tensors[0].bytes == nil)
    }

    @Test func notAModel() throws {
        #expect(throws: ImportError.self) { try importing(Data("hello, this is not protobuf".utf8)) }
        #expect(throws: ImportError.self) { try importing(Data()) }  // decodes, but has no graph
        do {
            _ = try ONNXImporter.importGraph(contentsOf: "/nonexistent/m.onnx")
            Issue.record("expected an error")
        } catch {
            guard case .unreadable(let file, _) = error else { Issue.record("\(error)"); return }
            #expect(file == "/nonexistent/m.onnx")
        }
    }

    @Test func messagesNameFileAndPlace() throws {
        let data = try model { $0.node[0].input = ["nowhere"] }
        do {
            _ = try importing(data)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "test.onnx: node #0 Relu 'relu': reads 'nowhere', which no graph input, initializer or node defines")
        }
    }
}
