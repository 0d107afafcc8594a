import Foundation

/// Names a node's subgraphs read from enclosing scopes.
///
/// An `If` branch or a `Loop` body may read any tensor of the graphs around
/// it without listing it as an input; for liveness those reads count as
/// reads by the node that owns the subgraph.
enum ONNXSubgraphs {
    /// The names read inside the node's subgraphs (recursively) that those
    /// subgraphs do not define. O(size of the subgraphs).
    static func outerReads(of node: Onnx_NodeProto) -> Set<String> {
        var result: Set<String> = []
        for attribute in node.attribute {
            if attribute.hasG { result.formUnion(freeNames(attribute.g)) }
            for graph in attribute.graphs { result.formUnion(freeNames(graph)) }
        }
        return result
    }

    /// Names read in `graph` (or deeper) and not defined in it.
    static func freeNames(_ graph: Onnx_GraphProto) -> Set<String> {
        var defined: Set<String> = []
        for info in graph.input { defined.insert(info.name) }
        for tensor in graph.initializer { defined.insert(tensor.name) }
        for tensor in graph.sparseInitializer { defined.insert(tensor.values.name) }
        for node in graph.node { for output in node.output { defined.insert(output) } }
        var free: Set<String> = []
        for node in graph.node {
            for input in node.input where !input.isEmpty && !defined.contains(input) { free.insert(input) }
            for name in outerReads(of: node) where !defined.contains(name) { free.insert(name) }
        }
        for info in graph.output where !info.name.isEmpty && !defined.contains(info.name) { free.insert(info.name) }
        return free
    }
}
