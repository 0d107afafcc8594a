import MILP
import ModelImport
import Remat
import Verifier

extension Planner {
    /// Plans a training graph in an activation budget: what to keep and
    /// what to recompute, at the least extra compute the method finds. See
    /// the Remat module for the memory model (graph inputs and weights are
    /// resident throughout and outside the budget).
    /// - Parameters:
    ///   - graph: a graph whose operators carry `cost` (1 each when absent)
    ///     and, for training graphs, `phase`.
    ///   - budget: bytes, or a fraction of the keep-everything peak.
    ///   - options: method, solver, time limit (wall clock for the call).
    /// - Returns: the plan, verified against the graph, and its figures.
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` for bad
    ///   options or a tensor of unknown size; ``StowageError/infeasible(capacity:reason:)``
    ///   below the smallest budget that can be proven necessary (named in
    ///   the message) or when the method finds no schedule;
    ///   ``StowageError/verificationFailed(method:reason:)`` for a plan the
    ///   verifier rejects (a bug).
    public func remat(_ graph: Graph, budget: RematBudget, options: RematOptions) throws(StowageError) -> RematResult {
        try options.check()
        return try remat(graph, budget: budget, options: options, source: "graph '\(graph.name)'",
                         deadline: Deadline(seconds: options.timeLimit))
    }

    /// As ``remat(_:budget:options:)`` for a model file (a Stowage JSON
    /// graph, a networkx node-link graph or an ONNX model); the time limit
    /// covers the import.
    public func remat(modelAt path: String, budget: RematBudget, options: RematOptions) throws(StowageError) -> RematResult {
        try options.check()
        let deadline = Deadline(seconds: options.timeLimit)
        let attributes = NodeLinkGraph.Options(costKey: options.costAttribute, bytesKey: options.bytesAttribute)
        return try remat(try Self.loadGraph(contentsOf: path, symbols: options.dims, nodeLink: attributes), budget: budget, options: options,
                         source: path, deadline: deadline)
    }

    func remat(_ input: Graph, budget: RematBudget, options: RematOptions, source: String,
               deadline: Deadline) throws(StowageError) -> RematResult {
        let sizing = Planner(options: PlanningOptions(dims: options.dims, unknownSizes: options.unknownSizes))
        let graph = try sizing.prepare(input, source: source).graph
        var base: RematProblem
        do {
            base = try RematProblem(graph: graph, budget: 0)
        } catch {
            throw .badInput(source: source, location: nil, reason: error.description)
        }
        base.spill = try options.spillCosts()
        let keepAll = base.keepAllPeak
        let search = RematBudgetSearch(base: base, keepAllPeak: keepAll, options: options, deadline: deadline, source: source)
        let problem: RematProblem
        let solution: RematSolution
        var smallestPlanned: Int?
        switch budget {
        case .minimum:
            (problem, solution) = try search.smallest()
            smallestPlanned = problem.budget
        case .bytes, .fraction:
            problem = base.with(budget: budget.resolved(keepAllPeak: keepAll))
            do {
                solution = try RematRun(options: options, deadline: deadline, source: source).plan(problem)
            } catch {
                throw search.explained(error, at: problem.budget)
            }
        }
        let plan = RematPlanAssembly.plan(problem, solution.evaluation, method: solution.method, objective: solution.objective,
                                          bound: solution.bound, solverStatus: solution.solverStatus)
        let report = Verifier.verify(plan, against: graph)
        if let failure = report.failure {
            throw .verificationFailed(method: plan.method, reason: failure.description)
        }
        let spilled = plan.metrics.bytesMoved.filter { $0.key.hasPrefix(RematPlanAssembly.deviceTier + "->") }.values.reduce(0, +)
        var result = RematResult(plan: plan, graph: graph, budgetBytes: problem.budget, keepAllPeakBytes: keepAll,
                                 minimumBytes: problem.provenMinimum.bytes, peakBytes: report.metrics.peakBytes[RematPlanAssembly.deviceTier] ?? 0,
                                 baseCost: problem.baseCost, computeCost: solution.evaluation.computeCost, bound: solution.bound,
                                 boundScope: solution.boundScope?.rawValue, recomputations: solution.evaluation.recomputations,
                                 spilledBytes: spilled, method: solution.method, variables: solution.variables, rows: solution.rows,
                                 stepsVerified: report.stepsReplayed, seconds: deadline.elapsed)
        result.smallestPlannedBytes = smallestPlanned
        result.transferCost = solution.evaluation.transferCost
        result.boundSource = solution.boundSource?.rawValue
        if let windows = solution.neighbourhoods {
            result.search = RematSearchCounts(windows: windows, proved: solution.optimalNeighbourhoods ?? 0, improved: solution.improvements ?? 0,
                                              fromCover: solution.startFromCover, fromCritical: solution.startFromCritical)
        }
        return result
    }
}
