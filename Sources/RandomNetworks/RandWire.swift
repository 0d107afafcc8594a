import Allocation
import MemoryGraph

/// One randomly wired stage of RandWire (Xie et al., "Exploring Randomly
/// Wired Neural Networks for Image Recognition", ICCV 2019): a
/// Watts–Strogatz graph made a DAG (edges from lower to higher index),
/// each node an operator that sums its inputs and applies ReLU, a
/// separable convolution and batch norm, writing one tensor read by all
/// its successors. Nodes without predecessors read the stage input; the
/// outputs of nodes without successors are averaged by one more operator
/// into the stage output, the graph output.
///
/// The graph has `nodes + 1` operators. Sizes: `equal` gives every node
/// 16 channels of 32 × 32 (16 KiB at one byte per element); `mixed` draws
/// each node's channels from {8, 16, 24, 32}, so tensors of 8–32 KiB.
public enum RandWire {
    public enum Sizes: String, Sendable, CaseIterable {
        case equal, mixed
    }

    public static let side = 32

    /// - Parameters: as ``WattsStrogatz``; RandWire's small regime uses
    ///   `neighbours: 4, rewiring: 0.75`.
    /// - Throws: unless `2 ≤ neighbours < nodes ≤ 100,000`, `neighbours`
    ///   even and `0 ≤ rewiring ≤ 1`.
    public static func stage(nodes: Int, neighbours: Int = 4, rewiring: Double = 0.75, sizes: Sizes,
                             seed: UInt64) throws(RandomNetworkError) -> Graph {
        guard neighbours >= 2, neighbours % 2 == 0, neighbours < nodes, nodes <= 100_000 else {
            throw RandomNetworkError(reason: "a Watts–Strogatz graph needs an even k with 2 ≤ k < n ≤ 100,000 (n = \(nodes), k = \(neighbours))")
        }
        guard (0 ... 1).contains(rewiring) else {
            throw RandomNetworkError(reason: "the rewiring probability \(rewiring) is not in [0, 1]")
        }
        var random = SplitMix64(seed: seed)
        let wiring = WattsStrogatz(nodes: nodes, neighbours: neighbours, rewiring: rewiring, random: &random)
        let name = "randwire-ws\(nodes)-k\(neighbours)-p\(rewiring)-\(sizes.rawValue)-s\(seed)"
        var builder = NetworkBuilder(name: name)
        let x = builder.input("x", channels: 16, side: side)
        var predecessors = [[Int]](repeating: [], count: nodes)
        var hasSuccessor = [Bool](repeating: false, count: nodes)
        for edge in wiring.edges {
            predecessors[edge.to].append(edge.from)
            hasSuccessor[edge.from] = true
        }
        var outputOf = [Int](repeating: 0, count: nodes)
        for v in 0 ..< nodes {
            let channels = sizes == .equal ? 16 : 8 * (1 + random.below(4))
            let inputs = predecessors[v].isEmpty ? [x] : predecessors[v].map { outputOf[$0] }
            outputOf[v] = builder.op("node\(v)", type: "RandWireNode", inputs: inputs, channels: channels, side: side)
        }
        let sinks = (0 ..< nodes).filter { !hasSuccessor[$0] }.map { outputOf[$0] }
        let y = builder.op("output", type: "Mean", inputs: sinks, channels: 16, side: side)
        builder.markOutput(y)
        return builder.build()
    }
}
