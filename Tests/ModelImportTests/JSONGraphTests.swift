import Foundation
import MemoryGraph
@testable import ModelImport
import Testing

@Suite struct JSONGraphTests {
    @Test func importsTheExamples() throws {
        let diamond = GraphSummary(graph: try JSONGraphFormat.importGraph(contentsOf: TestFiles.example("diamond.json")))
        #expect(diamond.nodes == 4 && diamond.tensors == 7)
        #expect(diamond.weightBytes == 3000)
        #expect(diamond.peakLiveBytes == 110)  // x and a at step 0
        #expect(diamond.maxOperatorBytes == 2090)  // op_d: b, c, w2, d
        #expect(diamond.maxOperatorNode == "op_d")

        let mlp = try JSONGraphFormat.importGraph(contentsOf: TestFiles.example("mlp.json"), symbols: ["batch": 32])
        let summary = GraphSummary(graph: mlp)
        #expect(summary.unknownShapes.isEmpty)
        #expect(summary.weightBytes == (784 * 512 + 512 + 512 * 10) * 2)
        #expect(summary.peakLiveBytes == 32 * 784 * 2 + 32 * 512 * 2)

        let attention = GraphSummary(graph: try JSONGraphFormat.importGraph(contentsOf: TestFiles.example("attention_block.json")))
        #expect(attention.nodes == 8)
        #expect(attention.unknownShapes.isEmpty)
    }

    /// ONNX → JSON → graph keeps every figure and every tensor.
    @Test(arguments: ["resnet50", "bert_base"])
    func roundTripsImportedModels(_ name: String) throws {
        let graph = try ONNXImporter.importGraph(contentsOf: TestFiles.model(name))
        let data = JSONGraphFormat.encode(graph)
        let again = try JSONGraphFormat.importGraph(data: data, file: "\(name).json", defaultName: "x")
        #expect(again.name == name)
        #expect(again.tensors == graph.tensors)
        #expect(again.operators == graph.operators)
        #expect(GraphSummary(graph: again) == GraphSummary(graph: graph))
    }

    @Test func roundTripsSymbolsAndCapturedInputs() throws {
        let graph = try ONNXImporter.importGraph(contentsOf: TestFiles.fixture("subgraphs.onnx"))
        let again = try JSONGraphFormat.importGraph(data: JSONGraphFormat.encode(graph), file: "s.json", defaultName: "s")
        #expect(again.tensors == graph.tensors)
        #expect(again.operators == graph.operators)
    }

    func importing(_ text: String) throws(ImportError) -> Graph {
        try JSONGraphFormat.importGraph(data: Data(text.utf8), file: "g.json", defaultName: "g")
    }

    @Test func errorsNameTheLine() throws {
        let text = """
            {"tensors": [
              {"name": "x", "kind": "input", "bytes": 4},
              {"name": "y", "bytes": 4}
            ],
            "operators": [
              {"name": "relu", "inputs": ["x"], "outputs": ["z"]}
            ]}
            """
        #expect(throws: ImportError.invalid(file: "g.json", location: "line 6: operators[0] 'relu'", reason: "output 'z' is not in \"tensors\"")) {
            try importing(text)
        }
        let disagreeing = """
            {"tensors": [
              {"name": "x", "kind": "input", "dtype": "float32", "shape": [2, 2], "bytes": 15}
            ], "operators": []}
            """
        #expect(throws: ImportError.self) { try importing(disagreeing) }
        let negative = """
            {"tensors": [{"name": "x", "kind": "input", "dtype": "float32", "shape": [-1]}], "operators": []}
            """
        #expect(throws: ImportError.self) { try importing(negative) }
    }

    @Test func malformedDocuments() throws {
        #expect(throws: ImportError.self) { try importing("{\"tensors\": [") }
        #expect(throws: ImportError.self) { try importing("{\"tensors\": [{\"name\": \"x\", \"dtype\": \"float7\"}], \"operators\": []}") }
        #expect(throws: ImportError.self) { try importing("{\"operators\": []}") }
        #expect(throws: ImportError.self) { try importing("{\"format\": \"other\", \"tensors\": [], \"operators\": []}") }
        #expect(throws: ImportError.self) { try importing("{\"version\": 2, \"tensors\": [], \"operators\": []}") }
        // An activation nobody writes.
        #expect(throws: ImportError.self) { try importing("{\"tensors\": [{\"name\": \"y\", \"bytes\": 1}], \"operators\": []}") }
        do {
            _ = try importing("{\"tensors\": [{\"name\": 5}], \"operators\": []}")
        } catch {
            #expect(error.description.hasPrefix("g.json: tensors[0].name: "))
        }
    }

    @Test func schemaListsEveryElementType() throws {
        let url = TestFiles.repository.appendingPathComponent("Schemas/graph.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let defs = try #require(schema["$defs"] as? [String: Any])
        let element = try #require(defs["elementType"] as? [String: Any])
        let names = try #require(element["enum"] as? [String])
        #expect(Set(names) == Set(ElementType.allCases.map(\.rawValue)))
        let tensor = try #require(defs["tensor"] as? [String: Any])
        let kinds = try #require(((tensor["properties"] as? [String: Any])?["kind"] as? [String: Any])?["enum"] as? [String])
        #expect(Set(kinds) == Set(TensorKind.allCases.map(\.rawValue)))
    }
}
