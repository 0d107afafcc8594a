/// A dataflow graph of operators and tensors: what Stowage plans memory for.
///
/// A `Graph` is validated once, when it is made, so that planners can rely on
/// it without checking again:
/// - tensor names are unique;
/// - every operator refers to existing tensors;
/// - every activation is written by exactly one operator, and no operator
///   writes a graph input or a weight;
/// - the operators form no cycle (so a schedule exists);
/// - the sum of all known tensor sizes fits in `Int`, so any sum over a set
///   of distinct tensors (live bytes, an operator's footprint) cannot
///   overflow.
///
/// Operators keep the order they were given in (ONNX file order); that
/// order is the default schedule when it respects the data dependencies.
public struct Graph: Sendable {
    public let name: String
    public let tensors: [Tensor]
    public let operators: [Operator]
    /// Graph outputs: live until the last step.
    public let outputs: [Int]
    /// Graph inputs that are not weights, in tensor order.
    public let inputs: [Int]
    /// The operator that writes each tensor, `nil` for inputs and weights.
    public let producers: [Int?]
    /// A topological order of the operators: file order when file order is
    /// topological, otherwise Kahn's order that starts from file order.
    public let topologicalOrder: [Int]
    /// Whether the operators as given already respect every dependency.
    public let isFileOrderTopological: Bool

    private let indexByName: [String: Int]
    private let consumerStart: [Int]
    private let consumerList: [Int]

    /// Validates and indexes a graph. O(tensors + operators + edges).
    public init(name: String, tensors: [Tensor], operators: [Operator], outputs: [Int]) throws(GraphError) {
        var indexByName: [String: Int] = [:]
        indexByName.reserveCapacity(tensors.count)
        var total = 0
        for (i, tensor) in tensors.enumerated() {
            guard indexByName.updateValue(i, forKey: tensor.name) == nil else {
                throw GraphError.duplicateTensor(tensor.name)
            }
            if let bytes = tensor.bytes {
                guard bytes >= 0 else { throw GraphError.badSize(tensor: tensor.name, reason: "negative size \(bytes)") }
                let (sum, overflow) = total.addingReportingOverflow(bytes)
                guard !overflow else { throw GraphError.totalSizeOverflow }
                total = sum
            }
        }

        var producers = [Int?](repeating: nil, count: tensors.count)
        var consumerCount = [Int](repeating: 0, count: tensors.count + 1)
        for (o, op) in operators.enumerated() {
            for t in op.inputs + op.capturedInputs + op.outputs where !tensors.indices.contains(t) {
                throw GraphError.tensorIndexOutOfRange(operator: op.name, index: t)
            }
            for t in op.outputs {
                let tensor = tensors[t]
                guard tensor.kind == .activation else {
                    throw GraphError.producedNonActivation(tensor: tensor.name, kind: tensor.kind, operator: op.name)
                }
                if let first = producers[t] {
                    throw GraphError.multipleProducers(tensor: tensor.name, operators: [operators[first].name, op.name])
                }
                producers[t] = o
            }
            for t in Set(op.reads) { consumerCount[t + 1] += 1 }
        }
        for t in outputs where !tensors.indices.contains(t) {
            throw GraphError.tensorIndexOutOfRange(operator: "graph outputs", index: t)
        }
        for (t, tensor) in tensors.enumerated() where tensor.kind == .activation && producers[t] == nil {
            throw GraphError.unproducedActivation(tensor: tensor.name)
        }

        // Consumers in compressed rows: consumerList[consumerStart[t] ..< consumerStart[t + 1]].
        for t in 0 ..< tensors.count { consumerCount[t + 1] += consumerCount[t] }
        var fill = consumerCount
        var consumerList = [Int](repeating: 0, count: consumerCount[tensors.count])
        for (o, op) in operators.enumerated() {
            for t in Set(op.reads) {
                consumerList[fill[t]] = o
                fill[t] += 1
            }
        }

        var fileOrderOK = true
        outer: for (o, op) in operators.enumerated() {
            for t in op.reads {
                if let p = producers[t], p >= o { fileOrderOK = false; break outer }
            }
        }
        var order: [Int]
        if fileOrderOK {
            order = Array(operators.indices)
        } else {
            order = Graph.kahn(operators: operators, producers: producers,
                               consumerStart: consumerCount, consumerList: consumerList)
            if order.count < operators.count {
                let placed = Set(order)
                throw GraphError.cycle(operators: operators.indices.filter { !placed.contains($0) }.map { operators[$0].name })
            }
        }

        self.name = name
        self.tensors = tensors
        self.operators = operators
        self.outputs = outputs
        self.inputs = tensors.indices.filter { tensors[$0].kind == .input }
        self.producers = producers
        self.topologicalOrder = order
        self.isFileOrderTopological = fileOrderOK
        self.indexByName = indexByName
        self.consumerStart = consumerCount
        self.consumerList = consumerList
    }

    /// Kahn's algorithm, seeded and fed in file order. A result shorter than
    /// `operators` means a cycle. O(operators + edges).
    private static func kahn(operators: [Operator], producers: [Int?], consumerStart: [Int], consumerList: [Int]) -> [Int] {
        // pending[o]: distinct producers of o's reads not yet placed.
        var pending = [Int](repeating: 0, count: operators.count)
        for (o, op) in operators.enumerated() {
            pending[o] = Set(op.reads.compactMap { producers[$0] }).count
        }
        var queue = operators.indices.filter { pending[$0] == 0 }
        var head = 0
        while head < queue.count {
            let o = queue[head]
            head += 1
            var successors: Set<Int> = []
            for t in operators[o].outputs {
                for c in consumerList[consumerStart[t] ..< consumerStart[t + 1]] { successors.insert(c) }
            }
            for c in successors.sorted() {
                pending[c] -= 1
                if pending[c] == 0 { queue.append(c) }
            }
        }
        return queue
    }

    /// The index of the tensor called `name`. O(1).
    public func tensorIndex(named name: String) -> Int? { indexByName[name] }

    /// The operators that read tensor `t` (as an input or a captured
    /// input), in file order, each once. O(1) to get the slice.
    public func consumers(of t: Int) -> ArraySlice<Int> {
        consumerList[consumerStart[t] ..< consumerStart[t + 1]]
    }

    /// Weights, in tensor order.
    public var weights: [Int] { tensors.indices.filter { tensors[$0].kind == .weight } }

    /// The symbols that some tensor shape still mentions.
    public var symbols: [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for tensor in tensors {
            for symbol in tensor.shape?.symbols ?? [] where seen.insert(symbol).inserted { result.append(symbol) }
        }
        return result
    }

    /// The same graph with symbolic dimensions replaced by values, and sizes
    /// recomputed where that made them known.
    public func binding(_ values: [String: Int]) throws(GraphError) -> Graph {
        var bound = tensors
        for i in bound.indices {
            guard let shape = bound[i].shape, !shape.symbols.isEmpty else { continue }
            let newShape = shape.binding(values)
            bound[i].shape = newShape
            if let size = try Tensor.bytes(name: bound[i].name, elementType: bound[i].elementType, shape: newShape) {
                bound[i].bytes = size
            }
        }
        return try Graph(name: name, tensors: bound, operators: operators, outputs: outputs)
    }
}
