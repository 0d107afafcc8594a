import Foundation
import ModelImport

extension Planner {
    /// Imports a model file that holds an operator graph: ONNX (`.onnx`),
    /// Stowage's JSON graph format (`.json`, `Schemas/graph.schema.json`),
    /// or a networkx node-link graph (`.json` with `nodes` and `links`;
    /// `nodeLink` names its cost and bytes attributes).
    /// - Parameters:
    ///   - path: the file.
    ///   - symbols: values for symbolic dimensions (`["batch": 1]`).
    /// - Returns: the validated graph.
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` naming the
    ///   file and the place (line, node, tensor); a Hugging Face
    ///   `config.json` is refused (it has no operator graph).
    ///
    /// O(file size) plus ONNX shape inference.
    public static func loadGraph(contentsOf path: String, symbols: [String: Int] = [:],
                                 nodeLink: NodeLinkGraph.Options = NodeLinkGraph.Options()) throws(StowageError) -> Graph {
        let model: ImportedModel
        do {
            model = try ModelFile.load(path, symbols: symbols, nodeLink: nodeLink)
        } catch {
            throw StowageError(error)
        }
        guard case .graph(let graph) = model else {
            throw .badInput(source: path, location: nil,
                            reason: "a transformer config has no operator graph (plan it with `stowage offload`)")
        }
        return graph
    }

    /// Imports a graph in Stowage's JSON graph format from bytes.
    /// - Parameters:
    ///   - data: the JSON document.
    ///   - name: the graph's name when the document has no `name`.
    ///   - source: what to call the bytes in error messages.
    ///   - symbols: values for symbolic dimensions.
    /// - Returns: the validated graph.
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` with the
    ///   line and the key, tensor or operator at fault.
    ///
    /// O(size of the document).
    public static func graph(fromJSON data: Data, name: String = "graph", source: String = "graph JSON",
                             symbols: [String: Int] = [:]) throws(StowageError) -> Graph {
        do {
            return try JSONGraphFormat.importGraph(data: data, file: source, defaultName: name, symbols: symbols)
        } catch {
            // The importer cannot say where a syntax error is; say it here.
            if case .malformed(let file, _, _) = error, let syntax = JSONSyntax.error(in: data) {
                throw .badInput(source: file, location: nil, reason: "not valid JSON: \(syntax)")
            }
            throw StowageError(error)
        }
    }
}

extension StowageError {
    init(_ error: ImportError) {
        switch error {
        case .unreadable(let file, let reason):
            self = .badInput(source: file, location: nil, reason: reason)
        case .malformed(let file, let location, let reason), .invalid(let file, let location, let reason):
            self = .badInput(source: file, location: location, reason: reason)
        case .unsupported(let file, let location, let reason):
            self = .badInput(source: file, location: location, reason: "unsupported: \(reason)")
        }
    }
}
