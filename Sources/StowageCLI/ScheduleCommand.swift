import ArgumentParser
import Foundation
import MILP
import OutputFiles
import Plan
import StowageKit
import Units

/// `stowage schedule`: the operator order and offsets of the smallest arena.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Choose the operator order and the offsets of the smallest arena a model runs in, with a lower bound for every order.",
        discussion: """
            The arena holds every operator output from its producer to its \
            last reader (graph outputs to the end); graph inputs and weights \
            are the caller's. The plan (-o) has one addressed tier, 'arena', \
            and no copies. Methods: heuristic (the given order, an XLA-like \
            list scheduler, an Inductor-like reordering: the best of them), dp \
            (exact minimum-peak search over down-sets), ilp (the order ILP, \
            and the joint order-and-address ILP on small graphs), auto (all \
            of them as needed). Without --time-limit the search runs to its \
            state limit and each ILP for at most 60 s.
            """
    )

    @Argument(help: "The model: .onnx, or a Stowage JSON graph.")
    var model: String

    @Option(help: "auto, dp, ilp or heuristic.")
    var method: ScheduleOptions.Method = .auto

    @Option(name: .customLong("time-limit"), parsing: .unconditional, help: "Wall-clock seconds for the whole command; the best verified answer found by then is returned.")
    var timeLimit: Double?

    @Option(help: "The ILP backend: cbc or glpk.")
    var solver: PlanningOptions.SolverKind = .cbc

    @Option(name: .customLong("max-states"), parsing: .unconditional, help: "States the exact search may hold at once (memory: about 100 bytes each).")
    var maxStates: Int = 4_000_000

    @OptionGroup var graphOptions: GraphOptions

    @Option(name: .shortAndLong, help: "Write the plan (JSON) to this file.")
    var output: String?

    @Flag(help: "Print the figures as one JSON object (Schemas/schedule.schema.json).")
    var json = false

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    func run() throws {
        var options = ScheduleOptions(method: method, solver: solver, timeLimit: ProcessAge.remaining(of: timeLimit), dtypeBytes: graphOptions.dtypeBytes,
                                      maxStates: maxStates)
        if !quiet { options.progress = { line in FileHandle.standardError.write(Data("stowage: \(line)\n".utf8)) } }
        let symbols = try graphOptions.symbols()
        if let output {
            do { try OutputFile.check(output) } catch { throw CommandFailure.badInput(error.description) }
        }
        let result: ScheduleResult
        do {
            result = try Planner().schedule(modelAt: model, options: options, symbols: symbols)
        } catch {
            throw CommandFailure(error)
        }
        if let output {
            do { try OutputFile.write(PlanCodec.encode(result.plan, pretty: true), to: output) } catch { throw CommandFailure.badInput(error.description) }
        }
        print(json ? String(decoding: result.json(), as: UTF8.self) : Self.text(result))
    }

    static func text(_ r: ScheduleResult) -> String {
        func bytes(_ value: Int) -> String { Units.ByteCount.text(value) + " (\(value) B)" }
        let verdict = r.optimal ? "optimal" : "gap \(String(format: "%.2f%%", r.gap * 100))"
        return """
            \(r.graph.name): \(r.graph.operators.count) operators, order by \(r.method), offsets by \(r.allocator)
            arena height \(bytes(r.height)), peak \(bytes(r.peakBytes)); lower bound (every order) \(bytes(r.lowerBound)): \(verdict)
            given order: peak \(bytes(r.fileOrderPeak)), packed height \(bytes(r.fileOrderHeight))
            smallest peak found \(bytes(r.minimumPeak)), bound \(bytes(r.peakLowerBound))\(r.stop.map { "; the search stopped at its \($0)" } ?? "")
            scheduled in \(String(format: "%.1f", r.seconds * 1000)) ms
            """
    }
}

extension ScheduleOptions.Method: ExpressibleByArgument {}
