import Testing
@testable import MemoryGraph

@Suite struct TensorShapeTests {
    @Test func countsElements() {
        #expect(TensorShape(fixed: [1, 3, 224, 224]).elementCount == .count(150_528))
        #expect(TensorShape(fixed: []).elementCount == .count(1))
        #expect(TensorShape(fixed: [0, 7]).elementCount == .count(0))
        #expect(TensorShape([.symbolic("n"), .fixed(2)]).elementCount == .symbolic)
        #expect(TensorShape(fixed: [3, -1]).elementCount == .negative)
        #expect(TensorShape(fixed: [1 << 40, 1 << 40]).elementCount == .overflow)
        // A zero anywhere makes an overflowing product empty.
        #expect(TensorShape(fixed: [1 << 40, 1 << 40, 0]).elementCount == .count(0))
    }

    @Test func sizesSubByteTypesOnceForTheWholeTensor() throws {
        #expect(ElementType.int4.byteCount(elements: 3) == 2)
        #expect(ElementType.float6e2m3.byteCount(elements: 4) == 3)
        #expect(ElementType.int2.byteCount(elements: 5) == 2)
        #expect(ElementType.float32.byteCount(elements: 5) == 20)
        #expect(ElementType.complex128.byteCount(elements: 2) == 32)
        #expect(ElementType.float64.byteCount(elements: Int.max / 4) == nil)
        #expect(ElementType.float32.byteCount(elements: -1) == nil)
    }

    @Test func tensorSizesRejectOverflowAndNegativeDimensions() {
        #expect(throws: GraphError.self) {
            try Tensor(name: "big", kind: .activation, elementType: .float32, shape: TensorShape(fixed: [1 << 31, 1 << 31]))
        }
        #expect(throws: GraphError.self) {
            try Tensor(name: "neg", kind: .activation, elementType: .float32, shape: TensorShape(fixed: [-2]))
        }
    }

    @Test func describesShapes() {
        #expect(TensorShape([.symbolic("batch"), .fixed(3)]).description == "batch×3")
        #expect(TensorShape(fixed: []).description == "scalar")
    }
}
