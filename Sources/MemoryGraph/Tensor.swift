/// A tensor of the graph: a named value with an element type, a shape and
/// a size in bytes.
///
/// `bytes` is stored rather than derived because some graphs give only a
/// size (the JSON format allows `"bytes"` without a shape), and it is `nil`
/// while it is unknown: no shape, or a shape with an unbound symbol.
public struct Tensor: Hashable, Sendable {
    public var name: String
    public var kind: TensorKind
    public var elementType: ElementType?
    public var shape: TensorShape?
    public var bytes: Int?

    /// A tensor sized by its shape and element type.
    /// - Throws: `GraphError.badSize` when a dimension is negative or the
    ///   byte count overflows `Int`.
    public init(name: String, kind: TensorKind, elementType: ElementType?, shape: TensorShape?) throws(GraphError) {
        self.name = name
        self.kind = kind
        self.elementType = elementType
        self.shape = shape
        self.bytes = try Tensor.bytes(name: name, elementType: elementType, shape: shape)
    }

    /// A tensor with a given size, with or without a shape.
    public init(name: String, kind: TensorKind, bytes: Int?, elementType: ElementType? = nil, shape: TensorShape? = nil) {
        self.name = name
        self.kind = kind
        self.elementType = elementType
        self.shape = shape
        self.bytes = bytes
    }

    /// The byte count of `shape` elements of `elementType`, `nil` when
    /// either is unknown or a dimension is symbolic.
    static func bytes(name: String, elementType: ElementType?, shape: TensorShape?) throws(GraphError) -> Int? {
        guard let elementType, let shape else { return nil }
        switch shape.elementCount {
        case .symbolic: return nil
        case .negative: throw GraphError.badSize(tensor: name, reason: "negative dimension in \(shape)")
        case .overflow: throw GraphError.badSize(tensor: name, reason: "\(shape) elements overflow a 64-bit count")
        case .count(let n):
            guard let bytes = elementType.byteCount(elements: n) else {
                throw GraphError.badSize(tensor: name, reason: "\(shape) of \(elementType) overflows a 64-bit byte count")
            }
            return bytes
        }
    }
}
