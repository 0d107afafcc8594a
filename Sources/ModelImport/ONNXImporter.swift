import Foundation
import MemoryGraph
import SwiftProtobuf

/// Imports the top-level graph of an ONNX model as a `Graph`.
///
/// What becomes what:
/// - graph inputs that are not initializers → `.input` tensors;
/// - initializers → `.weight` tensors, sized from `dims` and `data_type`
///   (their data is never read, so weight-less files with external data
///   references import fine);
/// - node outputs → `.activation` tensors; nodes → operators, in file order;
/// - tensors of the enclosing graph read inside `If`/`Loop`/`Scan` bodies
///   → the node's `capturedInputs` (the bodies' own tensors are not
///   modelled).
///
/// Sizes come from the declared types (initializers, then `graph.input`,
/// `graph.output`, `graph.value_info`; the first declaration wins). Tensors
/// still without a type get one from `ONNXShapeInference` when
/// `Options.inferShapes` is on. Symbolic dimensions (`dim_param`) are kept
/// unless bound in `Options.symbols`.
///
/// Importing is O(file size): one decode, then one pass over the nodes.
public enum ONNXImporter {
    public struct Options: Sendable {
        /// Infer types for tensors the file declares none for.
        public var inferShapes: Bool
        /// Values for symbolic dimensions, e.g. `["batch": 1]`.
        public var symbols: [String: Int]

        public init(inferShapes: Bool = true, symbols: [String: Int] = [:]) {
            self.inferShapes = inferShapes
            self.symbols = symbols
        }
    }

    /// Reads and imports `path`; the graph is named after the file (without
    /// its extension).
    public static func importGraph(contentsOf path: String, options: Options = Options()) throws(ImportError) -> Graph {
        let data = try FileData.read(path)
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try importGraph(serialized: data, file: path, name: name, options: options)
    }

    /// Imports serialized ONNX bytes; `file` is only used in error messages.
    public static func importGraph(serialized data: Data, file: String, name: String, options: Options = Options()) throws(ImportError) -> Graph {
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw ImportError.malformed(file: file, location: "protobuf", reason: "not an ONNX model (\(error))")
        }
        guard model.hasGraph else {
            throw ImportError.invalid(file: file, location: "model", reason: "the model has no graph")
        }
        var builder = ONNXGraphBuilder(file: file, opsetVersion: ONNXGraphBuilder.defaultOpset(model))
        return try builder.build(model.graph, name: name, options: options)
    }
}
