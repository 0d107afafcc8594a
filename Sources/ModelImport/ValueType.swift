import MemoryGraph

/// What is known of a tensor before it becomes a `Tensor`: its element
/// type and shape, either or both possibly unknown. Importers and shape
/// inference trade in these.
struct ValueType: Hashable, Sendable {
    var elementType: ElementType?
    var shape: TensorShape?

    init(_ elementType: ElementType?, _ shape: TensorShape?) {
        self.elementType = elementType
        self.shape = shape
    }

    init(_ elementType: ElementType?, fixed dims: [Int]) {
        self.init(elementType, TensorShape(fixed: dims))
    }

    static let unknown = ValueType(nil, nil)

    /// Whether both parts are known, so the size is too (up to symbols).
    var isComplete: Bool { elementType != nil && shape != nil }
}
