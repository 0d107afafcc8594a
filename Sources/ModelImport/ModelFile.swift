import Foundation
import MemoryGraph

/// What a model file holds once imported.
public enum ImportedModel: Sendable {
    case graph(Graph)
    case transformer(TransformerConfig)
}

/// Picks the importer for a file: `.onnx` is ONNX; `.json` is a Stowage
/// graph, or a Hugging Face `config.json` when it has
/// `num_hidden_layers` (or `n_layer`) and no `operators`, or a networkx
/// node-link graph when it has `nodes` and `links` (``NodeLinkGraph``).
public enum ModelFile {
    public static func load(_ path: String, symbols: [String: Int] = [:], inferShapes: Bool = true,
                            nodeLink: NodeLinkGraph.Options = NodeLinkGraph.Options()) throws(ImportError) -> ImportedModel {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "onnx":
            return .graph(try ONNXImporter.importGraph(contentsOf: path, options: .init(inferShapes: inferShapes, symbols: symbols)))
        case "json":
            let data = try FileData.read(path)
            let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            // A plain graph document (it has "operators": no config) skips the config sniffing.
            if let document = JSONGraphFastReader.document(data) {
                return .graph(try JSONGraphFormat.importGraph(document: document, data: data, file: path, defaultName: stem,
                                                              symbols: symbols))
            }
            if TransformerConfig.looksLikeConfig(data) {
                return .transformer(try TransformerConfig.parse(data: data, file: path, name: stem))
            }
            if NodeLinkGraph.looksLikeNodeLink(data) {
                return .graph(try NodeLinkGraph.importGraph(data: data, file: path, defaultName: stem, options: nodeLink))
            }
            return .graph(try JSONGraphFormat.importGraph(data: data, file: path, defaultName: stem, symbols: symbols))
        default:
            _ = try FileData.read(path)  // a missing file or a directory says so first
            throw ImportError.unsupported(file: path, location: "file", reason: "unknown model format (expected .onnx or .json)")
        }
    }
}
