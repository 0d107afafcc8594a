import ArgumentParser
import Foundation
import MemoryGraph
import ModelImport

/// Options every command that reads a model graph shares: symbolic
/// dimension bindings and the element size of floating-point data.
struct GraphOptions: ParsableArguments {
    @Option(name: .customLong("dim"), help: "Bind a symbolic dimension, e.g. --dim batch=1 (repeatable).")
    var dims: [String] = []

    @Option(name: .customLong("dtype-bytes"), help: "Count every floating-point element as B bytes (1 for 8-bit accelerators).")
    var dtypeBytes: Int?

    func validate() throws {
        if let dtypeBytes, !(1 ... 16).contains(dtypeBytes) { throw ValidationError("--dtype-bytes must be between 1 and 16") }
        _ = try symbols()
    }

    func symbols() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for binding in dims {
            let parts = binding.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let value = Int(parts[1]), value >= 0 else {
                throw ValidationError("--dim expects NAME=VALUE with a non-negative integer value, got '\(binding)'")
            }
            result[parts[0]] = value
        }
        return result
    }

    /// The graph with `--dtype-bytes` applied.
    func apply(to graph: Graph, file: String) throws -> Graph {
        guard let dtypeBytes else { return graph }
        do {
            return try graph.resizingFloatingPoint(toBytes: dtypeBytes)
        } catch {
            throw CommandFailure.badInput("\(file): \(error)")
        }
    }

    /// Loads a model file that must hold an operator graph.
    func loadGraph(_ path: String) throws -> Graph {
        let model: ImportedModel
        do {
            model = try ModelFile.load(path, symbols: symbols())
        } catch let error as ImportError {
            throw CommandFailure.badInput(error.description)
        }
        guard case .graph(let graph) = model else {
            throw CommandFailure.badInput("\(path): a transformer config has no operator graph; plan it with `stowage offload`")
        }
        if let warning = Self.unknownSizeWarning(graph, file: path) {
            FileHandle.standardError.write(Data("stowage: \(warning)\n".utf8))
        }
        return try apply(to: graph, file: path)
    }

    /// The warning for tensors of unknown size (no shape, or a symbolic
    /// dimension without a value), or `nil` when every size is known.
    /// Planning and verification count such tensors as 0 bytes, as
    /// `stowage inspect` does; a plan made so is valid only for that
    /// reading, so the user is told, with the dimensions to bind.
    /// O(tensors + shape dimensions).
    static func unknownSizeWarning(_ graph: Graph, file: String) -> String? {
        let unknown = graph.tensors.filter { $0.bytes == nil }.map(\.name)
        guard !unknown.isEmpty else { return nil }
        let shown = unknown.prefix(5).joined(separator: ", ") + (unknown.count > 5 ? ", …" : "")
        let symbols = graph.symbols
        let hint = symbols.isEmpty
            ? "give them shapes"
            : "bind \(symbols.joined(separator: ", ")) with --dim NAME=VALUE"
        return "warning: \(file): \(unknown.count) tensors of unknown size counted as 0 bytes (\(shown)); \(hint)"
    }
}
