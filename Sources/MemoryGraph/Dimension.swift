/// One dimension of a tensor shape: a number, or a name that stands for a
/// number fixed later (ONNX `dim_param`, e.g. `batch` or `sequence`).
///
/// Symbolic dimensions survive import so that one file serves many batch
/// sizes; a graph gets byte sizes once every symbol is bound
/// (`Graph.binding(_:)`).
public enum Dimension: Hashable, Sendable {
    case fixed(Int)
    case symbolic(String)

    /// The number, when the dimension is fixed.
    public var value: Int? {
        if case .fixed(let n) = self { return n }
        return nil
    }
}

extension Dimension: CustomStringConvertible {
    public var description: String {
        switch self {
        case .fixed(let n): return String(n)
        case .symbolic(let name): return name
        }
    }
}

extension Dimension: Codable {
    /// Encoded as a JSON number or a JSON string, as written in a shape.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .fixed(number)
        } else {
            self = .symbolic(try container.decode(String.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .fixed(let n): try container.encode(n)
        case .symbolic(let name): try container.encode(name)
        }
    }
}
