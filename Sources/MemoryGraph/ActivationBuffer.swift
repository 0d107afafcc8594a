/// One activation as a row of a fixed-lifetime buffer table: the hand-off
/// from a graph and a schedule to an offset allocator. Lifetimes are
/// half-open, `[lower, upper)` = `[first step, last step + 1)`.
public struct ActivationBuffer: Hashable, Sendable, Codable {
    public var id: String
    public var lower: Int
    public var upper: Int
    public var size: Int

    public init(id: String, lower: Int, upper: Int, size: Int) {
        self.id = id
        self.lower = lower
        self.upper = upper
        self.size = size
    }

    /// The rows as CSV with the header `id,lower,upper,size`, one row per
    /// line, `\n`-terminated. Ids containing a comma, a quote, or a line
    /// break, or with surrounding spaces, are quoted as RFC 4180 says.
    public static func csv(_ rows: [ActivationBuffer]) -> String {
        var text = "id,lower,upper,size\n"
        for row in rows {
            text += "\(quoted(row.id)),\(row.lower),\(row.upper),\(row.size)\n"
        }
        return text
    }

    static func quoted(_ field: String) -> String {
        let special = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
        let padded = field.first?.isWhitespace == true || field.last?.isWhitespace == true
        guard special || padded else { return field }
        var result = "\""
        for character in field {
            if character == "\"" { result += "\"\"" } else { result.append(character) }
        }
        return result + "\""
    }
}

extension Graph {
    /// The activations under `schedule` as buffer rows, in tensor order.
    /// Empty tensors (0 bytes) need no memory and are left out.
    /// - Throws: `GraphError.unknownSize` naming the first activation whose
    ///   size is unknown: an allocator cannot place it.
    /// O(tensors + operators + edges).
    public func activationBuffers(schedule: Schedule? = nil) throws(GraphError) -> [ActivationBuffer] {
        let liveness = Liveness(graph: self, schedule: schedule ?? .default(for: self))
        var rows: [ActivationBuffer] = []
        for (t, tensor) in tensors.enumerated() {
            guard let lifetime = liveness.lifetimes[t] else { continue }
            guard let size = tensor.bytes else { throw GraphError.unknownSize(tensor: tensor.name) }
            if size > 0 {
                rows.append(ActivationBuffer(id: tensor.name, lower: lifetime.first, upper: lifetime.upper, size: size))
            }
        }
        return rows
    }
}
