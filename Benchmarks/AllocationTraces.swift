import Allocation
import Foundation
import MemoryGraph
import ModelImport

/// The production-like allocation suite: generated training traces (see
/// Examples/alloc/README.md), from about 10,000 to 200,000 buffers.
enum AllocationTraces {
    struct Trace {
        var name: String
        var make: () -> AllocationProblem
    }

    /// The repository root, for the bundled models (`STOWAGE_ROOT` overrides).
    static let root = ProcessInfo.processInfo.environment["STOWAGE_ROOT"].map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static var suite: [Trace] {
        var traces: [Trace] = []
        func llm(_ name: String, _ edit: (inout TrainingTraceConfig) -> Void) {
            var c = TrainingTraceConfig.llm2B
            edit(&c)
            traces.append(Trace(name: name) { TrainingTrace.make(c) })
        }
        // One device, gradient accumulation, full attention matrices.
        llm("llm-2.6b") { _ in }
        // Tensor parallel over 8, ZeRO-1 over 8, flash attention.
        llm("tp8-13b") { c in
            c.layers = 40; c.hidden = 5_120; c.heads = 40; c.ffn = 20_480; c.tensorParallel = 8; c.dataParallel = 8
            c.microBatchSize = 2; c.microBatches = 12; c.flashAttention = true; c.seed = 2
        }
        // A middle pipeline stage (1F1B), tensor parallel over 4.
        llm("pp8-stage3") { c in
            c.layers = 96; c.hidden = 8_192; c.heads = 64; c.ffn = 32_768; c.tensorParallel = 4; c.pipelineStages = 8
            c.stage = 3; c.microBatches = 64; c.seed = 3
        }
        // The last pipeline stage: the loss over a 128k vocabulary (logits of gigabytes).
        llm("pp4-last") { c in
            c.layers = 64; c.hidden = 6_144; c.heads = 48; c.ffn = 24_576; c.vocabulary = 131_072; c.sequence = 4_096
            c.microBatchSize = 2; c.pipelineStages = 4; c.stage = 3; c.microBatches = 32; c.flashAttention = true; c.seed = 4
        }
        // ZeRO-3: weights gathered per layer, data parallel over 16.
        llm("zero3-7b") { c in
            c.layers = 32; c.hidden = 4_096; c.heads = 32; c.ffn = 11_008; c.dataParallel = 16; c.shardedWeights = true
            c.microBatchSize = 4; c.microBatches = 16; c.flashAttention = true; c.seed = 5
        }
        // The large one: 200,000 buffers.
        llm("tp8-pp2-200k") { c in
            c.layers = 96; c.hidden = 12_288; c.heads = 96; c.ffn = 49_152; c.tensorParallel = 8; c.pipelineStages = 2
            c.microBatches = 44; c.dataParallel = 4; c.seed = 6
        }
        // Traces from the bundled models' own graphs and lifetimes.
        for (model, microBatches, batch) in [("bert_base", 8, 8), ("gpt2", 8, 4), ("resnet50", 24, 32), ("vit_b_16", 12, 16)] {
            traces.append(Trace(name: "\(model)-train") {
                let graph = forwardGraph(root.appendingPathComponent("Models/onnx/\(model).onnx").path)
                return ModelTrainingTrace.make(graph, name: model, microBatches: microBatches, batch: batch)
            })
        }
        return traces
    }

    /// The model's forward graph in its default order, or an empty one when
    /// the file does not import (said on stderr).
    static func forwardGraph(_ path: String) -> ForwardGraph {
        let graph: Graph
        do {
            guard case .graph(let g) = try ModelFile.load(path) else { return ForwardGraph(operations: [], sizes: [], roles: [], outputs: []) }
            graph = g
        } catch {
            FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
            return ForwardGraph(operations: [], sizes: [], roles: [], outputs: [])
        }
        let operations = graph.topologicalOrder.map { k in
            ForwardGraph.Operation(type: graph.operators[k].type, inputs: graph.operators[k].inputs, outputs: graph.operators[k].outputs)
        }
        let roles: [ForwardGraph.Role] = graph.tensors.map { t in
            switch t.kind {
            case .weight: return t.elementType?.isFloatingPoint == false || (t.bytes ?? 0) < 64 ? .constant : .weight
            case .input, .activation: return .activation
            }
        }
        return ForwardGraph(operations: operations, sizes: graph.tensors.map { max(1, $0.bytes ?? 1) }, roles: roles, outputs: graph.outputs)
    }
}
