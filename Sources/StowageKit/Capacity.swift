import Foundation
import Units

/// The scratchpad size to plan for: a number of bytes, or one of the
/// budgets COSMA's evaluation uses, which depend on the graph
/// (``Budgets``).
public enum Capacity: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    case bytes(Int)
    /// M_R: the largest footprint of one operator; nothing smaller works.
    case minimum
    /// M_H: halfway between M_R and M_P.
    case half
    /// M_P: no tensor needs to leave the scratchpad early (file order).
    case noSpill

    public init(integerLiteral value: Int) { self = .bytes(value) }

    /// Parses what the CLI's `--scratchpad` and the C API's `"scratchpad"`
    /// take: `M_R`, `M_H`, `M_P` (case-insensitive, underscore optional),
    /// or a size in the one byte grammar (`4096`, `2MiB`, `1.5GB`: see
    /// ``ByteCount``). Zero is refused.
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` quoting the text.
    public static func parse(_ text: String, source: String = "options",
                             location: String? = "scratchpad") throws(StowageError) -> Capacity {
        switch text.trimmingCharacters(in: .whitespaces).uppercased() {
        case "M_R", "MR": return .minimum
        case "M_H", "MH": return .half
        case "M_P", "MP": return .noSpill
        default:
            let bytes: Int
            do {
                bytes = try ByteCount.parse(text)
            } catch {
                let numeric = text.trimmingCharacters(in: .whitespaces).first.map { $0.isNumber || $0 == "-" || $0 == "." } ?? false
                throw .badInput(source: source, location: location, reason: numeric ? error.description
                    : "'\(text)' is neither a size (\(ByteCount.grammar)) nor one of M_R, M_H, M_P")
            }
            guard bytes >= 1 else {
                throw .badInput(source: source, location: location, reason: "must be at least 1 byte, got '\(text)'")
            }
            return .bytes(bytes)
        }
    }

    /// As ``parse(_:source:location:)``, `nil` for anything it refuses.
    public init?(parsing text: String) {
        guard let capacity = try? Self.parse(text) else { return nil }
        self = capacity
    }

    /// The bytes this capacity means for a graph with these budgets.
    public func resolved(with budgets: Budgets) -> Int {
        switch self {
        case .bytes(let n): return n
        case .minimum: return budgets.minimum
        case .half: return budgets.half
        case .noSpill: return budgets.noSpill
        }
    }

    public var description: String {
        switch self {
        case .bytes(let n): return "\(n) bytes"
        case .minimum: return "M_R"
        case .half: return "M_H"
        case .noSpill: return "M_P"
        }
    }
}
