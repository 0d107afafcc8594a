import Foundation

/// The shape of a decoder-only transformer, read from a Hugging Face
/// `config.json`: what an offload planner needs to size weights, the KV
/// cache and activations without the weights themselves.
///
/// Families: OPT (`ffn_dim`, learned positions, biases, tied embeddings),
/// Llama and Mistral (`intermediate_size`, gated MLP, grouped-query
/// attention via `num_key_value_heads`, untied output head unless
/// `tie_word_embeddings`), and GPT-2 style names (`n_layer`, `n_embd`,
/// `n_head`, `n_inner`) as a fallback.
public struct TransformerConfig: Hashable, Sendable, Codable {
    public enum Family: String, Hashable, Sendable, Codable {
        case opt, llama, gpt2, other
    }

    public var name: String
    public var modelType: String
    public var family: Family
    public var layers: Int
    public var hiddenSize: Int
    public var ffnSize: Int
    public var heads: Int
    public var kvHeads: Int
    public var vocabSize: Int
    public var maxPositions: Int?
    /// Bytes per weight and activation element (`torch_dtype`; float32,
    /// Hugging Face's default, when absent).
    public var dtypeBytes: Int
    public var tiedEmbeddings: Bool

    public init(name: String, modelType: String, family: Family, layers: Int, hiddenSize: Int, ffnSize: Int,
                heads: Int, kvHeads: Int, vocabSize: Int, maxPositions: Int?, dtypeBytes: Int, tiedEmbeddings: Bool) {
        self.name = name
        self.modelType = modelType
        self.family = family
        self.layers = layers
        self.hiddenSize = hiddenSize
        self.ffnSize = ffnSize
        self.heads = heads
        self.kvHeads = kvHeads
        self.vocabSize = vocabSize
        self.maxPositions = maxPositions
        self.dtypeBytes = dtypeBytes
        self.tiedEmbeddings = tiedEmbeddings
    }

    public var headDim: Int { hiddenSize / heads }

    /// Reads a `config.json`; the config is named after the file.
    public static func load(contentsOf path: String) throws(ImportError) -> TransformerConfig {
        let data = try FileData.read(path)
        return try parse(data: data, file: path, name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
    }

    /// Whether JSON bytes look like a Hugging Face model config rather than
    /// a Stowage graph.
    static func looksLikeConfig(_ data: Data) -> Bool {
        guard let object = try? JSONDecoder().decode([String: ConfigValue].self, from: data) else { return false }
        return object["operators"] == nil && (object["num_hidden_layers"] != nil || object["n_layer"] != nil)
    }

    public static func parse(data: Data, file: String, name: String) throws(ImportError) -> TransformerConfig {
        let object: [String: ConfigValue]
        do {
            object = try JSONDecoder().decode([String: ConfigValue].self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let detail = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
            throw ImportError.malformed(file: file, location: "syntax", reason: detail ?? context.debugDescription)
        } catch {
            throw ImportError.malformed(file: file, location: "document", reason: "expected a JSON object of settings")
        }

        func integer(_ keys: [String], required: Bool = true) throws(ImportError) -> Int? {
            for key in keys {
                guard let raw = object[key], raw != .null else { continue }
                guard case .number(let number) = raw, let value = Int(exactly: number), value > 0, value < 1 << 40 else {
                    throw ImportError.invalid(file: file, location: "key \"\(key)\"", reason: "expected a positive integer, found \(raw)")
                }
                return value
            }
            if required {
                throw ImportError.invalid(file: file, location: "key \"\(keys[0])\"", reason: "missing")
            }
            return nil
        }
        func string(_ key: String) -> String? {
            if case .string(let s)? = object[key] { return s }
            return nil
        }

        let modelType = string("model_type") ?? ""
        let family: Family = switch modelType {
        case "opt": .opt
        case "llama", "mistral", "mixtral", "qwen2", "gemma": .llama
        case "gpt2", "gpt_neox", "gptj": .gpt2
        default: object["intermediate_size"] != nil ? .llama : .other
        }
        let layers = try integer(["num_hidden_layers", "n_layer"]) ?? 0
        let hidden = try integer(["hidden_size", "n_embd", "d_model"]) ?? 0
        let heads = try integer(["num_attention_heads", "n_head"]) ?? 0
        let kvHeads = try integer(["num_key_value_heads"], required: false) ?? heads
        let ffn = try integer(["ffn_dim", "intermediate_size", "n_inner"], required: false) ?? hidden * 4
        let vocab = try integer(["vocab_size"]) ?? 0
        let positions = try integer(["max_position_embeddings", "n_positions"], required: false)
        guard hidden % heads == 0 else {
            throw ImportError.invalid(file: file, location: "key \"num_attention_heads\"", reason: "\(heads) heads do not divide hidden size \(hidden)")
        }
        guard heads % kvHeads == 0 else {
            throw ImportError.invalid(file: file, location: "key \"num_key_value_heads\"", reason: "\(kvHeads) KV heads do not divide \(heads) heads")
        }
        let dtypeName = string("torch_dtype") ?? string("dtype") ?? "float32"
        let dtypeBytes: Int
        switch dtypeName.replacingOccurrences(of: "torch.", with: "") {
        case "float16", "bfloat16", "half": dtypeBytes = 2
        case "float32", "float": dtypeBytes = 4
        case "float64", "double": dtypeBytes = 8
        case "int8", "uint8", "float8_e4m3fn", "float8_e5m2": dtypeBytes = 1
        default:
            throw ImportError.unsupported(file: file, location: "key \"torch_dtype\"", reason: "dtype '\(dtypeName)'")
        }
        let tied: Bool
        if case .bool(let flag)? = object["tie_word_embeddings"] { tied = flag } else { tied = family == .opt || family == .gpt2 }
        return TransformerConfig(name: name, modelType: modelType, family: family, layers: layers, hiddenSize: hidden,
                                 ffnSize: ffn, heads: heads, kvHeads: kvHeads, vocabSize: vocab, maxPositions: positions,
                                 dtypeBytes: dtypeBytes, tiedEmbeddings: tied)
    }

    /// The number of parameters, from the family's layer layout:
    /// - OPT: token and position embeddings (`max_position_embeddings + 2`
    ///   rows), per layer four biased `h×h` projections, a biased
    ///   `h×f`/`f×h` MLP and two layer norms, a final layer norm;
    /// - Llama/Mistral: embeddings and (untied) output head, per layer
    ///   `q`,`o` (`h×h`) and `k`,`v` (`h × kvHeads·headDim`) without bias, a
    ///   gated MLP (three `h×f`), two RMS norms, a final norm;
    /// - GPT-2 style: like OPT without the position offset.
    /// Sums of values below 2⁴⁰ each, so no overflow.
    public var parameterCount: Int {
        let h = hiddenSize, f = ffnSize, v = vocabSize
        let kv = kvHeads * headDim
        switch family {
        case .opt, .gpt2, .other:
            let offset = family == .opt ? 2 : 0
            let embeddings = v * h + ((maxPositions ?? 0) + offset) * h
            let attention = 4 * (h * h + h)
            let mlp = (h * f + f) + (f * h + h)
            let norms = 2 * 2 * h
            let head = tiedEmbeddings ? 0 : v * h
            return embeddings + layers * (attention + mlp + norms) + 2 * h + head
        case .llama:
            let attention = 2 * h * h + 2 * h * kv
            let mlp = 3 * h * f
            let head = tiedEmbeddings ? 0 : v * h
            return v * h + layers * (attention + mlp + 2 * h) + h + head
        }
    }

    /// Bytes of all weights at `dtypeBytes` each.
    public var weightBytes: Int { parameterCount * dtypeBytes }

    /// KV-cache bytes per token of context, over all layers: keys and
    /// values of `kvHeads × headDim` elements each.
    public var kvCacheBytesPerToken: Int { 2 * layers * kvHeads * headDim * dtypeBytes }
}

/// One JSON value of a config file; only numbers, strings and booleans are
/// read, the rest is skipped.
enum ConfigValue: Decodable, Equatable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)
    case null
    case other

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let n = try? container.decode(Double.self) { self = .number(n) }
        else if let s = try? container.decode(String.self) { self = .string(s) }
        else { self = .other }
    }

    var description: String {
        switch self {
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .string(let s): return "\"\(s)\""
        case .bool(let b): return String(b)
        case .null: return "null"
        case .other: return "an array or object"
        }
    }
}
