import Foundation
@testable import ModelImport
import Testing

@Suite struct TransformerConfigTests {
    /// Parameter counts published in Models/README.md (billions, 3 decimals),
    /// with the dimensions of each config.
    static let published: [(file: String, layers: Int, hidden: Int, ffn: Int, heads: Int, kvHeads: Int, vocab: Int, billions: String)] = [
        ("opt-6.7b", 32, 4096, 16384, 32, 32, 50272, "6.658"),
        ("opt-13b", 40, 5120, 20480, 40, 40, 50272, "12.853"),
        ("opt-30b", 48, 7168, 28672, 56, 56, 50272, "29.975"),
        ("opt-66b", 64, 9216, 36864, 72, 72, 50272, "65.720"),
        ("opt-175b", 96, 12288, 49152, 96, 96, 50272, "174.604"),
        ("llama-2-7b", 32, 4096, 11008, 32, 32, 32000, "6.738"),
        ("llama-2-13b", 40, 5120, 13824, 40, 40, 32000, "13.016"),
        ("llama-2-70b", 80, 8192, 28672, 64, 8, 32000, "68.977"),
        ("llama-3-8b", 32, 4096, 14336, 32, 8, 128256, "8.030"),
        ("llama-3-70b", 80, 8192, 28672, 64, 8, 128256, "70.554"),
        ("mistral-7b", 32, 4096, 14336, 32, 8, 32000, "7.242"),
    ]

    @Test(arguments: published.indices)
    func readsConfigsAndCountsParameters(_ i: Int) throws {
        let expected = Self.published[i]
        let path = TestFiles.repository.appendingPathComponent("Models/llm/\(expected.file).json").path
        guard case .transformer(let config) = try ModelFile.load(path) else {
            Issue.record("\(expected.file) was not recognised as a transformer config")
            return
        }
        #expect(config.name == expected.file)
        #expect(config.layers == expected.layers)
        #expect(config.hiddenSize == expected.hidden)
        #expect(config.ffnSize == expected.ffn)
        #expect(config.heads == expected.heads)
        #expect(config.kvHeads == expected.kvHeads)
        #expect(config.vocabSize == expected.vocab)
        #expect(config.dtypeBytes == 2)
        #expect(String(format: "%.3f", Double(config.parameterCount) / 1e9) == expected.billions)
        #expect(config.weightBytes == 2 * config.parameterCount)
        #expect(config.kvCacheBytesPerToken == 2 * config.layers * config.kvHeads * config.headDim * 2)
    }

    func parse(_ text: String) throws(ImportError) -> TransformerConfig {
        try TransformerConfig.parse(data: Data(text.utf8), file: "config.json", name: "c")
    }

    @Test func gpt2StyleNamesAndDefaults() throws {
        let c = try parse(#"{"model_type": "gpt2", "n_layer": 12, "n_embd": 768, "n_head": 12, "vocab_size": 50257, "n_positions": 1024}"#)
        #expect(c.layers == 12 && c.hiddenSize == 768 && c.ffnSize == 3072 && c.kvHeads == 12)
        #expect(c.dtypeBytes == 4)  // Hugging Face's default without torch_dtype
        #expect(c.parameterCount == 124_439_808)  // GPT-2 small, tied head
    }

    @Test func rejectsBadValues() {
        #expect(throws: ImportError.invalid(file: "config.json", location: "key \"num_hidden_layers\"", reason: "missing")) {
            try parse(#"{"hidden_size": 8, "num_attention_heads": 2, "vocab_size": 10}"#)
        }
        #expect(throws: ImportError.self) {
            try parse(#"{"num_hidden_layers": -1, "hidden_size": 8, "num_attention_heads": 2, "vocab_size": 10}"#)
        }
        #expect(throws: ImportError.self) {
            try parse(#"{"num_hidden_layers": 2.5, "hidden_size": 8, "num_attention_heads": 2, "vocab_size": 10}"#)
        }
        #expect(throws: ImportError.self) {
            try parse(#"{"num_hidden_layers": 2, "hidden_size": 10, "num_attention_heads": 3, "vocab_size": 10}"#)
        }
        #expect(throws: ImportError.self) {
            try parse(#"{"num_hidden_layers": 2, "hidden_size": 8, "num_attention_heads": 2, "vocab_size": 10, "torch_dtype": "float7"}"#)
        }
        #expect(throws: ImportError.self) { try parse("[1, 2]") }
        #expect(throws: ImportError.self) { try parse("{") }
    }
}
