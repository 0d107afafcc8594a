import MemoryGraph

/// ONNX `TensorProto.DataType` codes as Stowage element types.
enum ONNXElementType {
    /// What a data type code means for sizing.
    enum Mapping: Equatable {
        case type(ElementType)
        /// No fixed element size (STRING) or no type given (UNDEFINED):
        /// the tensor's size stays unknown.
        case unsized
        /// A code this version of ONNX does not define.
        case unknown
    }

    static func map(_ code: Int32) -> Mapping {
        guard let type = Onnx_TensorProto.DataType(rawValue: Int(code)) else { return .unknown }
        switch type {
        case .undefined, .string: return .unsized
        case .float: return .type(.float32)
        case .uint8: return .type(.uint8)
        case .int8: return .type(.int8)
        case .uint16: return .type(.uint16)
        case .int16: return .type(.int16)
        case .int32: return .type(.int32)
        case .int64: return .type(.int64)
        case .bool: return .type(.bool)
        case .float16: return .type(.float16)
        case .double: return .type(.float64)
        case .uint32: return .type(.uint32)
        case .uint64: return .type(.uint64)
        case .complex64: return .type(.complex64)
        case .complex128: return .type(.complex128)
        case .bfloat16: return .type(.bfloat16)
        case .float8E4M3Fn: return .type(.float8e4m3fn)
        case .float8E4M3Fnuz: return .type(.float8e4m3fnuz)
        case .float8E5M2: return .type(.float8e5m2)
        case .float8E5M2Fnuz: return .type(.float8e5m2fnuz)
        case .uint4: return .type(.uint4)
        case .int4: return .type(.int4)
        case .float4E2M1: return .type(.float4e2m1)
        case .float8E8M0: return .type(.float8e8m0)
        case .uint2: return .type(.uint2)
        case .int2: return .type(.int2)
        case .float6E2M3: return .type(.float6e2m3)
        case .float6E3M2: return .type(.float6e3m2)
        }
    }

    /// The ONNX code of an element type (for writing test models and for
    /// `Cast`'s `to` attribute in reverse).
    static func code(_ type: ElementType) -> Int32 {
        for raw in Int32(1) ... 28 where map(raw) == .type(type) { return raw }
        return 0
    }
}
