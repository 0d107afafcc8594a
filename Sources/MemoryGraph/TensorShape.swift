/// The shape of a tensor: its dimensions, outermost first. A scalar has no
/// dimensions and one element.
public struct TensorShape: Hashable, Sendable, Codable {
    public var dimensions: [Dimension]

    public init(_ dimensions: [Dimension]) {
        self.dimensions = dimensions
    }

    public init(fixed dimensions: [Int]) {
        self.dimensions = dimensions.map { .fixed($0) }
    }

    public init(from decoder: Decoder) throws {
        dimensions = try [Dimension](from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        try dimensions.encode(to: encoder)
    }

    public var rank: Int { dimensions.count }

    /// The dimensions as numbers, or `nil` when one is symbolic.
    public var fixedDimensions: [Int]? {
        var result: [Int] = []
        result.reserveCapacity(dimensions.count)
        for dimension in dimensions {
            guard let value = dimension.value else { return nil }
            result.append(value)
        }
        return result
    }

    /// The symbols the shape mentions, in order of first appearance.
    public var symbols: [String] {
        var seen: [String] = []
        for case .symbolic(let name) in dimensions where !seen.contains(name) { seen.append(name) }
        return seen
    }

    /// What counting the elements gave.
    public enum ElementCount: Hashable, Sendable {
        case count(Int)
        /// A dimension is a symbol.
        case symbolic
        /// A dimension is negative.
        case negative
        /// The product does not fit in `Int`.
        case overflow
    }

    /// The number of elements. O(rank).
    public var elementCount: ElementCount {
        var product = 1
        var overflowed = false
        for dimension in dimensions {
            switch dimension {
            case .symbolic: return .symbolic
            case .fixed(let n):
                guard n >= 0 else { return .negative }
                let (next, overflow) = product.multipliedReportingOverflow(by: n)
                // A later zero dimension makes an overflowing product empty.
                if overflow { overflowed = true } else { product = next }
            }
        }
        if overflowed { return dimensions.contains(.fixed(0)) ? .count(0) : .overflow }
        return .count(product)
    }

    /// Replaces bound symbols by their values.
    public func binding(_ values: [String: Int]) -> TensorShape {
        TensorShape(dimensions.map { dimension in
            if case .symbolic(let name) = dimension, let value = values[name] { return .fixed(value) }
            return dimension
        })
    }
}

extension TensorShape: CustomStringConvertible {
    /// `1×3×224×224`; a scalar is `scalar`.
    public var description: String {
        dimensions.isEmpty ? "scalar" : dimensions.map(\.description).joined(separator: "×")
    }
}
