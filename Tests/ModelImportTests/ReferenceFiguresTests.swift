import Foundation
import MemoryGraph
import ModelImport
import Testing

/// The figures of every bundled network must equal those computed
/// independently in Python (`Models/reference_figures.json`).
@Suite struct ReferenceFiguresTests {
    struct Reference: Decodable {
        var nodes: Int
        var tensors: Int
        var weightBytes: Int
        var peakLiveBytes: Int
        var maxOperatorBytes: Int
        var maxOperatorNode: String
        var unknownShapes: [String]
    }

    static let references: [String: Reference] = {
        struct Document: Decodable { var models: [String: Reference] }
        let url = TestFiles.repository.appendingPathComponent("Models/reference_figures.json")
        guard let data = try? Data(contentsOf: url), let document = try? JSONDecoder().decode(Document.self, from: data) else { return [:] }
        return document.models
    }()

    @Test func everyModelHasAReference() {
        #expect(Set(Self.references.keys) == Set(TestFiles.modelNames))
    }

    @Test(arguments: TestFiles.modelNames)
    func matchesReference(_ name: String) throws {
        let reference = try #require(Self.references[name])
        let graph = try ONNXImporter.importGraph(contentsOf: TestFiles.model(name))
        let summary = GraphSummary(graph: graph)
        #expect(summary.name == name)
        #expect(summary.nodes == reference.nodes)
        #expect(summary.tensors == reference.tensors)
        #expect(summary.weightBytes == reference.weightBytes)
        #expect(summary.peakLiveBytes == reference.peakLiveBytes)
        #expect(summary.maxOperatorBytes == reference.maxOperatorBytes)
        #expect(summary.maxOperatorNode == reference.maxOperatorNode)
        #expect(summary.unknownShapes == reference.unknownShapes)
        #expect(summary.schedule == "file")
        #expect(summary.symbols.isEmpty)
        // Every activation can be handed to an allocator.
        let rows = try graph.activationBuffers()
        #expect(rows.allSatisfy { $0.lower < $0.upper && $0.size > 0 })
        #expect(rows.count <= graph.tensors.count - graph.weights.count)
    }
}
