import ArgumentParser
import Foundation
import MILP
import OutputFiles
import StowageKit
import Units

/// `stowage remat`: what to keep and what to recompute so that a training
/// graph runs in an activation budget. A thin shell over
/// ``Planner/remat(modelAt:budget:options:)``.
struct RematCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remat",
        abstract: "Plan what a training graph keeps and recomputes to run in a memory budget.",
        discussion: """
            The budget is for activations (graph inputs and weights are \
            resident throughout and counted apart): a size (\(Units.ByteCount.grammar)) \
            or a fraction of the peak of keeping everything, written with a \
            decimal point (0.7). Operator costs are the graph's "cost" \
            fields (1 each when absent); the overhead is the extra compute \
            over one forward and backward pass. Methods: auto (the \
            heuristics, then an exact MILP when the graph is small enough), \
            exact (a MILP over every schedule with at most two executions \
            per operator on tiny graphs, checkmate above), checkmate \
            (Checkmate's MILP over stage schedules in the given order), lp \
            (its LP relaxation, rounded: a bound and a fast plan), chen, \
            torch-knapsack, greedy, griewank (revolve, on a forward chain \
            mirrored by a backward chain only), keep-all. \
            --time-limit is wall-clock for the whole command. Exit codes: 0 \
            a verified plan; 1 no plan (below the smallest budget that can \
            be proven necessary, which the message names, or none found); \
            2 bad input; 3 an internal error.
            """
    )

    @Argument(help: "The training graph: a Stowage JSON graph (operators with cost and phase) or an ONNX model.")
    var model: String

    @Option(parsing: .unconditional, help: "Activation budget: \(Units.ByteCount.grammar); a fraction of the keep-everything peak (0.7); or min (the smallest budget the method plans in, by bisection).")
    var budget: String

    @Option(help: "auto, exact, checkmate, lp, chen, torch-knapsack, greedy, griewank or keep-all.")
    var method: String = "auto"

    @Option(help: "The MILP solver of auto, exact, checkmate and lp: cbc (default) or glpk.")
    var solver: PlanningOptions.SolverKind?

    @Option(name: .customLong("time-limit"), parsing: .unconditional, help: "Wall-clock seconds for the whole command; the best verified plan found is returned.")
    var timeLimit: Double?

    @Option(parsing: .unconditional, help: "auto, exact and checkmate: stop once the relative gap to the bound is at most this (0.01 = 1%).")
    var gap: Double?

    @Option(name: .customLong("dim"), help: "Bind a symbolic dimension, e.g. --dim batch=1 (repeatable).")
    var dims: [String] = []

    @Option(name: .customLong("cost-attribute"), help: "networkx node-link graphs: the node attribute with an operator's cost (default cost, or cost_cpu).")
    var costAttribute: String?

    @Option(name: .customLong("bytes-attribute"), help: "networkx node-link graphs: the node attribute with its output's bytes (default bytes, or cost_ram).")
    var bytesAttribute: String?

    @Flag(help: "Allow spills to host memory (greedy, exact, auto): a value may be stored after it is made and loaded back before a later read; copies cost bytes / host link bandwidth and do not overlap compute. Needs --hardware.")
    var spill = false

    @Option(help: "With --spill: a hardware profile (file or built-in name, as for stowage offload) whose host link prices the copies.")
    var hardware: String?

    @Option(name: .customLong("cost-unit"), help: "With --spill: the unit of the graph's operator costs: s, ms, us (default, the bundled training graphs') or ns.")
    var costUnit: String?

    @Option(name: .customLong("unknown-sizes"), help: "Tensors of unknown size: error (default) or zero.")
    var unknownSizes: PlanningOptions.UnknownSizes = .error

    @Option(name: .shortAndLong, help: "Write the plan (JSON) to this file.")
    var output: String?

    @Flag(help: "Print the result as one JSON object (Schemas/remat-report.schema.json).")
    var json = false

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    func run() throws {
        let clock = Stopwatch()
        // Parsed here rather than by ArgumentParser, so that a bad name is one line (exit 2).
        guard let methodKind = RematOptions.Method(rawValue: method) else {
            let known = RematOptions.Method.allCases.map(\.rawValue).joined(separator: ", ")
            throw CommandFailure.badInput("--method: unknown method '\(method)' (known: \(known))")
        }
        var options = RematOptions(method: methodKind, solver: solver, timeLimit: ProcessAge.remaining(of: timeLimit), gap: gap, unknownSizes: unknownSizes)
        options.costAttribute = costAttribute
        options.bytesAttribute = bytesAttribute
        options.spill = spill
        options.hardware = hardware
        if let costUnit {
            guard let unit = RematOptions.CostUnit(rawValue: costUnit) else {
                throw CommandFailure.badInput("--cost-unit: unknown unit '\(costUnit)' (known: s, ms, us, ns)")
            }
            guard spill else { throw CommandFailure.badInput("--cost-unit: prices spills; it applies with --spill only") }
            options.costUnit = unit
        }
        let parsedBudget: RematBudget
        do {
            options.dims = try GraphOptions.parse(dims: dims)
            try options.check()
            parsedBudget = try RematBudget.parse(budget)
            if let output { try OutputFile.check(output) }
        } catch let error as StowageError {
            throw CommandFailure(error)
        } catch {
            throw CommandFailure.badInput("\(error)")
        }
        if !quiet { options.progress = ProgressPrinter().callback }
        let result: RematResult
        do {
            result = try Planner().remat(modelAt: model, budget: parsedBudget, options: options)
        } catch {
            if json { print(RematReport(failure: error, method: method, seconds: clock.seconds).json) }
            throw CommandFailure(error)
        }
        if let output {
            do { try OutputFile.write(result.json(pretty: true), to: output) } catch { throw CommandFailure.badInput(error.description) }
        }
        print(json ? result.report.json : RematText(result.report).text)
    }
}

/// The report for people: a few lines.
struct RematText {
    let report: RematReport

    init(_ report: RematReport) { self.report = report }

    var text: String {
        func bytes(_ value: Int?) -> String { value.map { Units.ByteCount.text($0) + " (\($0) B)" } ?? "-" }
        func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", $0 * 100) } ?? "-" }
        let scope: String
        switch report.boundScope {
        case "all-schedules": scope = "every schedule"
        case "capped-executions": scope = "every schedule with at most two executions per operator"
        case "stages": scope = "every stage schedule in the given order"
        default: scope = "-"
        }
        let verdict = report.optimal == true ? "optimal" : "gap \(percent(report.gap))"
        let search = report.smallestPlannedBytes.map {
            "smallest budget found by bisection: \(bytes($0)); proven necessary: \(bytes(report.minimumBytes))\n"
        } ?? ""
        let spilled = (report.spilledBytes ?? 0) > 0
            ? " + copies \(report.transferCost.map { String(format: "%.6g", $0) } ?? "-") (\(bytes(report.spilledBytes)) stored to host)" : ""
        return search + """
            \(report.graph ?? "graph"): \(report.method ?? "-"), budget \(bytes(report.budgetBytes)) (keeping everything peaks at \(bytes(report.keepAllPeakBytes)))
            peak \(bytes(report.peakBytes)), \(report.recomputations ?? 0) recomputations
            compute \(report.computeCost.map { String(format: "%.6g", $0) } ?? "-")\(spilled) vs \(report.baseCost.map { String(format: "%.6g", $0) } ?? "-") for one pass: overhead \(percent(report.overhead))
            lower bound on the overhead (\(scope)): \(percent(report.overheadBound)), \(verdict)
            planned and verified in \(String(format: "%.1f", report.seconds * 1000)) ms
            """
    }
}
