import Foundation
import MemoryGraph

/// Graphs in networkx's node-link JSON (`networkx.node_link_data`), the
/// layout in which published rematerialisation benchmarks (Checkmate's
/// training graphs) are distributed:
///
/// ```json
/// {"directed": true, "nodes": [{"id": 0, "cost_cpu": 5, "cost_ram": 4096}, {"id": "relu", "cost": 1, "bytes": 4096, "backward": true}],
///  "links": [{"source": 0, "target": "relu"}]}
/// ```
///
/// Every node is an operator with one output, `NAME.out`, whose bytes are
/// the node's bytes attribute; a link `source → target` says that the
/// target reads the source's output (`edges` is accepted for `links`, as
/// networkx ≥ 3.4 writes). Node ids are integers or strings. The file's
/// node order is the default schedule when it is topological. Cost and
/// bytes come from the attributes named in ``Options``, by default `cost`
/// and `bytes`, or `cost_cpu` and `cost_ram` when the first node has
/// those (Checkmate's names). `"backward": true` marks a backward
/// operator, others are forward. Nodes that nothing reads are the graph's
/// outputs. O(nodes + links).
public enum NodeLinkGraph {
    public struct Options: Sendable, Equatable {
        /// The attribute holding an operator's cost; nil: `cost`, or `cost_cpu`.
        public var costKey: String?
        /// The attribute holding its output's bytes; nil: `bytes`, or `cost_ram`.
        public var bytesKey: String?

        public init(costKey: String? = nil, bytesKey: String? = nil) {
            self.costKey = costKey
            self.bytesKey = bytesKey
        }
    }

    /// Whether a parsed JSON object looks like node-link data (nodes and
    /// links or edges, no Stowage operators).
    public static func looksLikeNodeLink(_ data: Data) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return object["nodes"] is [Any] && (object["links"] is [Any] || object["edges"] is [Any]) && object["operators"] == nil
    }

    public static func importGraph(data: Data, file: String, defaultName: String, options: Options = Options()) throws(ImportError) -> Graph {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .malformed(file: file, location: "document", reason: "not valid JSON")
        }
        guard let object = parsed as? [String: Any] else { throw .malformed(file: file, location: "document", reason: "expected a JSON object") }
        guard let nodes = object["nodes"] as? [Any] else { throw .invalid(file: file, location: "nodes", reason: "missing, or not a list") }
        let linkKey = object["links"] != nil ? "links" : "edges"
        guard let links = object[linkKey] as? [Any] else { throw .invalid(file: file, location: "links", reason: "missing, or not a list") }
        if let directed = object["directed"] as? Bool, !directed {
            throw .unsupported(file: file, location: "directed", reason: "an undirected graph has no order of execution")
        }
        let first = nodes.first as? [String: Any] ?? [:]
        let checkmate = first["cost_cpu"] != nil && first["cost_ram"] != nil && first["cost"] == nil && first["bytes"] == nil
        let costKey = options.costKey ?? (checkmate ? "cost_cpu" : "cost")
        let bytesKey = options.bytesKey ?? (checkmate ? "cost_ram" : "bytes")

        func key(_ value: Any?) -> String? {
            if let text = value as? String { return "s:" + text }
            if let number = value as? NSNumber, !isBoolean(number),
               number.doubleValue.rounded() == number.doubleValue, abs(number.doubleValue) < 1e15 {
                return "i:\(number.int64Value)"
            }
            return nil
        }
        /// JSON `true` and `false` arrive as numbers too; their type code is a char.
        func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }
        func display(_ value: Any?) -> String { (value as? String) ?? (value as? NSNumber)?.stringValue ?? "?" }

        var index: [String: Int] = [:]
        var tensors: [Tensor] = []
        var names: [String] = []
        var costs: [Double] = []
        var phases: [Operator.Phase] = []
        var usedNames = Set<String>()
        for (i, entry) in nodes.enumerated() {
            guard let node = entry as? [String: Any] else { throw .invalid(file: file, location: "nodes[\(i)]", reason: "expected an object") }
            guard let id = key(node["id"]) else {
                throw .invalid(file: file, location: "nodes[\(i)]", reason: "\"id\" must be an integer or a string")
            }
            guard index[id] == nil else { throw .invalid(file: file, location: "nodes[\(i)]", reason: "id \(display(node["id"])) appears twice") }
            index[id] = i
            var name = display(node["id"])
            if let label = node["name"] as? String, !label.isEmpty { name = label }
            while !usedNames.insert(name).inserted { name += "#\(i)" }
            names.append(name)
            guard let bytesValue = node[bytesKey] as? NSNumber, !isBoolean(bytesValue) else {
                throw .invalid(file: file, location: "nodes[\(i)] (id \(display(node["id"])))", reason: "missing numeric \"\(bytesKey)\" (the bytes of its output)")
            }
            let bytes = bytesValue.doubleValue
            guard bytes >= 0, bytes.isFinite, bytes < 4e18, bytes.rounded() == bytes else {
                throw .invalid(file: file, location: "nodes[\(i)] (id \(display(node["id"])))", reason: "\"\(bytesKey)\" must be a whole number of bytes, not negative, got \(bytesValue)")
            }
            var cost = 1.0
            if let costValue = node[costKey] {
                guard let number = costValue as? NSNumber, !isBoolean(number), number.doubleValue >= 0,
                      number.doubleValue.isFinite, number.doubleValue <= 1e300 else {
                    throw .invalid(file: file, location: "nodes[\(i)] (id \(display(node["id"])))", reason: "\"\(costKey)\" must be a finite number, not negative")
                }
                cost = number.doubleValue
            } else if options.costKey != nil {
                throw .invalid(file: file, location: "nodes[\(i)] (id \(display(node["id"])))", reason: "missing \"\(costKey)\"")
            }
            costs.append(cost)
            phases.append((node["backward"] as? Bool) == true ? .backward : .forward)
            tensors.append(Tensor(name: name + ".out", kind: .activation, bytes: Int(bytes)))
        }
        var inputs = [[Int]](repeating: [], count: nodes.count)
        var read = [Bool](repeating: false, count: nodes.count)
        for (i, entry) in links.enumerated() {
            guard let link = entry as? [String: Any] else { throw .invalid(file: file, location: "\(linkKey)[\(i)]", reason: "expected an object") }
            guard let source = key(link["source"]).flatMap({ index[$0] }) else {
                throw .invalid(file: file, location: "\(linkKey)[\(i)]", reason: "source \(display(link["source"])) is not a node id")
            }
            guard let target = key(link["target"]).flatMap({ index[$0] }) else {
                throw .invalid(file: file, location: "\(linkKey)[\(i)]", reason: "target \(display(link["target"])) is not a node id")
            }
            guard source != target else { throw .invalid(file: file, location: "\(linkKey)[\(i)]", reason: "a node reads its own output") }
            if !inputs[target].contains(source) { inputs[target].append(source) }
            read[source] = true
        }
        let operators = nodes.indices.map { i in
            Operator(name: names[i], type: "node", inputs: inputs[i], outputs: [i], cost: costs[i], phase: phases[i])
        }
        let name = (object["graph"] as? [String: Any])?["name"] as? String ?? defaultName
        do {
            return try Graph(name: name.isEmpty ? defaultName : name, tensors: tensors, operators: operators,
                             outputs: nodes.indices.filter { !read[$0] })
        } catch {
            throw ImportError.graph(error, file: file)
        }
    }
}
