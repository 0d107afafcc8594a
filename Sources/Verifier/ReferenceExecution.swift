import MemoryGraph

/// The content every tensor should have, from running the graph with
/// unlimited memory: inputs and weights hold their initial patterns, and
/// each operator, in a topological order, writes the patterns derived from
/// what it read. Real-memory mode compares the graph outputs a plan leaves
/// in the home tier with these. O(operators + edges), no byte arrays.
struct ReferenceExecution {
    /// The content seed of every tensor (see ``RealMemory``).
    let seeds: [UInt64]

    init(_ graph: Graph) {
        var seeds = graph.tensors.indices.map { RealMemory.initialSeed(tensor: $0) }
        for o in graph.topologicalOrder {
            let op = graph.operators[o]
            let readSeeds = op.reads.map { seeds[$0] }
            for (position, t) in op.outputs.enumerated() {
                seeds[t] = RealMemory.outputSeed(op: o, position: position, readSeeds: readSeeds)
            }
        }
        self.seeds = seeds
    }
}
