import Allocation
import MemoryGraph

/// A stack of randomly sampled NAS cells in the style of DARTS (Liu et
/// al., ICLR 2019) and NASNet (Zoph et al., CVPR 2018): the cells a
/// random search over their space would try.
///
/// Each cell reads the outputs of the two cells before it (the stem for
/// the first ones) through two preprocessing 1×1 convolutions, then builds
/// four nodes; node j adds two edges, each an operation drawn uniformly
/// from {separable 3×3, separable 5×5, dilated 3×3, max pool, average pool,
/// identity} applied to one of the earlier values (the two preprocessed
/// inputs and nodes 0 ..< j, two distinct ones). A separable convolution is
/// two operators in a row (as DARTS stacks two), a dilated one or a pool
/// one, an identity none (the add reads the value itself). The cell's
/// output concatenates the four nodes. The cells at one and two thirds of
/// the depth are reduction cells: half the side, twice the channels, and
/// the edges leaving the cell's inputs have stride 2. A global pooling
/// operator makes the graph output.
///
/// Sizes (8-bit elements): stem 48 channels of 32 × 32; a normal cell of
/// C channels writes nodes of C × side² bytes and a 4C output; C starts at
/// 16. About 15–25 operators per cell.
public enum NASCells {
    static let operations = ["sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "max_pool_3x3", "avg_pool_3x3", "skip_connect"]

    /// - Throws: unless `1 ≤ cells ≤ 1,000`.
    public static func network(cells: Int, seed: UInt64) throws(RandomNetworkError) -> Graph {
        guard (1 ... 1_000).contains(cells) else {
            throw RandomNetworkError(reason: "the number of cells must be between 1 and 1,000, got \(cells)")
        }
        var random = SplitMix64(seed: seed)
        var builder = NetworkBuilder(name: "nas-cells\(cells)-s\(seed)")
        var side = 32
        var channels = 16
        let image = builder.input("image", channels: 3, side: side)
        let stem = builder.op("stem", type: "Conv", inputs: [image], channels: 3 * channels, side: side)
        // (tensor, side) of the two previous cells' outputs.
        var previous = [(tensor: stem, side: side), (tensor: stem, side: side)]
        let reductions = Set([cells / 3, 2 * cells / 3].filter { $0 > 0 })
        for cell in 0 ..< cells {
            let reduction = reductions.contains(cell)
            if reduction { channels *= 2 }
            let inputSide = previous[1].side
            let outputSide = reduction ? inputSide / 2 : inputSide
            let prefix = "c\(cell)"
            // Preprocessing brings both inputs to the cell's input side and C channels.
            let pre0 = builder.op("\(prefix)_pre0", type: previous[0].side != inputSide ? "FactorizedReduce" : "ReLUConvBN",
                                  inputs: [previous[0].tensor], channels: channels, side: inputSide)
            let pre1 = builder.op("\(prefix)_pre1", type: "ReLUConvBN", inputs: [previous[1].tensor], channels: channels, side: inputSide)
            // Values: (tensor, side); the first two are the cell's inputs.
            var values = [(tensor: pre0, side: inputSide), (tensor: pre1, side: inputSide)]
            var nodes: [Int] = []
            for node in 0 ..< 4 {
                let first = random.below(values.count)
                var second = random.below(values.count - 1)
                if second >= first { second += 1 }
                var addends: [Int] = []
                for (e, source) in [first, second].enumerated() {
                    let operation = operations[random.below(operations.count)]
                    let strided = reduction && source < 2
                    let name = "\(prefix)_n\(node)_e\(e)_\(operation)"
                    var value = values[source].tensor
                    switch operation {
                    case "skip_connect" where !strided:
                        break
                    case "skip_connect":
                        value = builder.op(name, type: "FactorizedReduce", inputs: [value], channels: channels, side: outputSide)
                    case "sep_conv_3x3", "sep_conv_5x5":
                        // The first half carries the stride.
                        let half = builder.op(name + "_a", type: "SepConv", inputs: [value], channels: channels, side: outputSide)
                        value = builder.op(name + "_b", type: "SepConv", inputs: [half], channels: channels, side: outputSide)
                    default:
                        value = builder.op(name, type: operation.hasPrefix("dil") ? "DilConv" : "Pool", inputs: [value],
                                           channels: channels, side: outputSide)
                    }
                    addends.append(value)
                }
                let sum = builder.op("\(prefix)_n\(node)", type: "Add", inputs: addends, channels: channels, side: outputSide)
                nodes.append(sum)
                values.append((sum, outputSide))
            }
            let output = builder.op("\(prefix)_out", type: "Concat", inputs: nodes, channels: 4 * channels, side: outputSide)
            previous = [previous[1], (output, outputSide)]
            side = outputSide
        }
        let logits = builder.op("pool", type: "GlobalAveragePool", inputs: [previous[1].tensor], channels: 4 * channels, side: 1)
        builder.markOutput(logits)
        return builder.build()
    }
}
