import Foundation
import MemoryGraph

/// Stowage's own graph format: a JSON object listing tensors and operators
/// by name, for hand-written examples, papers' benchmark graphs, and graphs
/// exported by other tools. The schema is `Schemas/graph.schema.json`;
/// examples are in `Examples/graphs/`.
///
/// ```json
/// {"format": "stowage-graph", "version": 1, "name": "chain",
///  "tensors": [{"name": "x", "kind": "input", "dtype": "float32", "shape": [1, 64]},
///              {"name": "w", "kind": "weight", "bytes": 16384},
///              {"name": "y", "dtype": "float32", "shape": ["batch", 64]}],
///  "operators": [{"name": "fc", "type": "MatMul", "inputs": ["x", "w"], "outputs": ["y"]}],
///  "outputs": ["y"]}
/// ```
///
/// A tensor is sized by `dtype` and `shape`, or by `bytes`, or both (they
/// must agree when the shape is fixed). `kind` defaults to `activation`.
/// Training graphs may give each operator a `cost` (a finite number, not
/// negative, in one unit for the whole graph) and a `phase` (`forward` or
/// `backward`), which rematerialisation reads (`stowage remat`).
/// Operators may be listed in any order that has no cycle; the listed
/// order is the default schedule when it respects the dependencies.
public enum JSONGraphFormat {
    public static let formatName = "stowage-graph"
    public static let version = 1

    struct Document: Codable {
        var format: String?
        var version: Int?
        var name: String?
        var tensors: [TensorEntry]
        var operators: [OperatorEntry]
        var outputs: [String]?
    }

    struct TensorEntry: Codable {
        var name: String
        var kind: TensorKind?
        var dtype: ElementType?
        var shape: TensorShape?
        var bytes: Int?
    }

    struct OperatorEntry: Codable {
        var name: String
        var type: String?
        var inputs: [String]?
        var outputs: [String]?
        var captured: [String]?
        var cost: Double?
        var phase: Operator.Phase?
    }

    /// Reads and imports a JSON graph file; the graph takes the document's
    /// `name`, or the file's name without extension.
    public static func importGraph(contentsOf path: String, symbols: [String: Int] = [:]) throws(ImportError) -> Graph {
        let data = try FileData.read(path)
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try importGraph(data: data, file: path, defaultName: stem, symbols: symbols)
    }

    /// Imports JSON bytes. O(size of the document).
    public static func importGraph(data: Data, file: String, defaultName: String, symbols: [String: Int] = [:]) throws(ImportError) -> Graph {
        // The byte-level reader takes the plain documents; JSONDecoder the rest (and reports errors).
        let document: Document
        if let fast = JSONGraphFastReader.document(data) {
            document = fast
        } else {
            document = try decode(data, file: file)
        }
        return try importGraph(document: document, data: data, file: file, defaultName: defaultName, symbols: symbols)
    }

    /// The document by `JSONDecoder`, its errors located.
    static func decode(_ data: Data, file: String) throws(ImportError) -> Document {
        do {
            return try JSONDecoder().decode(Document.self, from: data)
        } catch let error as DecodingError {
            throw ImportError.malformed(file: file, location: location(of: error, in: data), reason: reason(of: error))
        } catch {
            throw ImportError.malformed(file: file, location: "document", reason: "\(error)")
        }
    }

    /// The graph of a decoded document (`data`: its bytes, for error lines).
    static func importGraph(document: Document, data: Data, file: String, defaultName: String,
                            symbols: [String: Int]) throws(ImportError) -> Graph {
        if let format = document.format, format != formatName {
            throw ImportError.unsupported(file: file, location: "format", reason: "'\(format)' (expected '\(formatName)')")
        }
        if let version = document.version, version != Self.version {
            throw ImportError.unsupported(file: file, location: "version", reason: "version \(version) (this Stowage reads version \(Self.version))")
        }
        let text = String(decoding: data, as: UTF8.self)
        func at(_ path: String, _ name: String) -> String {
            let line = lineOfDefinition(name, in: text)
            return line.map { "line \($0): \(path) '\(name)'" } ?? "\(path) '\(name)'"
        }

        var index: [String: Int] = [:]
        index.reserveCapacity(document.tensors.count)
        var tensors: [Tensor] = []
        tensors.reserveCapacity(document.tensors.count)
        for (i, entry) in document.tensors.enumerated() {
            // Positions are looked up only when an error is reported.
            var place: String { at("tensors[\(i)]", entry.name) }
            guard !entry.name.isEmpty else { throw ImportError.invalid(file: file, location: "tensors[\(i)]", reason: "empty name") }
            guard index[entry.name] == nil else { throw ImportError.invalid(file: file, location: place, reason: "defined twice") }
            index[entry.name] = i
            let shape = symbols.isEmpty ? entry.shape : entry.shape?.binding(symbols)
            var tensor: Tensor
            do {
                tensor = try Tensor(name: entry.name, kind: entry.kind ?? .activation, elementType: entry.dtype, shape: shape)
            } catch {
                throw ImportError.invalid(file: file, location: place, reason: error.description.replacingOccurrences(of: "tensor '\(entry.name)': ", with: ""))
            }
            if let bytes = entry.bytes {
                guard bytes >= 0 else { throw ImportError.invalid(file: file, location: place, reason: "negative bytes \(bytes)") }
                if let computed = tensor.bytes, computed != bytes {
                    throw ImportError.invalid(file: file, location: place,
                                              reason: "bytes \(bytes) disagree with \(shape?.description ?? "") of \(entry.dtype?.rawValue ?? "") (\(computed) bytes)")
                }
                tensor.bytes = bytes
            }
            tensors.append(tensor)
        }

        func resolve(_ names: [String]?, _ place: () -> String, _ role: String) throws(ImportError) -> [Int] {
            var result: [Int] = []
            result.reserveCapacity(names?.count ?? 0)
            for name in names ?? [] {
                guard let t = index[name] else {
                    throw ImportError.invalid(file: file, location: place(), reason: "\(role) '\(name)' is not in \"tensors\"")
                }
                result.append(t)
            }
            return result
        }
        var operators: [Operator] = []
        operators.reserveCapacity(document.operators.count)
        for (i, entry) in document.operators.enumerated() {
            var place: String { at("operators[\(i)]", entry.name) }
            if let cost = entry.cost, !(cost >= 0) || !cost.isFinite || cost > 1e300 {
                throw ImportError.invalid(file: file, location: place, reason: "cost \(cost) must be a finite number, not negative")
            }
            operators.append(Operator(
                name: entry.name, type: entry.type ?? "",
                inputs: try resolve(entry.inputs, { place }, "input"),
                outputs: try resolve(entry.outputs, { place }, "output"),
                capturedInputs: try resolve(entry.captured, { place }, "captured input"),
                cost: entry.cost, phase: entry.phase))
        }
        let outputs = try resolve(document.outputs, { "outputs" }, "graph output")
        do {
            return try Graph(name: document.name ?? defaultName, tensors: tensors, operators: operators, outputs: outputs)
        } catch {
            throw ImportError.graph(error, file: file)
        }
    }

    /// The document for a graph, pretty-printed with sorted keys; importing
    /// it gives the same graph back.
    public static func encode(_ graph: Graph) -> Data {
        let document = Document(
            format: formatName, version: version, name: graph.name,
            tensors: graph.tensors.map { tensor in
                let sized = tensor.elementType != nil && tensor.shape != nil
                return TensorEntry(name: tensor.name, kind: tensor.kind, dtype: tensor.elementType, shape: tensor.shape,
                                   bytes: sized && tensor.shape?.symbols.isEmpty == true ? nil : tensor.bytes)
            },
            operators: graph.operators.map { op in
                OperatorEntry(name: op.name, type: op.type, inputs: op.inputs.map { graph.tensors[$0].name },
                              outputs: op.outputs.map { graph.tensors[$0].name },
                              captured: op.capturedInputs.isEmpty ? nil : op.capturedInputs.map { graph.tensors[$0].name },
                              cost: op.cost, phase: op.phase)
            },
            outputs: graph.outputs.map { graph.tensors[$0].name })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(document)) ?? Data("{}".utf8)
    }

    // MARK: error positions

    /// The 1-based line of `"name": "<name>"`, the usual way an entry is
    /// defined, so an error about it points at the right line.
    static func lineOfDefinition(_ name: String, in text: String) -> Int? {
        guard let escaped = try? JSONEncoder().encode(name), let quoted = String(data: escaped, encoding: .utf8) else { return nil }
        var searchStart = text.startIndex
        while let keyRange = text.range(of: "\"name\"", range: searchStart ..< text.endIndex) {
            var i = keyRange.upperBound
            while i < text.endIndex, text[i] == " " || text[i] == "\t" || text[i] == "\n" || text[i] == "\r" || text[i] == ":" {
                i = text.index(after: i)
            }
            if text[i...].hasPrefix(quoted) {
                return text[..<keyRange.lowerBound].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            }
            searchStart = keyRange.upperBound
        }
        return nil
    }

    static func path(_ codingPath: [CodingKey]) -> String {
        var result = ""
        for key in codingPath {
            if let i = key.intValue { result += "[\(i)]" } else { result += result.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return result.isEmpty ? "document" : result
    }

    static func location(of error: DecodingError, in data: Data) -> String {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // Syntax errors: Foundation's message carries the line.
            return "syntax"
        case .dataCorrupted(let c), .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c):
            return path(c.codingPath)
        @unknown default:
            return "document"
        }
    }

    static func reason(of error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _):
            return "missing key \"\(key.stringValue)\""
        case .typeMismatch(let type, let c):
            return "expected \(type == Int.self ? "an integer" : type == String.self ? "a string" : "\(type)") (\(c.debugDescription))"
        case .valueNotFound(let type, _):
            return "missing \(type) value"
        case .dataCorrupted(let c):
            let underlying = (c.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
            return underlying ?? c.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}
