import MemoryGraph

/// The work of `ONNXImporter` on one decoded graph: name resolution,
/// declared types, captured reads, shape inference, then `Graph`
/// validation. Errors name the file and the node (`#index OpType 'name'`).
struct ONNXGraphBuilder {
    let file: String
    let opsetVersion: Int

    private var names: [String] = []
    private var kinds: [TensorKind] = []
    private var types: [ValueType] = []
    private var index: [String: Int] = [:]

    init(file: String, opsetVersion: Int) {
        self.file = file
        self.opsetVersion = opsetVersion
    }

    /// The version of the default (`ai.onnx`) operator set, 0 if absent.
    static func defaultOpset(_ model: Onnx_ModelProto) -> Int {
        model.opsetImport.filter { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int(clamping: $0.version) }.max() ?? 0
    }

    static func label(_ node: Onnx_NodeProto, _ i: Int) -> String {
        node.name.isEmpty ? "node #\(i) \(node.opType)" : "node #\(i) \(node.opType) '\(node.name)'"
    }

    private func invalid(_ location: String, _ reason: String) -> ImportError {
        .invalid(file: file, location: location, reason: reason)
    }

    mutating func build(_ graph: Onnx_GraphProto, name: String, options: ONNXImporter.Options) throws(ImportError) -> Graph {
        // Declared types: the first declaration of a name wins.
        var declared: [String: ValueType] = [:]
        var initializerNames: Set<String> = []
        for (i, tensor) in graph.initializer.enumerated() {
            guard !tensor.name.isEmpty else { throw invalid("initializer #\(i)", "the initializer has no name") }
            guard initializerNames.insert(tensor.name).inserted else {
                throw invalid("initializer '\(tensor.name)'", "defined twice")
            }
            declared[tensor.name] = try valueType(of: tensor, location: "initializer '\(tensor.name)'")
        }
        for (what, infos) in [("input", graph.input), ("output", graph.output), ("value_info", graph.valueInfo)] {
            for info in infos where !info.name.isEmpty && declared[info.name] == nil {
                var type = try valueType(of: info, location: "graph \(what) '\(info.name)'")
                // Bound before inference, so that e.g. Reshape(x, [-1, 64]) sees numbers.
                if !options.symbols.isEmpty { type.shape = type.shape?.binding(options.symbols) }
                declared[info.name] = type
            }
        }

        // Tensors: inputs, weights, then node outputs in node order.
        for (i, info) in graph.input.enumerated() where !initializerNames.contains(info.name) {
            guard !info.name.isEmpty else { throw invalid("graph input #\(i)", "the input has no name") }
            try define(info.name, .input, declared[info.name], location: "graph input '\(info.name)'")
        }
        for tensor in graph.initializer {
            try define(tensor.name, .weight, declared[tensor.name], location: "initializer '\(tensor.name)'")
        }
        for (i, node) in graph.node.enumerated() {
            for output in node.output where !output.isEmpty {
                try define(output, .activation, declared[output], location: Self.label(node, i))
            }
        }

        // Operators.
        var operators: [Operator] = []
        operators.reserveCapacity(graph.node.count)
        for (i, node) in graph.node.enumerated() {
            let location = Self.label(node, i)
            var inputs: [Int] = []
            inputs.reserveCapacity(node.input.count)
            for input in node.input where !input.isEmpty {
                guard let t = index[input] else {
                    throw invalid(location, "reads '\(input)', which no graph input, initializer or node defines")
                }
                inputs.append(t)
            }
            var captured: [Int] = []
            let free = ONNXSubgraphs.outerReads(of: node)
            for name in free.sorted() {
                guard let t = index[name] else {
                    throw invalid(location, "a subgraph reads '\(name)', which the enclosing graph does not define")
                }
                if !inputs.contains(t) { captured.append(t) }
            }
            let type = node.domain.isEmpty || node.domain == "ai.onnx" ? node.opType : "\(node.domain).\(node.opType)"
            operators.append(Operator(
                name: node.name.isEmpty ? "#\(i) \(node.opType)" : node.name,
                type: type,
                inputs: inputs,
                outputs: node.output.compactMap { $0.isEmpty ? nil : index[$0] },
                capturedInputs: captured))
        }

        var outputs: [Int] = []
        for (i, info) in graph.output.enumerated() {
            guard let t = index[info.name] else {
                throw invalid("graph output #\(i) '\(info.name)'", "no graph input, initializer or node defines it")
            }
            outputs.append(t)
        }

        if options.inferShapes && types.contains(where: { !$0.isComplete }) {
            var inference = ONNXShapeInference(file: file, opset: opsetVersion, types: types)
            inference.seedConstants(graph.initializer, index: index)
            for node in graph.node {
                inference.infer(node, index: index)
            }
            types = inference.types
        }

        var tensors: [Tensor] = []
        tensors.reserveCapacity(names.count)
        for t in names.indices {
            var shape = types[t].shape
            if !options.symbols.isEmpty { shape = shape?.binding(options.symbols) }
            do {
                tensors.append(try Tensor(name: names[t], kind: kinds[t], elementType: types[t].elementType, shape: shape))
            } catch {
                throw invalid("tensor '\(names[t])'", error.description)
            }
        }
        do {
            return try Graph(name: name, tensors: tensors, operators: operators, outputs: outputs)
        } catch {
            throw ImportError.graph(error, file: file)
        }
    }

    private mutating func define(_ name: String, _ kind: TensorKind, _ type: ValueType?, location: String) throws(ImportError) {
        guard index[name] == nil else {
            throw invalid(location, "defines '\(name)', which is already defined (as a \(kinds[index[name] ?? 0].rawValue))")
        }
        index[name] = names.count
        names.append(name)
        kinds.append(kind)
        types.append(type ?? .unknown)
    }

    /// An initializer's type: `dims` and `data_type`.
    private func valueType(of tensor: Onnx_TensorProto, location: String) throws(ImportError) -> ValueType {
        let element = try elementType(tensor.dataType, location: location)
        var dims: [Int] = []
        dims.reserveCapacity(tensor.dims.count)
        for d in tensor.dims {
            guard d >= 0 else { throw invalid(location, "negative dimension \(d)") }
            dims.append(Int(d))
        }
        return ValueType(element, fixed: dims)
    }

    /// A declared value's type; non-tensor types (sequences, maps) and
    /// unknown dimensions leave the size unknown.
    private func valueType(of info: Onnx_ValueInfoProto, location: String) throws(ImportError) -> ValueType {
        guard info.hasType, case .tensorType(let tensorType)? = info.type.value else { return .unknown }
        let element = try elementType(tensorType.elemType, location: location)
        guard tensorType.hasShape else { return ValueType(element, nil) }
        var dims: [Dimension] = []
        dims.reserveCapacity(tensorType.shape.dim.count)
        for d in tensorType.shape.dim {
            switch d.value {
            case .dimValue(let v)?:
                guard v >= 0 else { throw invalid(location, "negative dimension \(v)") }
                dims.append(.fixed(Int(v)))
            case .dimParam(let symbol)? where !symbol.isEmpty:
                dims.append(.symbolic(symbol))
            default:
                return ValueType(element, nil)
            }
        }
        return ValueType(element, TensorShape(dims))
    }

    private func elementType(_ code: Int32, location: String) throws(ImportError) -> ElementType? {
        switch ONNXElementType.map(code) {
        case .type(let type): return type
        case .unsized: return nil
        case .unknown: throw invalid(location, "unknown data type \(code)")
        }
    }
}
