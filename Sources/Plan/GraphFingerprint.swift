import MemoryGraph

/// A 64-bit FNV-1a hash of a graph's structure: tensor names, kinds and
/// sizes, operator names and their input and output lists, graph outputs.
/// Stable across runs and platforms (unlike Swift's `Hasher`). O(size of the
/// graph).
public struct GraphFingerprint: Sendable, Equatable {
    public let value: UInt64

    public init(_ graph: Graph) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
        }
        func mix(_ number: Int) { withUnsafeBytes(of: Int64(number).littleEndian) { mix($0) } }
        func mix(_ text: String) {
            mix(text.utf8.count)
            mix(text.utf8)
        }
        mix(graph.tensors.count)
        for tensor in graph.tensors {
            mix(tensor.name)
            mix(tensor.kind.rawValue)
            mix(tensor.bytes ?? -1)
        }
        mix(graph.operators.count)
        for op in graph.operators {
            mix(op.name)
            for list in [op.inputs, op.capturedInputs, op.outputs] {
                mix(list.count)
                list.forEach { mix($0) }
            }
        }
        mix(graph.outputs.count)
        graph.outputs.forEach { mix($0) }
        value = hash
    }

    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
