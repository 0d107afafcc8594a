import ArgumentParser
import Foundation
import OutputFiles
import MILP
import StowageKit
import Units

/// `stowage plan`: plan a model's tensors through a scratchpad. A thin
/// shell: the options become ``PlanningOptions``, StowageKit plans and
/// verifies, this prints and writes.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan where a model's tensors live in a scratchpad, and what moves to and from host memory.",
        discussion: """
            The scratchpad is a size (\(Units.ByteCount.grammar)) or a budget: M_R \
            (the largest operator's footprint), M_P (no spilling needed under \
            the file's order), M_H (halfway). The baseline keeps the file's \
            operator order, evicts by Belady (or LRU), and places addresses \
            with the offset allocator; the ILP chooses replacement optimally \
            for the file's order (--schedule fixed) or the order too \
            (--schedule free). Options the method would ignore are refused. \
            --time-limit is wall-clock for the whole command. Exit codes: 0 a \
            verified plan; 1 no plan (below M_R, nothing found in time); 2 \
            bad input; 3 an internal error.
            """
    )

    @Argument(help: "The model: .onnx, or a Stowage JSON graph.")
    var model: String

    @Option(parsing: .unconditional, help: "Scratchpad capacity: \(Units.ByteCount.grammar); or M_R, M_H, M_P.")
    var scratchpad: String

    @Option(help: "The planner: baseline or ilp.")
    var method: PlanningOptions.Method = .baseline

    @Option(help: "Replacement policy of the baseline: belady (default) or lru.")
    var policy: PlanningOptions.Policy?

    @Option(name: .customLong("schedule"), help: "For --method ilp: keep the file's operator order (fixed, default) or choose the order too (free).")
    var schedule: PlanningOptions.Schedule?

    @Option(help: "The solver for --method ilp: cbc (default) or glpk.")
    var solver: PlanningOptions.SolverKind?

    @Option(name: .customLong("time-limit"), parsing: .unconditional, help: "Wall-clock seconds for the whole command; the best verified plan found is returned.")
    var timeLimit: Double?

    @Option(parsing: .unconditional, help: "For --method ilp: stop once the relative gap to the bound is at most this (0.01 = 1%).")
    var gap: Double?

    @Option(parsing: .unconditional, help: "Scratchpad offsets are multiples of this many bytes.")
    var alignment: Int = 1

    @OptionGroup var graphOptions: GraphOptions

    @Option(name: .customLong("unknown-sizes"), help: "Tensors of unknown size: error (default) or zero (plan them as 0 bytes; the result lists them).")
    var unknownSizes: PlanningOptions.UnknownSizes = .error

    @Option(name: .shortAndLong, help: "Write the plan (JSON) to this file.")
    var output: String?

    @Flag(help: "Print the result as one JSON object (Schemas/plan-report.schema.json).")
    var json = false

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    var options: PlanningOptions {
        get throws {
            var options = PlanningOptions(method: method, policy: policy, schedule: schedule, solver: solver,
                                          timeLimit: ProcessAge.remaining(of: timeLimit), gap: gap, dtypeBytes: graphOptions.dtypeBytes,
                                          alignment: alignment, dims: try graphOptions.symbols(), unknownSizes: unknownSizes)
            if !quiet {
                options.progress = ProgressPrinter().callback
                options.report = { line in FileHandle.standardError.write(Data("stowage: \(line)\n".utf8)) }
            }
            return options
        }
    }

    func run() throws {
        let clock = Stopwatch()
        let options = try self.options
        let capacity: Capacity
        do {
            try options.check()
            capacity = try Capacity.parse(scratchpad)
            if let output { try OutputFile.check(output) }
        } catch let error as StowageError {
            throw CommandFailure(error)
        } catch {
            throw CommandFailure.badInput("\(error)")
        }
        let result: PlanningResult
        do {
            result = try Planner(options: options).plan(modelAt: model, capacity: capacity)
        } catch {
            if json { print(PlanningReport(failure: error, method: method.rawValue, seconds: clock.seconds).json) }
            throw CommandFailure(error)
        }
        if !result.assumedZeroBytes.isEmpty {
            FileHandle.standardError.write(Data("stowage: warning: \(model): \(result.assumedZeroBytes.count) tensors of unknown size planned as 0 bytes (--unknown-sizes zero)\n".utf8))
        }
        if let output {
            do { try OutputFile.write(result.json(pretty: true), to: output) } catch { throw CommandFailure.badInput(error.description) }
        }
        print(json ? result.report.json : PlanText(result.report).text)
    }
}

extension PlanningOptions.Method: ExpressibleByArgument {}
extension PlanningOptions.Policy: ExpressibleByArgument {}
extension PlanningOptions.Schedule: ExpressibleByArgument {}
extension PlanningOptions.SolverKind: ExpressibleByArgument {}
extension PlanningOptions.UnknownSizes: ExpressibleByArgument {}

/// The report for people: a few lines.
struct PlanText {
    let report: PlanningReport

    init(_ report: PlanningReport) { self.report = report }

    var text: String {
        func bytes(_ value: Int?) -> String { value.map { Units.ByteCount.text($0) + " (\($0) B)" } ?? "-" }
        let budgets = report.budgets ?? [:]
        var boundLine: String
        if let bound = report.bound {
            let scope = report.boundScope == "all-orders" ? "every order" : "this order"
            let verdict = report.optimal == true ? ", reached: optimal" : ", gap \(String(format: "%.2f%%", (report.gap ?? 0) * 100))"
            boundLine = "lower bound on non-compulsory traffic (\(scope)): \(Int(bound)) B" + verdict
            if let orderBound = report.orderBound, report.optimal != true {
                boundLine += "\nlower bound for this order: \(Int(orderBound)) B"
                    + ((report.orderGap ?? 1) == 0 ? ", reached" : String(format: ", gap %.2f%%", (report.orderGap ?? 0) * 100))
            }
        } else {
            boundLine = "no lower bound (heuristic)"
        }
        return """
            \(report.graph ?? "graph"): \(report.method ?? "-"), scratchpad \(bytes(report.capacity))
            peak resident \(bytes(report.peakBytes)), arena height \(bytes(report.height))
            traffic: compulsory \(bytes(report.compulsoryBytes)), non-compulsory \(bytes(report.nonCompulsoryBytes))
            budgets: M_R \(bytes(budgets["M_R"])), M_H \(bytes(budgets["M_H"])), M_P \(bytes(budgets["M_P"]))
            \(boundLine)
            planned and verified in \(String(format: "%.1f", report.seconds * 1000)) ms
            """
    }
}
