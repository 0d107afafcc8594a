import MemoryGraph

/// Why a model file could not be imported. Every message starts with the
/// file and says where in it (node, tensor, line, key) the problem is, so
/// the CLI can print it as one line: `file: where: what`.
public enum ImportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(file: String, reason: String)
    /// The bytes are not a model of the expected format (protobuf that does
    /// not decode, JSON that does not parse).
    case malformed(file: String, location: String, reason: String)
    /// The model parses but is inconsistent: an undefined tensor, a
    /// negative dimension, a cycle, a size that overflows.
    case invalid(file: String, location: String, reason: String)
    /// The model is valid but uses something Stowage does not handle.
    case unsupported(file: String, location: String, reason: String)

    public var file: String {
        switch self {
        case .unreadable(let file, _), .malformed(let file, _, _), .invalid(let file, _, _), .unsupported(let file, _, _):
            return file
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): \(reason)"
        case .malformed(let file, let location, let reason),
             .invalid(let file, let location, let reason):
            return "\(file): \(location): \(reason)"
        case .unsupported(let file, let location, let reason):
            return "\(file): \(location): unsupported: \(reason)"
        }
    }

    /// An invalid-graph error for a `GraphError` found while assembling.
    static func graph(_ error: GraphError, file: String) -> ImportError {
        .invalid(file: file, location: "graph", reason: error.description)
    }
}
