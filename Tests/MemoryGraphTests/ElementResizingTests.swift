import Testing
@testable import MemoryGraph

@Suite struct ElementResizingTests {
    @Test func floatsAreResizedOthersKept() throws {
        let tensors = [
            try Tensor(name: "x", kind: .input, elementType: .float32, shape: TensorShape(fixed: [2, 3])),
            try Tensor(name: "w", kind: .weight, elementType: .float16, shape: TensorShape(fixed: [3, 4])),
            try Tensor(name: "idx", kind: .input, elementType: .int64, shape: TensorShape(fixed: [5])),
            try Tensor(name: "y", kind: .activation, elementType: .float32, shape: TensorShape(fixed: [2, 4])),
        ]
        let graph = try Graph(name: "g", tensors: tensors,
                              operators: [Operator(name: "mm", type: "MatMul", inputs: [0, 1, 2], outputs: [3])], outputs: [3])
        let resized = try graph.resizingFloatingPoint(toBytes: 1)
        #expect(resized.tensors.map(\.bytes) == [6, 12, 40, 8])
        #expect(graph.tensors.map(\.bytes) == [24, 24, 40, 32])
    }
}
