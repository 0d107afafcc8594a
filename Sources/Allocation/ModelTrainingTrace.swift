/// A model's forward graph in plain terms (operator types, tensor indices,
/// bytes), the input of ``ModelTrainingTrace``. The Benchmarks build it
/// from an imported ONNX model; this module does not read model files.
public struct ForwardGraph: Sendable {
    public struct Operation: Sendable {
        public var type: String
        public var inputs: [Int]
        public var outputs: [Int]

        public init(type: String, inputs: [Int], outputs: [Int]) {
            self.type = type
            self.inputs = inputs
            self.outputs = outputs
        }
    }

    /// What a tensor is to training.
    public enum Role: Sendable {
        /// Produced by an operator, or fed as a graph input.
        case activation
        /// A trainable parameter (a floating-point initializer).
        case weight
        /// Anything else the graph holds constant (shapes, indices): not
        /// trained, and too small to matter; left out of the trace.
        case constant
    }

    /// In an order that runs every producer before its consumers.
    public var operations: [Operation]
    /// Bytes of each tensor (activations at batch 1).
    public var sizes: [Int]
    public var roles: [Role]
    /// The graph's outputs: the loss's gradient enters there.
    public var outputs: [Int]

    public init(operations: [Operation], sizes: [Int], roles: [Role], outputs: [Int]) {
        self.operations = operations
        self.sizes = sizes
        self.roles = roles
        self.outputs = outputs
    }
}

/// Allocation traces derived from a model's own lifetimes: one training
/// step of the model (gradient accumulation over micro-batches, then Adam).
///
/// Per micro-batch the forward graph runs in its own order; each operator's
/// backward then runs in reverse order, reading the gradients of its outputs
/// and what it saved (its inputs for products, convolutions, normalisations
/// and pooling; its outputs for activations and softmax; nothing for sums
/// and reshapes), and writing the gradients of its inputs: for activations,
/// a new buffer or a partial sum added into the existing one; for weights,
/// a partial gradient added into an fp32 accumulator that lives until the
/// optimizer. Convolutions and products get a workspace. Weights and Adam's
/// two moments are resident for the whole step. The result is scheduled by
/// ``TraceProgram``.
///
/// Cost O(B log B) for B buffers.
public enum ModelTrainingTrace {
    public static func make(_ graph: ForwardGraph, name: String = "model", microBatches: Int = 1, batch: Int = 1,
                            jitter: Int = 4, seed: UInt64 = 1) -> AllocationProblem {
        var program = TraceProgram()
        let n = min(graph.sizes.count, graph.roles.count)
        let scale = max(1, batch)
        func bytes(_ t: Int) -> Int { graph.roles[t] == .weight ? graph.sizes[t] : graph.sizes[t] * scale }
        func isWeight(_ t: Int) -> Bool { graph.roles[t] == .weight }
        var isOutput = [Bool](repeating: false, count: n)
        for t in graph.outputs where t >= 0 && t < n { isOutput[t] = true }

        // Resident parameters and optimizer state.
        var weight = [TraceProgram.Value?](repeating: nil, count: n)
        var moments = [[TraceProgram.Value]](repeating: [], count: n)
        var accumulator = [TraceProgram.Value?](repeating: nil, count: n)
        for t in 0 ..< n where isWeight(t) {
            weight[t] = program.resident("\(name).w\(t)", size: bytes(t))
            moments[t] = [program.resident("\(name).w\(t).adam.m", size: bytes(t)),
                          program.resident("\(name).w\(t).adam.v", size: bytes(t))]
        }

        for m in 0 ..< max(1, microBatches) {
            let mb = "\(name).mb\(m)."
            var value = [TraceProgram.Value?](repeating: nil, count: n)
            // Forward.
            for (k, op) in graph.operations.enumerated() {
                var reads: [TraceProgram.Value] = []
                for t in op.inputs where t >= 0 && t < n && graph.roles[t] != .constant {
                    if let w = weight[t] { reads.append(w); continue }
                    if value[t] == nil { value[t] = program.op1([], mb + "in\(t)", bytes(t)) }  // a graph input arrives
                    reads.append(value[t]!)
                }
                if Self.hasWorkspace(op.type) { reads.append(program.op1([], mb + "op\(k).workspace", Self.workspace)) }
                let outputs = op.outputs.filter { $0 >= 0 && $0 < n && graph.roles[$0] == .activation }
                let written = program.op(reads, outputs.map { (mb + "t\($0)", bytes($0)) })
                for (t, v) in zip(outputs, written) { value[t] = v }
            }
            // Backward, in reverse: only operators a gradient reaches.
            var gradient = [TraceProgram.Value?](repeating: nil, count: n)
            for (k, op) in graph.operations.enumerated().reversed() {
                let outputs = op.outputs.filter { $0 >= 0 && $0 < n && graph.roles[$0] == .activation }
                var reads = outputs.compactMap { gradient[$0] }
                for t in outputs where isOutput[t] && gradient[t] == nil {
                    reads.append(program.op1([], mb + "t\(t).loss.grad", bytes(t)))  // the loss's gradient
                }
                if reads.isEmpty || Self.nonDifferentiable.contains(op.type) { continue }
                switch Self.saves(op.type) {
                case .inputs:
                    reads += op.inputs.compactMap { $0 >= 0 && $0 < n ? (weight[$0] ?? value[$0]) : nil }
                case .outputs:
                    reads += outputs.compactMap { value[$0] }
                case .nothing:
                    break
                }
                if Self.hasWorkspace(op.type) { reads.append(program.op1([], mb + "op\(k).grad.workspace", Self.workspace)) }
                // Gradients of the inputs (the first data input only, for
                // operators whose other inputs are indices or shapes).
                var targets: [Int] = []
                for (position, t) in op.inputs.enumerated() where t >= 0 && t < n && graph.roles[t] != .constant {
                    if position > 0 && Self.dataInputOnly.contains(op.type) { continue }
                    if !targets.contains(t) { targets.append(t) }
                }
                let written = program.op(reads, targets.map {
                    (isWeight($0) ? mb + "op\(k).w\($0).wgrad" : gradient[$0] == nil ? mb + "t\($0).grad" : mb + "op\(k).t\($0).grad", bytes($0))
                })
                for (t, v) in zip(targets, written) {
                    if isWeight(t) {
                        if accumulator[t] == nil { accumulator[t] = program.op1([], "\(name).w\(t).grad", bytes(t)) }
                        program.op([v, accumulator[t]!])
                    } else if let existing = gradient[t] {
                        program.op([v, existing])  // added into the gradient already there
                    } else {
                        gradient[t] = v
                    }
                }
            }
        }
        // Adam.
        for t in 0 ..< n where isWeight(t) {
            guard let grad = accumulator[t], let w = weight[t] else { continue }
            let update = program.op1([grad, w] + moments[t], "\(name).w\(t).update", bytes(t))
            program.op([update, w])
        }
        return AllocationProblem(buffers: program.buffers(jitter: jitter, seed: seed))
    }

    static let workspace = 8 << 20

    static let nonDifferentiable: Set<String> = [
        "Shape", "Size", "Constant", "ConstantOfShape", "Range", "Equal", "Less", "Greater", "Not", "And", "Or",
        "NonZero", "ArgMax", "ArgMin", "Floor", "Ceil", "Round",
    ]

    static let dataInputOnly: Set<String> = [
        "Gather", "Reshape", "Slice", "Expand", "Tile", "Unsqueeze", "Squeeze", "Resize", "Pad", "ReduceMean",
        "ReduceSum", "Split", "TopK",
    ]

    enum Saved { case inputs, outputs, nothing }

    static func saves(_ type: String) -> Saved {
        switch type {
        case "Conv", "ConvTranspose", "MatMul", "Gemm", "Mul", "Div", "Pow", "BatchNormalization", "InstanceNormalization",
             "LayerNormalization", "MaxPool", "Einsum", "ReduceMean", "Where", "Gather", "Resize":
            return .inputs
        case "Relu", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Exp", "Gelu", "Erf", "Clip", "Sqrt", "HardSigmoid",
             "HardSwish", "LeakyRelu", "Elu":
            return .outputs
        default:
            return .nothing
        }
    }

    static func hasWorkspace(_ type: String) -> Bool {
        type == "Conv" || type == "ConvTranspose" || type == "MatMul" || type == "Gemm" || type == "Einsum"
    }
}
