/// The bytes and FLOPs of one decoder layer that the offload cost model
/// multiplies by placement fractions: the layer's weights (as a list of
/// whole tensors), the KV cache per token and sequence, and the matrix
/// multiply work per token.
///
/// Two constructions:
/// - ``flexGen(_:compressWeights:)`` writes FlexGen's OPT formulas
///   (wi = 8·h1² + 4·h1·h2 bytes, 4·h1 bytes of cache per token) whatever the
///   architecture, so compatibility mode reproduces FlexGen's numbers;
/// - ``exact(_:weights:cache:)`` derives every count from the architecture:
///   OPT's four biased attention projections and two biased FFN matrices,
///   Llama/Mistral's grouped-query attention (k and v are h1 × kvHeads·headDim)
///   and gated FFN (gate, up, down), RMSNorm (one vector) or LayerNorm (two),
///   at 16 or 4 bits.
public struct LayerSizes: Sendable, Equatable {
    /// One weight tensor of a layer, placed as a whole in exact mode.
    public struct Tensor: Sendable, Equatable {
        public var name: String
        public var parameters: Int
        public var bytes: Double
    }

    /// The layer's weight tensors; exact mode places each on one tier.
    public var tensors: [Tensor]
    /// wi: bytes of one layer's weights (the sum of ``tensors``).
    public var weightBytes: Double
    /// Bytes of one sequence's keys and values for one token in one layer
    /// (FlexGen: 4·h1, i.e. 2 × h1 fp16 values).
    public var cacheBytesPerToken: Double
    /// Bytes of the FFN's intermediate activations per token (2·h2 for one
    /// fp16 intermediate, 4·h2 for a gated FFN's two).
    public var ffnActivationBytesPerToken: Double
    /// FLOPs of the layer's linear layers per token (2 per multiply-add;
    /// FlexGen: 8·h1² + 4·h1·h2).
    public var linearFlopsPerToken: Double
    /// Parameters of one layer.
    public var parameters: Int

    /// Element precision of weights or cache.
    public enum Precision: String, Sendable, Codable, CaseIterable {
        case fp16
        /// FlexGen's group-wise 4-bit quantisation: groups of 64 values
        /// share an fp16 scale and minimum, so 4 + 32/64 = 4.5 bits a value.
        case int4

        /// Bytes per element in exact mode.
        public var bytesPerElement: Double {
            switch self {
            case .fp16: 2
            case .int4: 4.5 / 8
            }
        }
    }

    /// FlexGen's hand-written OPT sizes (the spec's wi and 4·h1), with
    /// weights divided by 4 when compressed. The tensor list splits wi into
    /// OPT's six matrices so whole-tensor placement has something to place.
    public static func flexGen(_ shape: TransformerShape, compressWeights: Bool) -> LayerSizes {
        let h1 = shape.hidden, h2 = shape.ffn
        let scale = compressWeights ? 0.5 : 2.0
        let matrices: [(String, Int)] = [
            ("q", h1 * h1), ("k", h1 * h1), ("v", h1 * h1), ("out", h1 * h1), ("fc1", h1 * h2), ("fc2", h2 * h1),
        ]
        let tensors = matrices.map { Tensor(name: $0.0, parameters: $0.1, bytes: Double($0.1) * scale) }
        return LayerSizes(
            tensors: tensors, weightBytes: shape.flexGenLayerWeightBytes(compressed: compressWeights),
            cacheBytesPerToken: 4 * Double(h1), ffnActivationBytesPerToken: 2 * Double(h2),
            linearFlopsPerToken: 8 * Double(h1) * Double(h1) + 4 * Double(h1) * Double(h2),
            parameters: 4 * h1 * h1 + 2 * h1 * h2
        )
    }

    /// Sizes from the architecture. Matrices take `weights` precision;
    /// vectors (biases, norms) stay fp16 as quantisers leave them. The KV
    /// cache holds kvHeads·headDim keys and as many values per token.
    /// O(1): at most eleven tensors.
    public static func exact(_ shape: TransformerShape, weights: Precision, cache: Precision) -> LayerSizes {
        let h1 = shape.hidden, h2 = shape.ffn
        let kv = shape.kvHeads * (h1 / shape.heads)
        var matrices: [(String, Int)] = [("q", h1 * h1), ("k", h1 * kv), ("v", h1 * kv), ("o", h1 * h1)]
        matrices += shape.gatedFFN ? [("gate", h1 * h2), ("up", h1 * h2), ("down", h2 * h1)] : [("fc1", h1 * h2), ("fc2", h2 * h1)]
        let vectors: Int
        if shape.biases {
            // q, k, v, out biases; fc1 and fc2 biases; two LayerNorms (scale and shift).
            vectors = 2 * h1 + 2 * kv + h2 + h1 + 2 * 2 * h1
        } else {
            // Two RMSNorm scales.
            vectors = 2 * h1
        }
        var tensors = matrices.map { Tensor(name: $0.0, parameters: $0.1, bytes: Double($0.1) * weights.bytesPerElement) }
        tensors.append(Tensor(name: shape.biases ? "biases+norms" : "norms", parameters: vectors, bytes: Double(vectors) * 2))
        let matrixParameters = matrices.reduce(0) { $0 + $1.1 }
        return LayerSizes(
            tensors: tensors, weightBytes: tensors.reduce(0) { $0 + $1.bytes },
            cacheBytesPerToken: 2 * Double(kv) * cache.bytesPerElement,
            ffnActivationBytesPerToken: (shape.gatedFFN ? 4 : 2) * Double(h2),
            linearFlopsPerToken: 2 * Double(matrixParameters),
            parameters: matrixParameters + vectors
        )
    }

    /// Parameters of the whole model: the layers, the token embeddings, an
    /// untied output head for gated (Llama-family) models, learned positions
    /// (OPT: maxPositions + 2 rows) and the final norm.
    public static func modelParameters(_ shape: TransformerShape, layer: LayerSizes) -> Int {
        let h1 = shape.hidden, v = shape.vocabulary
        let embeddings = v * h1 + (shape.positions > 0 ? (shape.positions + 2) * h1 : 0)
        let head = shape.tiedEmbeddings ? 0 : v * h1
        let finalNorm = shape.biases ? 2 * h1 : h1
        return embeddings + shape.layers * layer.parameters + head + finalNorm
    }
}
