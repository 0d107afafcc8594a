import Foundation
import MemoryGraph
@testable import ModelImport
import Testing

/// Mutated copies of real files (truncated, bytes flipped, pieces spliced
/// from another model) must import or fail with an `ImportError`, never
/// trap. Seeded, a few hundred mutations, a few seconds.
@Suite struct RobustnessTests {
    enum Mutation: CaseIterable { case truncate, flip, splice, zeroRun, duplicate }

    static func mutate(_ bytes: [UInt8], donor: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var b = bytes
        guard !b.isEmpty else { return b }
        switch Mutation.allCases.randomElement(using: &rng)! {
        case .truncate:
            b.removeLast(Int.random(in: 1 ... b.count, using: &rng))
        case .flip:
            for _ in 0 ..< Int.random(in: 1 ... 8, using: &rng) {
                let i = Int.random(in: 0 ..< b.count, using: &rng)
                b[i] ^= UInt8.random(in: 1 ... 255, using: &rng)
            }
        case .splice:
            let at = Int.random(in: 0 ..< b.count, using: &rng)
            let from = Int.random(in: 0 ..< donor.count, using: &rng)
            let length = Int.random(in: 1 ... min(4096, donor.count - from), using: &rng)
            b.replaceSubrange(at ..< min(b.count, at + length), with: donor[from ..< from + length])
        case .zeroRun:
            let at = Int.random(in: 0 ..< b.count, using: &rng)
            for i in at ..< min(b.count, at + Int.random(in: 1 ... 64, using: &rng)) { b[i] = 0 }
        case .duplicate:
            let at = Int.random(in: 0 ..< b.count, using: &rng)
            let length = min(b.count - at, Int.random(in: 1 ... 2048, using: &rng))
            b.insert(contentsOf: b[at ..< at + length], at: Int.random(in: 0 ... b.count, using: &rng))
        }
        return b
    }

    /// Imports and, when that works, computes every figure, as inspect does.
    static func exercise(_ data: Data, _ label: String) -> Bool {
        do {
            let graph = try ONNXImporter.importGraph(serialized: data, file: label, name: "m")
            _ = GraphSummary(graph: graph)
            _ = try? graph.activationBuffers()
            _ = JSONGraphFormat.encode(graph)
            return true
        } catch {
            #expect(!error.description.isEmpty)
            return false
        }
    }

    @Test func mutatedONNXFilesNeverTrap() throws {
        var rng = SeededGenerator(seed: 2024)
        let files = ["resnet50", "mobilenet_v2", "bert_base", "vit_b_16"].map { TestFiles.model($0) }
            + [TestFiles.fixture("tiny_cnn.onnx"), TestFiles.fixture("subgraphs.onnx")]
        let originals = try files.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
        var imported = 0
        var refused = 0
        for round in 0 ..< 300 {
            let k = round % originals.count
            var bytes = originals[k]
            for _ in 0 ..< Int.random(in: 1 ... 3, using: &rng) {
                bytes = Self.mutate(bytes, donor: originals.randomElement(using: &rng)!, &rng)
            }
            if Self.exercise(Data(bytes), "mutation \(round)") { imported += 1 } else { refused += 1 }
        }
        #expect(imported + refused == 300)
        #expect(refused > 0)
    }

    /// Protobuf-valid but absurd content: shape inference on attributes
    /// and dimensions chosen to overflow, divide by zero or index out of
    /// range.
    @Test func absurdValuesInAValidModelNeverTrap() throws {
        var rng = SeededGenerator(seed: 7)
        let base = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: TestFiles.fixture("tiny_cnn.onnx"))))
        let absurd: [Int64] = [0, -1, -2, 1, 2, 3, Int64.max, Int64.min, 1 << 32, -(1 << 40), 1 << 62]
        for _ in 0 ..< 200 {
            var model = base
            let n = Int.random(in: 0 ..< model.graph.node.count, using: &rng)
            var node = model.graph.node[n]
            if !node.attribute.isEmpty, Bool.random(using: &rng) {
                let a = Int.random(in: 0 ..< node.attribute.count, using: &rng)
                node.attribute[a].i = absurd.randomElement(using: &rng)!
                node.attribute[a].ints = node.attribute[a].ints.map { _ in absurd.randomElement(using: &rng)! }
            } else {
                var attribute = Onnx_AttributeProto()
                attribute.name = ["axis", "strides", "pads", "kernel_shape", "dilations", "perm", "axes", "split", "num_outputs"]
                    .randomElement(using: &rng)!
                attribute.i = absurd.randomElement(using: &rng)!
                attribute.ints = (0 ..< Int.random(in: 0 ... 4, using: &rng)).map { _ in absurd.randomElement(using: &rng)! }
                node.attribute.append(attribute)
            }
            model.graph.node[n] = node
            if Bool.random(using: &rng) {
                // Constant values that shapes are computed from.
                for (i, node) in model.graph.node.enumerated() where node.opType == "Constant" {
                    model.graph.node[i].attribute[0].t.int64Data = [absurd.randomElement(using: &rng)!]
                }
            }
            if Bool.random(using: &rng) {
                model.graph.input[0].type.tensorType.shape.dim[Int.random(in: 0 ..< 4, using: &rng)].dimValue =
                    absurd.filter { $0 >= 0 }.randomElement(using: &rng)!
            }
            let data: Data = try model.serializedBytes()
            _ = Self.exercise(data, "absurd")
        }
    }
}
