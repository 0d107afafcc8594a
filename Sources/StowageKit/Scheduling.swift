import ArenaSchedule
import MILP
import Verifier

extension Planner {
    /// The smallest arena `graph` can run in: an operator order and an
    /// offset for every tensor (a single-tier plan), with a lower bound
    /// that holds for every order.
    ///
    /// Heuristic orders first (the given one, an XLA-like list scheduler,
    /// an Inductor-like reordering), then, by ``ScheduleOptions/method``,
    /// the exact minimum-peak search over down-sets and, or, the order ILP
    /// (through GLPK or CBC); the orders are packed by the offset
    /// allocator, other orders of the same peak tried while the arena
    /// reaches above the bound, and small graphs get the joint order and
    /// address ILP. The answer is never above the given order's packing.
    /// - Returns: the plan, replayed by the verifier, and its figures.
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` for bad
    ///   options or a tensor of unknown size;
    ///   ``StowageError/solverFailure(reason:)`` if the tensors cannot be
    ///   packed (sizes beyond 64 bits);
    ///   ``StowageError/verificationFailed(method:reason:)`` if the plan
    ///   fails the verifier (a bug in Stowage).
    ///
    /// Time: bounded by ``ScheduleOptions/timeLimit`` (and the search's
    /// state limit); memory: see ``ScheduleOptions/maxStates``.
    public func schedule(_ graph: Graph, options: ScheduleOptions = ScheduleOptions()) throws(StowageError) -> ScheduleResult {
        try options.check()
        return try schedule(graph, options: options, deadline: Deadline(seconds: options.timeLimit),
                            source: "graph '\(graph.name)'")
    }

    /// Imports a model file (see ``loadGraph(contentsOf:symbols:)``) and
    /// schedules it (see ``schedule(_:options:)``); the time limit counts
    /// the import too.
    public func schedule(modelAt path: String, options: ScheduleOptions = ScheduleOptions(),
                         symbols: [String: Int] = [:]) throws(StowageError) -> ScheduleResult {
        try options.check()
        let deadline = Deadline(seconds: options.timeLimit)
        let graph = try Self.loadGraph(contentsOf: path, symbols: symbols)
        return try schedule(graph, options: options, deadline: deadline, source: path)
    }

    func schedule(_ input: Graph, options: ScheduleOptions, deadline: Deadline, source: String) throws(StowageError) -> ScheduleResult {
        var sizing = self
        sizing.options.dtypeBytes = options.dtypeBytes
        let graph = try sizing.prepare(input, source: source).graph
        let method: ScheduleMethod
        switch options.method {
        case .auto: method = .auto
        case .dp: method = .dp
        case .ilp: method = .ilp
        case .heuristic: method = .heuristic
        }
        let scheduler = ArenaScheduler(options: ArenaScheduleOptions(
            method: method, solver: options.solver.solver, deadline: deadline, maxStates: options.maxStates, report: options.progress))
        let result: ArenaScheduleResult
        do {
            result = try scheduler.schedule(graph)
        } catch {
            throw .solverFailure(reason: error.description)
        }
        // Every plan is replayed before anyone sees it; a failure is a bug.
        let report = Verifier.verify(result.plan, against: graph)
        if let failure = report.failure {
            throw .verificationFailed(method: result.plan.method, reason: failure.description)
        }
        return ScheduleResult(
            plan: result.plan, graph: graph, peakBytes: result.peak, height: result.height, lowerBound: result.lowerBound,
            minimumPeak: result.minimumPeak, peakLowerBound: result.peakLowerBound, fileOrderPeak: result.givenOrder.peak,
            fileOrderHeight: result.givenOrder.height, method: result.method, methodsRun: result.methodsRun,
            allocator: result.packing.allocator, heuristicPeaks: result.heuristicPeaks, bounds: result.bounds,
            states: result.search?.states, stop: result.search?.stop?.rawValue, seconds: deadline.elapsed)
    }
}
