import ArgumentParser
import Foundation
import MILP
import MemoryGraph
import ModelImport
import Plan
import Scratchpad
import Verifier

/// `stowage plan`: plan a model's tensors through a scratchpad.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan where a model's tensors live in a scratchpad, and what moves to and from host memory.",
        discussion: """
            The scratchpad size takes units (2MiB, 512KiB, 1.5GB; KB/MB/GB are \
            powers of 1024 too) or a budget: M_R (the largest operator's \
            footprint), M_P (no spilling needed under the file's order), M_H \
            (halfway). The baseline keeps the file's operator order, evicts by \
            Belady (or LRU), and places addresses with the offset allocator.
            """
    )

    @Argument(help: "The model: .onnx, or a Stowage JSON graph.")
    var model: String

    @Option(help: "Scratchpad capacity: a size (2MiB) or M_R, M_H, M_P.")
    var scratchpad: String

    @Option(help: "The planner.")
    var method: Method = .baseline

    @Option(help: "Replacement policy of the baseline: belady or lru.")
    var policy: ReplacementPolicy = .belady

    @Option(help: "Scratchpad offsets are multiples of this many bytes.")
    var alignment: Int = 1

    @OptionGroup var graphOptions: GraphOptions

    @Option(name: .shortAndLong, help: "Write the plan (JSON) to this file.")
    var output: String?

    @Flag(help: "Print the metrics as one JSON object.")
    var json = false

    @Option(help: "The solver for --method ilp: cbc or glpk.")
    var solver: SolverChoice = .cbc

    @Option(name: .customLong("time-limit"), help: "Seconds the ILP may take; the best verified plan found is returned.")
    var timeLimit: Double?

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    @Option(name: .customLong("schedule"), help: "For --method ilp: keep the file's operator order (fixed) or choose the order too (free).")
    var scheduleChoice: ScheduleChoice = .fixed

    enum ScheduleChoice: String, ExpressibleByArgument, CaseIterable {
        case fixed, free
    }

    enum Method: String, ExpressibleByArgument, CaseIterable {
        /// File order, Belady or LRU, offset allocator.
        case baseline
        /// File order, optimal replacement by ILP, offset allocator.
        case ilp
    }

    func validate() throws {
        if alignment < 1 { throw ValidationError("--alignment must be positive") }
        if let timeLimit, !(timeLimit > 0) { throw ValidationError("--time-limit must be positive") }
    }

    func run() throws {
        let clock = Stopwatch()
        // One wall-clock budget for the whole command, import and output included.
        let deadline = Deadline(seconds: timeLimit)
        let graph = try graphOptions.loadGraph(model)
        let schedule = Schedule.default(for: graph)
        let probe = ScratchpadProblem(graph: graph, schedule: schedule, capacity: 0)
        let budgets = ScratchpadBudgets(probe)
        let capacity: Int
        if let named = budgets.named(scratchpad) {
            capacity = named
        } else if let size = ByteSize(argument: scratchpad), size.bytes >= 1 {
            capacity = Int(size.bytes)
        } else {
            throw CommandFailure.badInput("--scratchpad: '\(scratchpad)' is neither a size (2MiB) nor M_R, M_H, M_P")
        }
        let problem = probe.with(capacity: capacity, alignment: alignment)
        let plan: Plan
        var boundScope: String?
        var orderBound: Double?
        var methodName = BaselinePlanner(policy: policy).method
        do {
            switch method {
            case .baseline:
                plan = try BaselinePlanner(policy: policy).plan(problem, deadline: deadline)
            case .ilp:
                var options = SolveOptions()
                if !quiet { options.progress = ProgressPrinter().callback }
                switch scheduleChoice {
                case .fixed:
                    var planner = ILPPlanner(solver: solver.solver, options: options)
                    if !quiet { planner.report = { line in FileHandle.standardError.write(Data("stowage: \(line)\n".utf8)) } }
                    methodName = planner.method
                    plan = try planner.plan(problem, deadline: deadline).plan
                    boundScope = "order"
                case .free:
                    var planner = FreeSchedulePlanner(solver: solver.solver, options: options)
                    if !quiet { planner.report = { line in FileHandle.standardError.write(Data("stowage: \(line)\n".utf8)) } }
                    methodName = planner.method
                    let outcome = try planner.plan(problem, deadline: deadline)
                    plan = outcome.plan
                    boundScope = outcome.boundCoversAllOrders ? "all-orders" : "order"
                    orderBound = outcome.orderBound
                }
            }
        } catch {
            if json { print(PlanReport(failedWith: error, method: methodName, capacity: capacity, budgets: budgets).json) }
            throw CommandFailure.noAnswer("\(graph.name): \(error) (M_R = \(budgets.minimum), M_H = \(budgets.half), M_P = \(budgets.noSpill) bytes)")
        }
        // Every plan is replayed before anyone sees it; a failure is a bug.
        let verification = Verifier.verify(plan, against: graph)
        if let failure = verification.failure {
            throw CommandFailure.noAnswer("internal error: the \(plan.method) plan failed verification: \(failure)")
        }
        let seconds = clock.seconds
        if let output { try Self.write(plan, to: output) }
        var report = PlanReport(plan: plan, capacity: capacity, budgets: budgets, seconds: seconds, boundScope: boundScope)
        report.orderBound = orderBound
        print(json ? report.json : report.text(graph: graph.name))
    }

    static func write(_ plan: Plan, to path: String) throws {
        do { try PlanCodec.write(plan, to: path) } catch { throw CommandFailure.badInput(error.description) }
    }
}

extension ReplacementPolicy: ExpressibleByArgument {}

/// What `stowage plan` prints.
struct PlanReport: Encodable {
    let feasible: Bool
    let method: String
    let capacity: Int
    let peakBytes: Int?
    let height: Int?
    let compulsoryBytes: Int?
    let nonCompulsoryBytes: Int?
    let budgets: [String: Int]
    let bound: Double?
    /// Whom the bound covers: "order" (every plan in the plan's operator
    /// order) or "all-orders" (every plan in any order).
    let boundScope: String?
    /// With the order free: a lower bound for the plan's own order (the
    /// fixed-order ILP's), beside `bound`, which covers every order.
    var orderBound: Double?
    let seconds: Double
    let message: String?

    var orderGap: Double? {
        guard let orderBound, let traffic = nonCompulsoryBytes else { return nil }
        return relativeGap(Double(traffic), min(orderBound, Double(traffic)))
    }

    var gap: Double? {
        guard let bound, let traffic = nonCompulsoryBytes else { return nil }
        return relativeGap(Double(traffic), bound)
    }

    var optimal: Bool? {
        guard let bound, let traffic = nonCompulsoryBytes else { return nil }
        return Double(traffic) <= bound + 0.5
    }

    init(plan: Plan, capacity: Int, budgets: ScratchpadBudgets, seconds: Double, boundScope: String? = nil) {
        feasible = true
        method = plan.method
        self.capacity = capacity
        peakBytes = plan.metrics.peakBytes[plan.computeTier]
        height = plan.metrics.heights[plan.computeTier]
        compulsoryBytes = plan.metrics.compulsoryBytes
        nonCompulsoryBytes = plan.metrics.nonCompulsoryBytes
        self.budgets = ["M_R": budgets.minimum, "M_H": budgets.half, "M_P": budgets.noSpill]
        bound = plan.metrics.bound
        self.boundScope = plan.metrics.bound == nil ? nil : boundScope
        self.seconds = seconds
        message = nil
    }

    init(failedWith error: Error, method: String, capacity: Int, budgets: ScratchpadBudgets) {
        feasible = false
        self.method = method
        self.capacity = capacity
        peakBytes = nil
        height = nil
        compulsoryBytes = nil
        nonCompulsoryBytes = nil
        self.budgets = ["M_R": budgets.minimum, "M_H": budgets.half, "M_P": budgets.noSpill]
        bound = nil
        boundScope = nil
        seconds = 0
        message = "\(error)"
    }

    enum CodingKeys: String, CodingKey {
        case feasible, method, capacity, peakBytes, height, compulsoryBytes, nonCompulsoryBytes, budgets, bound, boundScope, gap, optimal,
             orderBound, orderGap, seconds, message
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(feasible, forKey: .feasible)
        try c.encode(method, forKey: .method)
        try c.encode(capacity, forKey: .capacity)
        try c.encode(peakBytes, forKey: .peakBytes)
        try c.encode(height, forKey: .height)
        try c.encode(compulsoryBytes, forKey: .compulsoryBytes)
        try c.encode(nonCompulsoryBytes, forKey: .nonCompulsoryBytes)
        try c.encode(budgets, forKey: .budgets)
        try c.encode(bound, forKey: .bound)
        try c.encode(boundScope, forKey: .boundScope)
        try c.encode(gap, forKey: .gap)
        try c.encode(optimal, forKey: .optimal)
        try c.encodeIfPresent(orderBound, forKey: .orderBound)
        try c.encodeIfPresent(orderGap, forKey: .orderGap)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(message, forKey: .message)
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    func text(graph: String) -> String {
        func bytes(_ value: Int?) -> String { value.map { ByteSize(bytes: Double($0)).description + " (\($0) B)" } ?? "-" }
        return """
            \(graph): \(method), scratchpad \(bytes(capacity))
            peak resident \(bytes(peakBytes)), arena height \(bytes(height))
            traffic: compulsory \(bytes(compulsoryBytes)), non-compulsory \(bytes(nonCompulsoryBytes))
            budgets: M_R \(bytes(budgets["M_R"])), M_H \(bytes(budgets["M_H"])), M_P \(bytes(budgets["M_P"]))
            \(bound.map { "lower bound on non-compulsory traffic (\(boundScope == "all-orders" ? "every order" : "this order")): \(Int($0)) B" + (optimal == true ? ", reached: optimal" : ", gap \(String(format: "%.2f%%", (gap ?? 0) * 100))") } ?? "no lower bound (heuristic)")\(orderBound.map { optimal == true ? "" : "\nlower bound for this order: \(Int($0)) B" + ((orderGap ?? 1) == 0 ? ", reached" : String(format: ", gap %.2f%%", (orderGap ?? 0) * 100)) } ?? "")
            planned in \(String(format: "%.1f", seconds * 1000)) ms
            """
    }
}
