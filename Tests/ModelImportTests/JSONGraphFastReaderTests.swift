import Foundation
import MemoryGraph
@testable import ModelImport
import Testing

/// The byte-level reader builds the same graph as `JSONDecoder` on the
/// documents it accepts, and hands every other document back (nil).
@Suite struct JSONGraphFastReaderTests {
    func graphs(_ data: Data) throws -> (fast: Graph?, decoded: Graph) {
        let decoded = try JSONGraphFormat.importGraph(document: JSONGraphFormat.decode(data, file: "g.json"), data: data,
                                                      file: "g.json", defaultName: "g", symbols: [:])
        let fast = try JSONGraphFastReader.document(data).map {
            try JSONGraphFormat.importGraph(document: $0, data: data, file: "g.json", defaultName: "g", symbols: [:])
        }
        return (fast, decoded)
    }

    @Test(arguments: ["diamond.json", "mlp.json", "attention_block.json"])
    func readsTheExamplesAsTheDecoderDoes(_ name: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestFiles.example(name)))
        let (fast, decoded) = try graphs(data)
        let graph = try #require(fast)
        #expect(graph.name == decoded.name)
        #expect(graph.tensors == decoded.tensors)
        #expect(graph.operators == decoded.operators)
        #expect(graph.outputs == decoded.outputs)
    }

    /// Shapes with symbols, dtypes, captured inputs, every key present:
    /// the same document as the decoder's (compared through its encoding).
    @Test func readsEveryKey() throws {
        let text = """
            {"format": "stowage-graph", "version": 1, "name": "all",
             "tensors": [{"name": "x", "kind": "input", "dtype": "float16", "shape": ["batch", 8]},
                         {"name": "w", "kind": "weight", "bytes": 0},
                         {"name": "y", "dtype": "float32", "shape": [], "bytes": 4},
                         {"name": "z", "kind": "activation", "shape": [2, "seq"], "bytes": 96}],
             "operators": [{"name": "a", "type": "MatMul", "inputs": ["x", "w"], "outputs": ["y"], "captured": ["w"]},
                           {"outputs": ["z"], "inputs": [], "name": "b"}],
             "outputs": ["y", "z"]}
            """
        let data = Data(text.utf8)
        let fast = try #require(JSONGraphFastReader.document(data))
        let decoded = try JSONGraphFormat.decode(data, file: "all.json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try encoder.encode(fast) == encoder.encode(decoded))
        #expect(fast.tensors[0].shape == TensorShape([.symbolic("batch"), .fixed(8)]))
        #expect(fast.operators[0].captured == ["w"] && fast.operators[1].type == nil)
    }

    /// Outside the subset: the reader declines, the decoder decides.
    @Test(arguments: [
        #"{"tensors": [{"name": "a\u0041"}], "operators": []}"#,            // an escape
        #"{"tensors": [{"name": "é"}], "operators": []}"#,                  // non-ASCII
        #"{"tensors": [], "operators": [], "note": 1}"#,                    // an unknown key
        #"{"tensors": [], "operators": [], "name": null}"#,                 // null
        #"{"tensors": [{"name": "a", "bytes": -1}], "operators": []}"#,     // a negative number
        #"{"tensors": [{"name": "a", "bytes": 1.0}], "operators": []}"#,    // a fraction
        #"{"tensors": [{"name": "a", "bytes": 1e3}], "operators": []}"#,    // an exponent
        #"{"tensors": [{"name": "a", "bytes": 0123}], "operators": []}"#,   // a leading zero
        #"{"tensors": [{"name": "a", "bytes": 9999999999999999999}], "operators": []}"#,  // 19 digits
        #"{"tensors": [], "tensors": [], "operators": []}"#,                // a duplicate key
        #"{"tensors": [{"name": "a", "kind": "buffer"}], "operators": []}"#, // an unknown kind
        #"{"tensors": [], "operators": []} x"#,                             // trailing bytes
        #"{"tensors": [], "operators": [],}"#,                              // a trailing comma
        #"{"operators": []}"#,                                              // a missing key
        #"[]"#,
    ])
    func declinesOutsideTheSubset(_ text: String) {
        #expect(JSONGraphFastReader.document(Data(text.utf8)) == nil)
    }

    @Test func acceptsWhitespaceAndEmptyLists() throws {
        let text = " \n{ \"tensors\" :[ ] ,\r\n\t\"operators\":[]}\n "
        let document = try #require(JSONGraphFastReader.document(Data(text.utf8)))
        #expect(document.tensors.isEmpty && document.operators.isEmpty && document.name == nil)
    }
}
