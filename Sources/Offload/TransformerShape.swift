/// The sizes of a decoder-only transformer that the offload cost model needs.
public struct TransformerShape: Sendable, Equatable, Codable {
    public var name: String
    /// l: decoder layers.
    public var layers: Int
    /// h1: hidden size.
    public var hidden: Int
    /// h2: FFN inner size (4·h1 for OPT).
    public var ffn: Int
    /// nh: attention heads.
    public var heads: Int
    /// Key/value heads (fewer than `heads` with grouped-query attention).
    public var kvHeads: Int
    public var vocabulary: Int
    /// Whether the FFN is gated (three matrices: Llama, Mistral) or not (two: OPT).
    public var gatedFFN: Bool
    /// Whether linear layers carry biases (OPT does, Llama does not).
    public var biases: Bool
    /// Learned position embeddings (OPT: max_position_embeddings; 0 for
    /// rotary models). Only whole-model parameter counts use it.
    public var positions: Int
    /// Whether the output head shares the token embedding matrix.
    public var tiedEmbeddings: Bool

    public init(name: String, layers: Int, hidden: Int, ffn: Int, heads: Int, kvHeads: Int? = nil,
                vocabulary: Int = 50272, gatedFFN: Bool = false, biases: Bool = true, positions: Int = 0,
                tiedEmbeddings: Bool? = nil) {
        self.name = name
        self.layers = layers
        self.hidden = hidden
        self.ffn = ffn
        self.heads = heads
        self.kvHeads = kvHeads ?? heads
        self.vocabulary = vocabulary
        self.gatedFFN = gatedFFN
        self.biases = biases
        self.positions = positions
        self.tiedEmbeddings = tiedEmbeddings ?? !gatedFFN
    }

    /// OPT-30B and OPT-175B, the spec's reference models.
    public static let opt30b = TransformerShape(name: "opt-30b", layers: 48, hidden: 7168, ffn: 28672, heads: 56, positions: 2048)
    public static let opt175b = TransformerShape(name: "opt-175b", layers: 96, hidden: 12288, ffn: 49152, heads: 96, positions: 2048)

    /// FlexGen's bytes of one layer's fp16 weights: 8·h1² + 4·h1·h2 (the
    /// four attention projections and the two FFN matrices, 2 bytes each),
    /// a quarter of that with 4-bit compression.
    public func flexGenLayerWeightBytes(compressed: Bool) -> Double {
        let h1 = Double(hidden), h2 = Double(ffn)
        let bytes = 8 * h1 * h1 + 4 * h1 * h2
        return compressed ? bytes / 4 : bytes
    }

    /// The first size out of its documented range (``OffloadLimits``), or nil.
    public func validationError() -> String? {
        validationProblem().map { "\($0.field) \($0.message)" }
    }

    /// The first size out of its documented range: the field ("layers",
    /// "hidden size", "FFN size", "heads", "KV heads", "vocabulary",
    /// "positions") and what is wrong.
    public func validationProblem() -> (field: String, message: String)? {
        let limits: [(String, Int, Int)] = [
            ("layers", layers, OffloadLimits.maximumLayers), ("hidden size", hidden, OffloadLimits.maximumHidden),
            ("FFN size", ffn, OffloadLimits.maximumFFN), ("heads", heads, OffloadLimits.maximumHidden),
            ("KV heads", kvHeads, OffloadLimits.maximumHidden), ("vocabulary", vocabulary, OffloadLimits.maximumVocabulary),
        ]
        for (key, value, maximum) in limits where !(1 ... maximum).contains(value) {
            return (key, "must be 1 to \(maximum), got \(value)")
        }
        if !(0 ... OffloadLimits.maximumVocabulary).contains(positions) {
            return ("positions", "must be 0 to \(OffloadLimits.maximumVocabulary), got \(positions)")
        }
        if hidden % heads != 0 { return ("heads", "(\(heads)) must divide the hidden size (\(hidden))") }
        if heads % kvHeads != 0 { return ("heads", "(\(heads)) must be a multiple of KV heads (\(kvHeads))") }
        return nil
    }
}
