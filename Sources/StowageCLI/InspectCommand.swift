import ArgumentParser
import Foundation
import MemoryGraph
import ModelImport

/// `stowage inspect`: what a model file holds and how much memory it needs
/// at least.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise model files: operators, tensors, weight bytes and memory lower bounds.",
        discussion: """
            Reads ONNX models (.onnx), Stowage JSON graphs (.json) and Hugging \
            Face transformer configs (config.json style). For graphs it prints \
            the number of operators and tensors, the weight bytes, the peak of \
            live activation bytes in file order (a lower bound for any \
            allocation in that order), and the largest operator's footprint \
            (all its inputs and outputs, weights included). Tensors of unknown \
            size count as 0 and are listed.
            """
    )

    @Argument(help: "Model files (.onnx, .json).")
    var files: [String]

    @Flag(help: "Print JSON: one object for one file, {\"models\": {name: object}} for several.")
    var json = false

    @Flag(help: "Print the activations as a buffer table (CSV id,lower,upper,size) instead; one graph file only.")
    var buffers = false

    @Flag(name: .customLong("export-graph"), help: "Print the graph in Stowage's JSON graph format instead; one graph file only.")
    var exportGraph = false

    @OptionGroup var graphOptions: GraphOptions

    @Flag(name: .customLong("no-shape-inference"), help: "Use only the shapes the ONNX file declares.")
    var noShapeInference = false

    func validate() throws {
        if (buffers || exportGraph) && files.count != 1 {
            throw ValidationError("--buffers and --export-graph take exactly one file")
        }
        if buffers && exportGraph { throw ValidationError("choose one of --buffers and --export-graph") }
    }

    func run() throws {
        let symbols = try graphOptions.symbols()
        var entries: [(name: String, model: ImportedModel)] = []
        for file in files {
            do {
                var model = try ModelFile.load(file, symbols: symbols, inferShapes: !noShapeInference)
                if case .graph(let graph) = model { model = .graph(try graphOptions.apply(to: graph, file: file)) }
                entries.append((URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent, model))
            } catch let error as ImportError {
                throw CommandFailure.badInput(error.description)
            }
        }

        if buffers || exportGraph {
            guard case .graph(let graph) = entries[0].model else {
                throw CommandFailure.badInput("\(files[0]): file: a transformer config has no graph to export")
            }
            if exportGraph {
                print(String(decoding: JSONGraphFormat.encode(graph), as: UTF8.self))
                return
            }
            do {
                print(ActivationBuffer.csv(try graph.activationBuffers()), terminator: "")
            } catch {
                throw CommandFailure.badInput("\(files[0]): \(error.description)")
            }
            return
        }

        let reports = entries.map { entry in InspectReport(name: entry.name, model: entry.model) }
        if json {
            print(InspectReport.json(reports))
        } else {
            print(InspectReport.table(reports))
        }
    }
}

/// What `stowage inspect` prints for one file.
struct InspectReport {
    let name: String
    let model: ImportedModel

    /// The JSON object of one file: a graph's `GraphSummary` (the keys of
    /// `Models/reference_figures.json` plus a few), or a transformer's
    /// dimensions with derived sizes.
    var jsonObject: Any {
        switch model {
        case .graph(let graph):
            let s = GraphSummary(graph: graph)
            return [
                "version": 1, "kind": "graph", "name": s.name, "nodes": s.nodes, "tensors": s.tensors, "weights": s.weights,
                "weightBytes": s.weightBytes, "peakLiveBytes": s.peakLiveBytes, "peakStep": s.peakStep as Any? ?? NSNull(),
                "maxOperatorBytes": s.maxOperatorBytes, "maxOperatorNode": s.maxOperatorNode as Any? ?? NSNull(),
                "unknownShapes": s.unknownShapes, "symbols": s.symbols, "schedule": s.schedule,
            ] as [String: Any]
        case .transformer(let c):
            return [
                "version": 1, "kind": "transformer", "name": c.name, "modelType": c.modelType, "layers": c.layers,
                "hiddenSize": c.hiddenSize, "ffnSize": c.ffnSize, "heads": c.heads, "kvHeads": c.kvHeads,
                "vocabSize": c.vocabSize, "maxPositions": c.maxPositions as Any? ?? NSNull(), "dtypeBytes": c.dtypeBytes,
                "parameters": c.parameterCount, "weightBytes": c.weightBytes, "kvCacheBytesPerToken": c.kvCacheBytesPerToken,
            ] as [String: Any]
        }
    }

    static func json(_ reports: [InspectReport]) -> String {
        let object: Any = reports.count == 1
            ? reports[0].jsonObject
            : ["version": 1, "models": Dictionary(reports.map { ($0.name, $0.jsonObject) }, uniquingKeysWith: { first, _ in first })]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A Markdown table per kind (graphs, then transformer configs), then
    /// notes on unknown sizes and unbound symbols.
    static func table(_ reports: [InspectReport]) -> String {
        var lines: [String] = []
        var notes: [String] = []
        let graphs = reports.compactMap { r -> GraphSummary? in
            if case .graph(let g) = r.model { return GraphSummary(graph: g) }
            return nil
        }
        if !graphs.isEmpty {
            lines.append("| model | nodes | tensors | weightBytes | peakLiveBytes | maxOperatorBytes |")
            lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
            for s in graphs {
                lines.append("| \(s.name) | \(s.nodes) | \(s.tensors) | \(s.weightBytes) | \(s.peakLiveBytes) | \(s.maxOperatorBytes) |")
                if !s.unknownShapes.isEmpty {
                    let shown = s.unknownShapes.prefix(5).joined(separator: ", ")
                    notes.append("\(s.name): \(s.unknownShapes.count) tensors of unknown size counted as 0 bytes (\(shown)\(s.unknownShapes.count > 5 ? ", …" : ""))")
                }
                if !s.symbols.isEmpty {
                    notes.append("\(s.name): unbound symbolic dimensions \(s.symbols.joined(separator: ", ")) (bind them with --dim NAME=VALUE)")
                }
                if s.schedule != "file" {
                    notes.append("\(s.name): the file's operator order breaks a dependency; figures use a topological order")
                }
            }
        }
        let configs = reports.compactMap { r -> TransformerConfig? in
            if case .transformer(let c) = r.model { return c }
            return nil
        }
        if !configs.isEmpty {
            if !lines.isEmpty { lines.append("") }
            lines.append("| config | layers | hidden | FFN | heads | KV heads | vocab | dtype bytes | parameters | KV bytes/token |")
            lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            for c in configs {
                lines.append("| \(c.name) | \(c.layers) | \(c.hiddenSize) | \(c.ffnSize) | \(c.heads) | \(c.kvHeads) | \(c.vocabSize) | \(c.dtypeBytes) | \(c.parameterCount) | \(c.kvCacheBytesPerToken) |")
            }
        }
        if !notes.isEmpty { lines.append(""); lines.append(contentsOf: notes) }
        return lines.joined(separator: "\n")
    }
}
