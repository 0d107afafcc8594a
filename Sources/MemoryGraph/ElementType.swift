/// The element type of a tensor, with its size. Sub-byte types (6-, 4- and
/// 2-bit) are sized in bits so that a tensor's byte count rounds up once,
/// for the whole tensor, rather than once per element.
public enum ElementType: String, Sendable, Codable, CaseIterable {
    case float32, float16, bfloat16, float64
    case float8e4m3fn, float8e4m3fnuz, float8e5m2, float8e5m2fnuz, float8e8m0
    case float6e2m3, float6e3m2
    case float4e2m1
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case int4, uint4, int2, uint2
    case bool
    case complex64, complex128

    /// Bits per element.
    public var bits: Int {
        switch self {
        case .float64, .int64, .uint64, .complex64: return 64
        case .complex128: return 128
        case .float32, .int32, .uint32: return 32
        case .float16, .bfloat16, .int16, .uint16: return 16
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .int8, .uint8, .bool: return 8
        case .float6e2m3, .float6e3m2: return 6
        case .float4e2m1, .int4, .uint4: return 4
        case .int2, .uint2: return 2
        }
    }

    /// Whether the type holds floating-point numbers (counted at
    /// `--dtype-bytes` when a planner models an 8-bit accelerator).
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float16, .bfloat16, .float64, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2,
             .float8e5m2fnuz, .float8e8m0, .float6e2m3, .float6e3m2, .float4e2m1, .complex64, .complex128:
            return true
        default:
            return false
        }
    }

    /// The bytes of `elements` values, rounded up to whole bytes; `nil` when
    /// the count is negative or the product overflows `Int`.
    public func byteCount(elements: Int) -> Int? {
        guard elements >= 0 else { return nil }
        let (totalBits, overflow) = elements.multipliedReportingOverflow(by: bits)
        guard !overflow else { return nil }
        return totalBits / 8 + (totalBits % 8 == 0 ? 0 : 1)
    }
}
