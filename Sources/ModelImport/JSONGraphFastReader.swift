import Foundation
import MemoryGraph

/// A byte-level reader for the plain shape of a Stowage JSON graph, so that
/// large graphs (hundreds of thousands of entries) import in a fraction of
/// the time `JSONDecoder` takes: the whole import sits inside a command's
/// time limit.
///
/// It reads exactly the documents whose strings are ASCII without escapes,
/// whose numbers are unsigned integers (at most 18 digits), with no `null`,
/// no duplicate and no unknown keys; for anything else it returns nil and
/// the caller decodes with `JSONDecoder`, which accepts every valid document
/// and reports every error (with its location). So this reader never
/// decides what a document means where the two could differ: it accepts a
/// subset, on which it builds the same ``JSONGraphFormat/Document``.
///
/// One pass over the bytes: O(size) time, memory O(size) for the document.
enum JSONGraphFastReader {
    static func document(_ data: Data) -> JSONGraphFormat.Document? {
        data.withUnsafeBytes { raw -> JSONGraphFormat.Document? in
            var scanner = Scanner(bytes: raw.bindMemory(to: UInt8.self))
            guard let document = scanner.document() else { return nil }
            scanner.skipSpace()
            return scanner.position == scanner.bytes.count ? document : nil
        }
    }

    /// Every method returns nil (or false) at the first byte outside the
    /// accepted subset; the scanner is then abandoned.
    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipSpace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        /// Consumes `byte` after optional whitespace.
        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        mutating func peek() -> UInt8? {
            skipSpace()
            return position < bytes.count ? bytes[position] : nil
        }

        /// A string of printable ASCII without escapes.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start ..< position]), as: UTF8.self)
                    position += 1
                    return text
                }
                guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
                position += 1
            }
            return nil
        }

        /// An unsigned integer of at most 18 digits, not followed by a
        /// fraction or an exponent (no overflow possible).
        mutating func integer() -> Int? {
            skipSpace()
            let start = position
            var value = 0
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
                guard position - start < 18 else { return nil }  // 18 digits never overflow
                value = value * 10 + Int(bytes[position] - 0x30)
                position += 1
            }
            let digits = position - start
            guard digits >= 1, !(digits > 1 && bytes[start] == 0x30) else { return nil }
            if position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
                default: break
                }
            }
            return value
        }

        /// `[ element, ... ]`.
        mutating func array<T>(_ element: (inout Scanner) -> T?) -> [T]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var result: [T] = []
            if take(UInt8(ascii: "]")) { return result }
            repeat {
                guard let value = element(&self) else { return nil }
                result.append(value)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? result : nil
        }

        /// `{ "key": value, ... }`: `field` reads the value of a key (false:
        /// unknown key or bad value); each of the keys `known` at most once.
        mutating func object(keys known: [String], _ field: (inout Scanner, Int) -> Bool) -> Bool {
            guard take(UInt8(ascii: "{")) else { return false }
            if take(UInt8(ascii: "}")) { return true }
            var seen = 0
            repeat {
                guard let key = string(), let k = known.firstIndex(of: key), seen & (1 << k) == 0,
                      take(UInt8(ascii: ":")) else { return false }
                seen |= 1 << k
                guard field(&self, k) else { return false }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}"))
        }

        mutating func strings() -> [String]? { array { $0.string() } }

        mutating func document() -> JSONGraphFormat.Document? {
            var format: String?, version: Int?, name: String?
            var tensors: [JSONGraphFormat.TensorEntry]?, operators: [JSONGraphFormat.OperatorEntry]?, outputs: [String]?
            let ok = object(keys: ["format", "version", "name", "tensors", "operators", "outputs"]) { s, k in
                switch k {
                case 0: format = s.string(); return format != nil
                case 1: version = s.integer(); return version != nil
                case 2: name = s.string(); return name != nil
                case 3: tensors = s.array { $0.tensor() }; return tensors != nil
                case 4: operators = s.array { $0.operatorEntry() }; return operators != nil
                default: outputs = s.strings(); return outputs != nil
                }
            }
            guard ok, let tensors, let operators else { return nil }
            return JSONGraphFormat.Document(format: format, version: version, name: name, tensors: tensors,
                                            operators: operators, outputs: outputs)
        }

        mutating func tensor() -> JSONGraphFormat.TensorEntry? {
            var name: String?, kind: TensorKind?, dtype: ElementType?, shape: TensorShape?, bytes: Int?
            let ok = object(keys: ["name", "kind", "dtype", "shape", "bytes"]) { s, k in
                switch k {
                case 0: name = s.string(); return name != nil
                case 1: kind = s.string().flatMap(TensorKind.init(rawValue:)); return kind != nil
                case 2: dtype = s.string().flatMap(ElementType.init(rawValue:)); return dtype != nil
                case 3: shape = s.shape(); return shape != nil
                default: bytes = s.integer(); return bytes != nil
                }
            }
            guard ok, let name else { return nil }
            return JSONGraphFormat.TensorEntry(name: name, kind: kind, dtype: dtype, shape: shape, bytes: bytes)
        }

        /// Dimensions as unsigned integers or names.
        mutating func shape() -> TensorShape? {
            array { s -> MemoryGraph.Dimension? in
                if s.peek() == UInt8(ascii: "\"") { return s.string().map(MemoryGraph.Dimension.symbolic) }
                return s.integer().map(MemoryGraph.Dimension.fixed)
            }.map(TensorShape.init)
        }

        mutating func operatorEntry() -> JSONGraphFormat.OperatorEntry? {
            var name: String?, type: String?, inputs: [String]?, outputs: [String]?, captured: [String]?
            let ok = object(keys: ["name", "type", "inputs", "outputs", "captured"]) { s, k in
                switch k {
                case 0: name = s.string(); return name != nil
                case 1: type = s.string(); return type != nil
                case 2: inputs = s.strings(); return inputs != nil
                case 3: outputs = s.strings(); return outputs != nil
                default: captured = s.strings(); return captured != nil
                }
            }
            guard ok, let name else { return nil }
            return JSONGraphFormat.OperatorEntry(name: name, type: type, inputs: inputs, outputs: outputs, captured: captured)
        }
    }
}
