import ArgumentParser
import Foundation
import MemoryGraph
import ModelImport

/// Options every command that reads a model graph shares: symbolic
/// dimension bindings and the element size of floating-point data.
struct GraphOptions: ParsableArguments {
    @Option(name: .customLong("dim"), help: "Bind a symbolic dimension, e.g. --dim batch=1 (repeatable).")
    var dims: [String] = []

    @Option(name: .customLong("dtype-bytes"), parsing: .unconditional, help: "Count every floating-point element as B bytes (1 for 8-bit accelerators).")
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
}
