import Testing
@testable import Offload

/// Architecture-derived byte counts, checked against the parameter counts
/// the model publishers report (Hugging Face model cards / safetensors
/// metadata), and FlexGen's formulas kept intact in compatibility mode.
@Suite struct LayerSizesTests {
    // Shapes as in Models/llm/*.json.
    static let llama2_7b = TransformerShape(name: "llama-2-7b", layers: 32, hidden: 4096, ffn: 11008, heads: 32,
                                            vocabulary: 32000, gatedFFN: true, biases: false)
    static let llama2_13b = TransformerShape(name: "llama-2-13b", layers: 40, hidden: 5120, ffn: 13824, heads: 40,
                                             vocabulary: 32000, gatedFFN: true, biases: false)
    static let llama2_70b = TransformerShape(name: "llama-2-70b", layers: 80, hidden: 8192, ffn: 28672, heads: 64,
                                             kvHeads: 8, vocabulary: 32000, gatedFFN: true, biases: false)
    static let mistral7b = TransformerShape(name: "mistral-7b", layers: 32, hidden: 4096, ffn: 14336, heads: 32,
                                            kvHeads: 8, vocabulary: 32000, gatedFFN: true, biases: false)
    static let opt6_7b = TransformerShape(name: "opt-6.7b", layers: 32, hidden: 4096, ffn: 16384, heads: 32, positions: 2048)

    @Test(arguments: [
        (llama2_7b, 6_738_415_616),
        (llama2_13b, 13_015_864_320),
        (llama2_70b, 68_976_648_192),
        (mistral7b, 7_241_732_096),
        (opt6_7b, 6_658_473_984),
    ])
    func parameterCountsMatchThePublishedOnes(_ shape: TransformerShape, _ published: Int) {
        let layer = LayerSizes.exact(shape, weights: .fp16, cache: .fp16)
        #expect(LayerSizes.modelParameters(shape, layer: layer) == published, "\(shape.name)")
        #expect(layer.weightBytes == 2 * Double(layer.parameters))
        #expect(layer.tensors.reduce(0) { $0 + $1.parameters } == layer.parameters)
    }

    @Test func opt30bAndOpt175bAreThirtyAndOneHundredSeventyFiveBillion() {
        for (shape, billions) in [(TransformerShape.opt30b, 30.0), (.opt175b, 175.0)] {
            let layer = LayerSizes.exact(shape, weights: .fp16, cache: .fp16)
            let count = Double(LayerSizes.modelParameters(shape, layer: layer)) / 1e9
            #expect(abs(count - billions) / billions < 0.01, "\(shape.name): \(count) B")
        }
    }

    @Test func groupedQueryAttentionShrinksKeysValuesAndTheCache() {
        let mistral = LayerSizes.exact(Self.mistral7b, weights: .fp16, cache: .fp16)
        let k = mistral.tensors.first { $0.name == "k" }!
        #expect(k.parameters == 4096 * 1024)
        // 8 KV heads of 128: keys and values of 1024 fp16 values each per token.
        #expect(mistral.cacheBytesPerToken == 2 * 1024 * 2)
        #expect(mistral.tensors.map(\.name) == ["q", "k", "v", "o", "gate", "up", "down", "norms"])
        let llama = LayerSizes.exact(Self.llama2_7b, weights: .fp16, cache: .fp16)
        #expect(llama.cacheBytesPerToken == 4 * 4096)
    }

    @Test func fourBitWeightsAndCacheCostFourAndAHalfBitsAValue() {
        let full = LayerSizes.exact(Self.llama2_7b, weights: .fp16, cache: .fp16)
        let packed = LayerSizes.exact(Self.llama2_7b, weights: .int4, cache: .int4)
        #expect(packed.cacheBytesPerToken == full.cacheBytesPerToken * 4.5 / 16)
        let matrices = { (s: LayerSizes) in s.tensors.filter { $0.name != "norms" }.reduce(0) { $0 + $1.bytes } }
        #expect(matrices(packed) == matrices(full) * 4.5 / 16)
        #expect(packed.linearFlopsPerToken == full.linearFlopsPerToken)
    }

    @Test func flexGenSizesAreTheSpecFormulasAndExactOPTAddsOnlyVectors() {
        let shape = TransformerShape.opt30b
        let h1 = 7168.0, h2 = 28672.0
        let flexgen = LayerSizes.flexGen(shape, compressWeights: false)
        #expect(flexgen.weightBytes == 8 * h1 * h1 + 4 * h1 * h2)
        #expect(flexgen.cacheBytesPerToken == 4 * h1)
        #expect(flexgen.linearFlopsPerToken == 8 * h1 * h1 + 4 * h1 * h2)
        #expect(flexgen.tensors.reduce(0) { $0 + $1.bytes } == flexgen.weightBytes)
        #expect(LayerSizes.flexGen(shape, compressWeights: true).weightBytes == flexgen.weightBytes / 4)
        let exact = LayerSizes.exact(shape, weights: .fp16, cache: .fp16)
        let vectors = 4 * h1 + h2 + h1 + 4 * h1
        #expect(exact.weightBytes == flexgen.weightBytes + 2 * vectors)
        #expect(exact.cacheBytesPerToken == flexgen.cacheBytesPerToken)
        #expect(exact.linearFlopsPerToken == flexgen.linearFlopsPerToken)
    }
}
