import Foundation
import MemoryGraph

/// Types for tensors an ONNX file declares none for, inferred node by node
/// in file order from the operator's semantics.
///
/// It covers the operators of common CNN and transformer exports
/// (element-wise and broadcasting operators, Conv, pooling, MatMul, Gemm,
/// Reshape, Transpose, Concat, Split, Slice, Gather, reductions, Resize,
/// …). Shape-computing subgraphs (`Shape → Gather → Concat → Reshape`) are
/// followed by propagating the values of small integer tensors. An operator
/// it does not know, or inputs it cannot make sense of, leave the outputs
/// unknown rather than failing the import: a declared type always wins, and
/// an unknown size is reported by `stowage inspect`.
///
/// Cost: O(nodes × rank) plus the size of the propagated constants, which
/// are capped at `maxConstantElements` values each.
struct ONNXShapeInference {
    static let maxConstantElements = 4096

    let file: String
    let opset: Int
    var types: [ValueType]
    /// Values of small integer tensors, by tensor index.
    var integers: [Int: [Int]] = [:]
    /// Values of small floating-point tensors (Resize scales).
    var floats: [Int: [Double]] = [:]

    init(file: String, opset: Int, types: [ValueType]) {
        self.file = file
        self.opset = opset
        self.types = types
    }

    /// Records the values of initializers that carry their data inline.
    mutating func seedConstants(_ initializers: [Onnx_TensorProto], index: [String: Int]) {
        for tensor in initializers {
            guard let t = index[tensor.name] else { continue }
            if let values = ONNXTensorValues.integers(tensor, limit: Self.maxConstantElements) { integers[t] = values }
            if let values = ONNXTensorValues.floats(tensor, limit: Self.maxConstantElements) { floats[t] = values }
        }
    }

    /// Infers the outputs of one node and merges them into `types`: an
    /// output keeps what was declared and gains only what was missing.
    mutating func infer(_ node: Onnx_NodeProto, index: [String: Int]) {
        let arguments = node.input.map { $0.isEmpty ? nil : index[$0] }
        let results = ONNXNodeRule(node: node, opset: opset, arguments: arguments, state: self).evaluate()
        for (k, name) in node.output.enumerated() where !name.isEmpty && k < results.count {
            guard let t = index[name] else { continue }
            let inferred = results[k]
            if types[t].elementType == nil { types[t].elementType = inferred.type.elementType }
            if types[t].shape == nil, let shape = inferred.type.shape,
               shape.dimensions.allSatisfy({ ($0.value ?? 0) >= 0 }) {
                types[t].shape = shape
            }
            if let values = inferred.integers, values.count <= Self.maxConstantElements { integers[t] = values }
            if let values = inferred.floats, values.count <= Self.maxConstantElements { floats[t] = values }
        }
    }
}

/// What shape inference found for one output.
struct InferredValue {
    var type: ValueType
    var integers: [Int]?
    var floats: [Double]?

    init(_ type: ValueType, integers: [Int]? = nil, floats: [Double]? = nil) {
        self.type = type
        self.integers = integers
        self.floats = floats
    }

    static let unknown = InferredValue(.unknown)
}
