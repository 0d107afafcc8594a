/// Builds a ``Graph`` in code, by name, in the order a program would write
/// it: inputs and weights, then each operator with the tensors it makes.
///
/// ```swift
/// var builder = GraphBuilder(name: "mlp")
/// let x = builder.input("x", bytes: 4_096)
/// let w = builder.weight("w", bytes: 65_536)
/// let y = builder.op("fc", type: "MatMul", inputs: [x, w], output: "y", bytes: 4_096)
/// builder.markOutput(y)
/// let graph = try builder.build()
/// ```
///
/// Mistakes (a repeated name, a negative size, a handle from another
/// builder) are remembered and reported by ``build()`` as
/// ``StowageError/badInput(source:location:reason:)``, so a chain of calls
/// needs no `try` until the end. The operators' order is the schedule the
/// planners follow. Each call is O(1) amortised plus its arguments;
/// ``build()`` is O(tensors + operators + edges).
public struct GraphBuilder: Sendable {
    /// A tensor added to this builder.
    public struct TensorID: Sendable, Hashable {
        public let index: Int
        let builder: Int
    }

    public let name: String
    private var tensors: [Tensor] = []
    private var operators: [Operator] = []
    private var outputs: [Int] = []
    private var firstError: StowageError?
    private let identity: Int

    public init(name: String) {
        self.name = name
        // Random, not counted: no shared state; two builders share one with
        // probability 2^-64.
        identity = Int.random(in: Int.min ... Int.max)
    }

    /// A graph input (an activation fed by the caller, live from the start).
    public mutating func input(_ name: String, bytes: Int) -> TensorID {
        add(Tensor(name: name, kind: .input, bytes: bytes))
    }

    /// A graph input sized by its element type and shape.
    public mutating func input(_ name: String, _ elementType: ElementType, shape: [Int]) -> TensorID {
        add(shaped: name, kind: .input, elementType, shape)
    }

    /// A weight: constant, starts in host memory.
    public mutating func weight(_ name: String, bytes: Int) -> TensorID {
        add(Tensor(name: name, kind: .weight, bytes: bytes))
    }

    /// A weight sized by its element type and shape.
    public mutating func weight(_ name: String, _ elementType: ElementType, shape: [Int]) -> TensorID {
        add(shaped: name, kind: .weight, elementType, shape)
    }

    /// An operator reading `inputs` and writing one new tensor of `bytes`.
    @discardableResult
    public mutating func op(_ name: String, type: String = "Op", inputs: [TensorID], output: String, bytes: Int) -> TensorID {
        op(name, type: type, inputs: inputs, outputs: [(output, bytes)])[0]
    }

    /// An operator reading `inputs` and writing new tensors, one per
    /// `(name, bytes)` pair, returned in that order.
    @discardableResult
    public mutating func op(_ name: String, type: String = "Op", inputs: [TensorID], outputs: [(name: String, bytes: Int)]) -> [TensorID] {
        let made = outputs.map { add(Tensor(name: $0.name, kind: .activation, bytes: $0.bytes)) }
        record(name: name, type: type, inputs: inputs, outputs: made)
        return made
    }

    /// An operator writing new tensors sized by element type and shape.
    @discardableResult
    public mutating func op(_ name: String, type: String = "Op", inputs: [TensorID],
                            outputs: [(name: String, elementType: ElementType, shape: [Int])]) -> [TensorID] {
        let made = outputs.map { add(shaped: $0.name, kind: .activation, $0.elementType, $0.shape) }
        record(name: name, type: type, inputs: inputs, outputs: made)
        return made
    }

    /// Marks a tensor as a graph output: it must end in host memory.
    public mutating func markOutput(_ tensor: TensorID) {
        guard own(tensor, at: "graph outputs") else { return }
        if !outputs.contains(tensor.index) { outputs.append(tensor.index) }
    }

    /// The validated graph, or the first mistake made while building it.
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` with
    ///   source `graph builder` and the tensor or operator at fault.
    public func build() throws(StowageError) -> Graph {
        if let firstError { throw firstError }
        do {
            return try Graph(name: name, tensors: tensors, operators: operators, outputs: outputs)
        } catch {
            throw .badInput(source: "graph builder", location: "graph '\(name)'", reason: error.description)
        }
    }

    private mutating func add(_ tensor: Tensor) -> TensorID {
        if let bytes = tensor.bytes, bytes < 0 {
            fail("tensor '\(tensor.name)'", "size \(bytes) is negative")
        }
        tensors.append(tensor)
        return TensorID(index: tensors.count - 1, builder: identity)
    }

    private mutating func add(shaped name: String, kind: TensorKind, _ elementType: ElementType, _ shape: [Int]) -> TensorID {
        do {
            return add(try Tensor(name: name, kind: kind, elementType: elementType, shape: TensorShape(fixed: shape)))
        } catch {
            fail("tensor '\(name)'", error.description)
            return add(Tensor(name: name, kind: kind, bytes: 0, elementType: elementType))
        }
    }

    private mutating func record(name: String, type: String, inputs: [TensorID], outputs: [TensorID]) {
        let location = "operator '\(name)'"
        for input in inputs where !own(input, at: location) { return }
        operators.append(Operator(name: name, type: type, inputs: inputs.map(\.index), outputs: outputs.map(\.index)))
    }

    private mutating func own(_ tensor: TensorID, at location: String) -> Bool {
        guard tensor.builder == identity, tensors.indices.contains(tensor.index) else {
            fail(location, "refers to a tensor of another graph builder")
            return false
        }
        return true
    }

    private mutating func fail(_ location: String, _ reason: String) {
        if firstError == nil { firstError = .badInput(source: "graph builder", location: location, reason: reason) }
    }
}
