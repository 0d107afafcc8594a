/// The figures `stowage inspect` prints for a graph under a schedule: its
/// size, the weight bytes, and two lower bounds on fast memory.
public struct GraphSummary: Hashable, Sendable, Codable {
    public var name: String
    /// Operators.
    public var nodes: Int
    /// Tensors: graph inputs, weights and operator outputs.
    public var tensors: Int
    public var weights: Int
    public var weightBytes: Int
    /// The peak of live activation bytes under the schedule (`Liveness`).
    public var peakLiveBytes: Int
    public var peakStep: Int?
    /// The largest operator footprint (`Graph.footprint(ofOperator:)`).
    public var maxOperatorBytes: Int
    /// That operator's name, or `#index type` when it has none.
    public var maxOperatorNode: String?
    /// Tensors whose size is unknown (counted as 0 bytes above).
    public var unknownShapes: [String]
    /// Symbols still unbound in some shape.
    public var symbols: [String]
    /// `file` when the file's operator order was used, `topological` when it
    /// had to be reordered.
    public var schedule: String

    /// O(tensors + operators + edges).
    public init(graph: Graph, schedule: Schedule? = nil) {
        let schedule = schedule ?? .default(for: graph)
        let liveness = Liveness(graph: graph, schedule: schedule)
        name = graph.name
        nodes = graph.operators.count
        tensors = graph.tensors.count
        let weightIndices = graph.weights
        weights = weightIndices.count
        weightBytes = weightIndices.reduce(0) { $0 + (graph.tensors[$1].bytes ?? 0) }
        peakLiveBytes = liveness.peakBytes
        peakStep = liveness.peakStep
        if let largest = graph.largestOperator {
            maxOperatorBytes = largest.bytes
            let op = graph.operators[largest.index]
            maxOperatorNode = op.name.isEmpty ? "#\(largest.index) \(op.type)" : op.name
        } else {
            maxOperatorBytes = 0
            maxOperatorNode = nil
        }
        unknownShapes = graph.tensors.filter { $0.bytes == nil }.map(\.name)
        symbols = graph.symbols
        self.schedule = schedule.order == Array(graph.operators.indices) ? "file" : "topological"
    }
}
