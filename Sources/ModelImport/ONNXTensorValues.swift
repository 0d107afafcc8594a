import Foundation
import MemoryGraph

/// The values inside an ONNX `TensorProto`, for the small integer and float
/// tensors that shape computations use. Externally stored data is never
/// read; malformed data (a count that disagrees with `dims`) gives `nil`.
enum ONNXTensorValues {
    static func count(_ tensor: Onnx_TensorProto) -> Int? {
        guard tensor.dims.allSatisfy({ $0 >= 0 }) else { return nil }
        return ShapeArithmetic.product(tensor.dims.map { Int($0) })
    }

    static func integers(_ tensor: Onnx_TensorProto, limit: Int) -> [Int]? {
        guard tensor.dataLocation != .external, let n = count(tensor), n <= limit else { return nil }
        let values: [Int]
        switch Onnx_TensorProto.DataType(rawValue: Int(tensor.dataType)) {
        case .int64?:
            if !tensor.rawData.isEmpty {
                guard tensor.rawData.count == n * 8 else { return nil }
                values = stride(from: 0, to: n * 8, by: 8).map { offset in
                    var v: UInt64 = 0
                    for b in 0 ..< 8 { v |= UInt64(tensor.rawData[tensor.rawData.startIndex + offset + b]) << (8 * UInt64(b)) }
                    return Int(Int64(bitPattern: v))
                }
            } else {
                values = tensor.int64Data.map { Int($0) }
            }
        case .int32?, .int16?, .int8?, .uint8?, .uint16?, .bool?:
            if !tensor.rawData.isEmpty {
                guard tensor.dataType == Onnx_TensorProto.DataType.int32.rawValue, tensor.rawData.count == n * 4 else { return nil }
                values = stride(from: 0, to: n * 4, by: 4).map { offset in
                    var v: UInt32 = 0
                    for b in 0 ..< 4 { v |= UInt32(tensor.rawData[tensor.rawData.startIndex + offset + b]) << (8 * UInt32(b)) }
                    return Int(Int32(bitPattern: v))
                }
            } else {
                values = tensor.int32Data.map { Int($0) }
            }
        default:
            return nil
        }
        return values.count == n ? values : nil
    }

    static func floats(_ tensor: Onnx_TensorProto, limit: Int) -> [Double]? {
        guard tensor.dataLocation != .external, let n = count(tensor), n <= limit else { return nil }
        let values: [Double]
        switch Onnx_TensorProto.DataType(rawValue: Int(tensor.dataType)) {
        case .float?:
            if !tensor.rawData.isEmpty {
                guard tensor.rawData.count == n * 4 else { return nil }
                values = stride(from: 0, to: n * 4, by: 4).map { offset in
                    var v: UInt32 = 0
                    for b in 0 ..< 4 { v |= UInt32(tensor.rawData[tensor.rawData.startIndex + offset + b]) << (8 * UInt32(b)) }
                    return Double(Float(bitPattern: v))
                }
            } else {
                values = tensor.floatData.map { Double($0) }
            }
        case .double?:
            if !tensor.rawData.isEmpty {
                guard tensor.rawData.count == n * 8 else { return nil }
                values = stride(from: 0, to: n * 8, by: 8).map { offset in
                    var v: UInt64 = 0
                    for b in 0 ..< 8 { v |= UInt64(tensor.rawData[tensor.rawData.startIndex + offset + b]) << (8 * UInt64(b)) }
                    return Double(bitPattern: v)
                }
            } else {
                values = tensor.doubleData
            }
        default:
            return nil
        }
        return values.count == n ? values : nil
    }
}
