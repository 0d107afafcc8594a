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

    /// Parses what the CLI's `--scratchpad` takes: `M_R`, `M_H`, `M_P`
    /// (case-insensitive, underscore optional), or a size: a whole number
    /// of bytes, or a number with a unit (`2MiB`, `512KiB`, `1.5GB`; KB, MB,
    /// GB are powers of 1024 too). `nil` for anything else, for zero, and
    /// for sizes beyond 2^60 bytes.
    public init?(parsing text: String) {
        switch text.trimmingCharacters(in: .whitespaces).uppercased() {
        case "M_R", "MR": self = .minimum
        case "M_H", "MH": self = .half
        case "M_P", "MP": self = .noSpill
        default:
            guard let bytes = ByteCountText.parse(text), bytes >= 1 else { return nil }
            self = .bytes(bytes)
        }
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
