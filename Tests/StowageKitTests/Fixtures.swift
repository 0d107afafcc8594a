import Foundation
import StowageKit

/// Graphs and paths the facade tests share.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static let kib = 1 << 10

    /// conv1 -> conv2 -> conv3 -> add, where add also reads conv1's output
    /// `a`. Footprints: conv1..conv3 160 KiB (64 in, 32 weight, 64 out),
    /// add 192 KiB (a, c, y). Keeping `a` resident through conv3 needs
    /// 224 KiB, so M_R = 192 KiB, M_P = 224 KiB, M_H = 208 KiB.
    static func residualBlock() throws -> Graph {
        var b = GraphBuilder(name: "residual_block")
        let x = b.input("x", bytes: 64 * kib)
        let w = (1 ... 3).map { b.weight("w\($0)", bytes: 32 * kib) }
        let a = b.op("conv1", type: "Conv", inputs: [x, w[0]], output: "a", bytes: 64 * kib)
        let bb = b.op("conv2", type: "Conv", inputs: [a, w[1]], output: "b", bytes: 64 * kib)
        let c = b.op("conv3", type: "Conv", inputs: [bb, w[2]], output: "c", bytes: 64 * kib)
        let y = b.op("add", type: "Add", inputs: [a, c], output: "y", bytes: 64 * kib)
        b.markOutput(y)
        return try b.build()
    }

    /// The same graph in Stowage's JSON graph format.
    static let residualBlockJSON = """
        {"format": "stowage-graph", "version": 1, "name": "residual_block",
         "tensors": [
          {"name": "x", "kind": "input", "bytes": 65536},
          {"name": "w1", "kind": "weight", "bytes": 32768},
          {"name": "w2", "kind": "weight", "bytes": 32768},
          {"name": "w3", "kind": "weight", "bytes": 32768},
          {"name": "a", "bytes": 65536}, {"name": "b", "bytes": 65536},
          {"name": "c", "bytes": 65536}, {"name": "y", "bytes": 65536}],
         "operators": [
          {"name": "conv1", "type": "Conv", "inputs": ["x", "w1"], "outputs": ["a"]},
          {"name": "conv2", "type": "Conv", "inputs": ["a", "w2"], "outputs": ["b"]},
          {"name": "conv3", "type": "Conv", "inputs": ["b", "w3"], "outputs": ["c"]},
          {"name": "add", "type": "Add", "inputs": ["a", "c"], "outputs": ["y"]}],
         "outputs": ["y"]}
        """
}
