import Foundation
import MemoryGraph
import ModelImport
import SwiftProtobuf

/// Import costs: a synthetic 6,000-node ONNX network (2,000 residual
/// blocks of Conv → Relu → Add, weights as absent external data like
/// Models/onnx), with and without declared shapes, and the same graph in
/// the JSON format. Each timing includes building the `Graph` and its
/// `GraphSummary` (liveness and footprints), as `stowage inspect` does.
enum ImportBenchmarks {
    static func run() {
        let blocks = 2000
        let declared = syntheticModel(blocks: blocks, declareShapes: true)
        let bare = syntheticModel(blocks: blocks, declareShapes: false)
        print("synthetic ONNX: \(3 * blocks) nodes, \(declared.count / 1024) KiB with value_info, \(bare.count / 1024) KiB without")

        var graph: Graph?
        let withShapes = bestTime {
            graph = try? ONNXImporter.importGraph(serialized: declared, file: "synthetic.onnx", name: "synthetic")
            if let graph { _ = GraphSummary(graph: graph) }
        }
        guard let graph else {
            print("the synthetic model did not import")
            return
        }
        print("import 6,000-node ONNX, declared shapes          \(formatSeconds(withShapes))")

        let inferred = bestTime {
            if let g = try? ONNXImporter.importGraph(serialized: bare, file: "synthetic.onnx", name: "synthetic") {
                _ = GraphSummary(graph: g)
            }
        }
        print("import 6,000-node ONNX, shapes inferred          \(formatSeconds(inferred))")

        let json = JSONGraphFormat.encode(graph)
        let jsonTime = bestTime {
            if let g = try? JSONGraphFormat.importGraph(data: json, file: "synthetic.json", defaultName: "synthetic") {
                _ = GraphSummary(graph: g)
            }
        }
        print("import 6,000-node JSON graph (\(json.count / 1024) KiB)          \(formatSeconds(jsonTime))")

        let buffers = bestTime { _ = try? graph.activationBuffers() }
        print("activation buffers of 6,000 nodes                \(formatSeconds(buffers))")

        let small = syntheticModel(blocks: blocks / 10, declareShapes: true)
        let smallTime = bestTime {
            _ = try? ONNXImporter.importGraph(serialized: small, file: "synthetic.onnx", name: "synthetic")
        }
        print("ratio 6,000 / 600 nodes                          \(String(format: "%8.1f", withShapes / smallTime))  (linear ≈ 10)")
    }

    /// x(1×64×56×56) → [conv_i → relu_i → add_i(relu_i, previous)] × blocks.
    static func syntheticModel(blocks: Int, declareShapes: Bool) -> Data {
        func info(_ name: String, _ dims: [Int64]) -> Onnx_ValueInfoProto {
            var v = Onnx_ValueInfoProto()
            v.name = name
            v.type.tensorType.elemType = 1
            v.type.tensorType.shape.dim = dims.map { d in
                var dim = Onnx_TensorShapeProto.Dimension()
                dim.dimValue = d
                return dim
            }
            return v
        }
        func attribute(_ name: String, _ values: [Int64]) -> Onnx_AttributeProto {
            var a = Onnx_AttributeProto()
            a.name = name
            a.type = .ints
            a.ints = values
            return a
        }
        let activation: [Int64] = [1, 64, 56, 56]
        var graph = Onnx_GraphProto()
        graph.name = "synthetic"
        graph.input = [info("x", activation)]
        var previous = "x"
        for i in 0 ..< blocks {
            var weight = Onnx_TensorProto()
            weight.name = "w\(i)"
            weight.dataType = 1
            weight.dims = [64, 64, 3, 3]
            weight.dataLocation = .external
            var location = Onnx_StringStringEntryProto()
            location.key = "location"
            location.value = "synthetic.weights"
            weight.externalData = [location]
            graph.initializer.append(weight)

            var conv = Onnx_NodeProto()
            conv.opType = "Conv"
            conv.name = "/block\(i)/conv"
            conv.input = [previous, "w\(i)"]
            conv.output = ["conv\(i)"]
            conv.attribute = [attribute("kernel_shape", [3, 3]), attribute("pads", [1, 1, 1, 1])]
            var relu = Onnx_NodeProto()
            relu.opType = "Relu"
            relu.name = "/block\(i)/relu"
            relu.input = ["conv\(i)"]
            relu.output = ["relu\(i)"]
            var add = Onnx_NodeProto()
            add.opType = "Add"
            add.name = "/block\(i)/add"
            add.input = ["relu\(i)", previous]
            add.output = ["add\(i)"]
            graph.node += [conv, relu, add]
            if declareShapes {
                graph.valueInfo += [info("conv\(i)", activation), info("relu\(i)", activation)]
            }
            previous = "add\(i)"
        }
        graph.output = [declareShapes ? info(previous, activation) : {
            var v = Onnx_ValueInfoProto()
            v.name = previous
            return v
        }()]
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        model.opsetImport = [opset]
        model.graph = graph
        return (try? model.serializedBytes()) ?? Data()
    }
}
