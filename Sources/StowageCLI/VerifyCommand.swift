import ArgumentParser
import Foundation
import MILP
import StowageKit
import Units

/// `stowage verify`: replay a plan against its model and report the first
/// thing wrong with it.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Replay a placement plan against its model and report the first violation.",
        discussion: """
            Checks, step by step, that every tensor an operator reads is \
            resident and intact, that no two live tensors overlap in an \
            addressed tier, that no tier exceeds its capacity, that operators \
            run after their producers and exactly once, that every graph \
            output ends in the home tier, and that each claimed metric is \
            the one the replay measures. --real-memory also runs the plan on \
            real byte arenas (when they fit under --memory-limit, default \
            1GiB) and compares the outputs with an execution with unlimited \
            memory. Exit codes: 0 the plan verifies, 1 it does not, 2 bad input.
            """
    )

    @Argument(help: "The model the plan was made for: .onnx or a Stowage JSON graph.")
    var graph: String

    @Argument(help: "The plan (JSON, as `stowage plan -o` writes it).")
    var plan: String

    @OptionGroup var graphOptions: GraphOptions

    @Flag(help: "Print one JSON object: passed, failure, metrics, mode, seconds.")
    var json = false

    @Flag(name: .customLong("real-memory"), help: "Also execute the plan on real byte arenas.")
    var realMemory = false

    @Option(name: .customLong("memory-limit"), parsing: .unconditional,
            help: "Most bytes the real arenas may take (default 1GiB; \(Units.ByteCount.grammar)); larger plans are verified symbolically.")
    var memoryLimit: String?

    @Option(name: .customLong("unknown-sizes"), help: "Tensors of unknown size: error (default) or zero (as the plan was made with).")
    var unknownSizes: PlanningOptions.UnknownSizes = .error

    func validate() throws {
        if memoryLimit != nil && !realMemory { throw ValidationError("--memory-limit needs --real-memory") }
    }

    func run() throws {
        let clock = Stopwatch()
        var options = VerificationOptions(realMemory: realMemory, dtypeBytes: graphOptions.dtypeBytes,
                                          dims: try graphOptions.symbols(), unknownSizes: unknownSizes)
        if let memoryLimit {
            do {
                options.memoryLimit = try Units.ByteCount.parse(memoryLimit)
            } catch {
                throw CommandFailure.badInput("--memory-limit: \(error)")
            }
        }
        let report: VerificationReport
        do {
            report = try Planner.verify(planAt: plan, modelAt: graph, options: options)
        } catch {
            throw CommandFailure(error)
        }
        let seconds = clock.seconds
        let output = VerifyOutput(report: report, seconds: seconds, planFile: plan, graphName: graph)
        print(json ? output.json : output.text)
        if let failure = report.failure {
            // The paragraph is on standard output already; a short line says why the exit code is 1.
            throw CommandFailure.noAnswer("\(plan): verification failed (\(failure.kind.rawValue))")
        }
    }
}

/// What `stowage verify` prints.
struct VerifyOutput {
    let report: VerificationReport
    let seconds: Double
    let planFile: String
    let graphName: String

    /// One paragraph: the verdict, where it broke and why, then the measured figures.
    var text: String {
        var lines: [String] = []
        if let failure = report.failure {
            var paragraph = "FAILED (\(failure.kind.rawValue)): \(planFile) against '\(graphName)'"
            if let step = failure.step { paragraph += ", step \(step)" }
            if let name = failure.operatorName { paragraph += ", operator '\(name)'" }
            paragraph += ": \(failure.message)."
            if !failure.tensors.isEmpty { paragraph += " Tensors: \(failure.tensors.joined(separator: ", "))." }
            if !failure.addresses.isEmpty {
                paragraph += " Addresses: " + failure.addresses.map { "[\($0.first ?? 0), \($0.last ?? 0))" }.joined(separator: ", ") + "."
            }
            lines.append(paragraph)
        } else {
            lines.append("OK: \(planFile) verifies against '\(graphName)' (\(report.stepsReplayed) steps, \(report.mode) mode, \(String(format: "%.3f", seconds)) s).")
        }
        if let note = report.note { lines.append("Note: \(note).") }
        // Partial figures of a failed replay would only distract, unless a figure is what failed.
        guard report.passed || report.failure?.kind == .metricMismatch else { return lines.joined(separator: "\n") }
        let m = report.metrics
        func figures(_ values: [String: Int]) -> String {
            values.isEmpty ? "none" : values.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        lines.append("Measured: peak bytes \(figures(m.peakBytes)); heights \(figures(m.heights)); bytes moved \(figures(m.bytesMoved)); compulsory \(m.compulsoryBytes), non-compulsory \(m.nonCompulsoryBytes).")
        return lines.joined(separator: "\n")
    }

    /// `{"passed", "failure": {kind, step, operator, tensors, addresses, message} | null, "metrics", "mode", "seconds", …}`.
    var json: String {
        let failure: Any = report.failure.map { f -> [String: Any] in
            [
                "kind": f.kind.rawValue, "step": f.step as Any? ?? NSNull(), "operator": f.operatorName as Any? ?? NSNull(),
                "tensors": f.tensors, "addresses": f.addresses, "message": f.message,
            ]
        } ?? NSNull()
        let m = report.metrics
        let metrics: [String: Any] = [
            "peakBytes": m.peakBytes, "heights": m.heights, "bytesMoved": m.bytesMoved,
            "compulsoryBytes": m.compulsoryBytes, "nonCompulsoryBytes": m.nonCompulsoryBytes,
        ]
        let object: [String: Any] = [
            "version": 1, "passed": report.passed, "failure": failure, "metrics": metrics, "mode": report.mode.description,
            "requestedMode": report.requestedMode.description, "note": report.note as Any? ?? NSNull(),
            "stepsReplayed": report.stepsReplayed, "seconds": seconds,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
