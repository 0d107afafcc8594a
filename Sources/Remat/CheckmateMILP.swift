import MILP

/// The exact method over stage schedules: Checkmate's MILP
/// (``CheckmateFormulation``) solved by the given backend, warm-started
/// from the cheapest heuristic schedule that fits in stage form. Its bound
/// (the solver's dual bound) holds for every stage schedule in the given
/// order (``RematSolution/BoundScope/stages``); the schedule it returns is
/// decoded from the solution's R and evaluated again (peak and cost are
/// measured, not taken from the solver).
///
/// With a time limit (or a deadline) and a ``lnsShare`` above 0, that
/// share of the time goes first to ``CheckmateLNS`` from the warm start
/// (on the bundled graphs CBC spends a minute on the whole model's
/// preprocessing and root without improving its start, while the
/// neighbourhoods do); when the critical-moment relaxation's schedule is
/// not the cheapest start, the search runs from it first for
/// ``alternativeShare`` of that time. The search stops when it reaches the
/// covering or critical-moment bound: that bound then proves its schedule
/// optimal. When the search converges (its last window, every
/// position, solved to optimality) that is the answer, proved optimal;
/// otherwise the whole MILP starts from the best schedule it found, if at
/// least ``wholeModelSeconds`` are left.
///
/// Time and memory are the formulation's (O(n · (n + edges)) variables)
/// plus the solver's, stopped by ``options`` (time limit and deadline).
public struct CheckmateMILP: Sendable {
    public var solver: any Solver
    public var options: SolveOptions
    public var strengthenings: CheckmateFormulation.Strengthenings
    /// The share of the time (0 ... 1) for the large-neighbourhood search
    /// before the whole MILP; only with a time limit or a deadline.
    public var lnsShare: Double
    /// The share of the time (0 ... 1) for the covering bound
    /// (``StageCoverBound``) before the search; without a time limit it
    /// runs to optimality. 0 leaves it out (then the bound is the
    /// solver's and the stage knapsacks').
    public var coverShare: Double
    /// The share of the time (0 ... 1) left after the covering bound for
    /// the critical-moment relaxation (``CriticalMomentBound``), grown
    /// through ``criticalCounts`` critical stages while time remains; 0
    /// leaves it out.
    public var criticalShare: Double

    /// The numbers of critical stages tried in turn (the stages of largest deficit). Twenty were
    /// tried too: within a 60 s run they never raised the bound above ten's on the bundled graphs
    /// (VGG-16, U-Net, ResNet-18 at 0.9-0.6), and on U-Net at 0.6 five, ten and twenty prove the same
    /// optimum (twenty in 55 s), so the time goes to the search instead.
    public static let criticalCounts = [5, 10]
    public static let method = "checkmate"
    /// The share of the search's time spent first from the critical-moment relaxation's schedule when
    /// that is not the cheapest start; the rest goes to the search from the cheapest start (unless the
    /// first reached the bound), and the cheaper of the two ends is the answer. The relaxation's schedule often lies in a better basin than cheaper ones: on U-Net
    /// at 0.6 the search from it reaches the relaxation's bound (3.792 %, proved optimal over stage
    /// schedules) while from the LP rounding, 0.5 % cheaper to begin with, it stops at 6.04-6.26 %; on
    /// VGG-16 at 0.6 it is the other way round (5.85 % against 3.354 %), hence both.
    public static let alternativeShare = 0.4
    /// The relaxation's schedule is searched from first only when it costs at most this much more (relative)
    /// than the cheapest start: the better basins seen were 0.4 % (U-Net at 0.6) and 1.2 % (ResNet-18 at 0.7)
    /// dearer, while at the smallest budgets of ResNet-18 and U-Net it was 32 % and 27 % dearer and its
    /// share of the minute ended far above the cheapest start.
    public static let alternativeSlack = 0.05
    /// Below this many seconds left after the neighbourhood search, the whole MILP is not started.
    public static let wholeModelSeconds = 5.0

    public init(solver: any Solver = CBCSolver(), options: SolveOptions = SolveOptions(),
                strengthenings: CheckmateFormulation.Strengthenings = .all, lnsShare: Double = 0, coverShare: Double = 0,
                criticalShare: Double = 0) {
        self.solver = solver
        self.options = options
        self.strengthenings = strengthenings
        self.lnsShare = lnsShare
        self.coverShare = coverShare
        self.criticalShare = criticalShare
    }

    /// The cheapest of `candidates` that, turned into stage form
    /// (``StageSchedule``), fits the budget and is a solution of
    /// `formulation`: its stages and the solution's values.
    public static func warmStart(_ formulation: CheckmateFormulation, candidates: [RematEvaluation])
        -> (stages: [[Int]], evaluation: RematEvaluation, values: [Double])? {
        let problem = formulation.problem
        var best: (stages: [[Int]], evaluation: RematEvaluation, values: [Double])?
        for candidate in candidates where candidate.isValid {
            guard let raw = StageSchedule.stages(of: candidate.schedule, problem) else { continue }
            let stages = StageSchedule.canonical(raw, problem)
            let evaluation = problem.evaluate(formulation.schedule(of: stages))
            guard evaluation.fits(problem.budget), evaluation.cost < best?.evaluation.cost ?? .infinity,
                  let values = formulation.values(for: stages), formulation.model.violation(at: values) == nil else { continue }
            best = (stages, evaluation, values)
        }
        return best
    }

    public func plan(_ problem: RematProblem, warmStarts: [RematEvaluation] = []) throws(RematFailure) -> RematSolution {
        let formulation = CheckmateFormulation(problem, strengthenings: strengthenings)
        return try plan(formulation, warmStarts: warmStarts)
    }

    public func plan(_ formulation: CheckmateFormulation, warmStarts: [RematEvaluation] = []) throws(RematFailure) -> RematSolution {
        let problem = formulation.problem
        var start = Self.warmStart(formulation, candidates: warmStarts)
        let clock = Stopwatch()
        var covered: StageCoverBound.Outcome?
        var coverStart = false
        if coverShare > 0 {
            var coverOptions = options.sharing(coverShare, since: clock)
            coverOptions.warmStart = nil
            coverOptions.relativeGap = nil
            covered = StageCoverBound(solver: solver, options: coverOptions)
                .solve(problem, incumbent: start.map { StageCoverBound.recomputed($0.stages) })
        }
        // The covering solution, repaired into a schedule, is one more start when it is cheaper.
        if let cover = covered?.cover, let planned = StageCoverBound.plan(formulation, cover: cover),
           planned.cost < start?.evaluation.cost ?? .infinity, let better = Self.warmStart(formulation, candidates: [planned]) {
            start = better
            coverStart = true
        }
        let critical = criticalShare > 0 ? criticalBound(formulation, clock: clock, incumbent: start?.evaluation) : nil
        // What the relaxation keeps at the peaks, repaired into a schedule (for each solution it found, the
        // cheapest), is one more start when it is cheaper, and otherwise the search's first start (see alternativeShare).
        var criticalStart = false
        var alternative: (stages: [[Int]], evaluation: RematEvaluation, values: [Double])?
        let planned = (critical.map { [$0] + $0.others } ?? []).compactMap { outcome in
            outcome.resident.flatMap { CriticalMomentBound.plan(formulation, critical: outcome.critical, resident: $0) }
        }
        if let candidate = Self.warmStart(formulation, candidates: planned) {
            if candidate.evaluation.cost < start?.evaluation.cost ?? .infinity {
                start = candidate
                criticalStart = true
                coverStart = false
            } else {
                alternative = candidate
            }
        }
        // The covering or critical-moment bound may already prove the warm start optimal: then there is nothing to search.
        let proven = [covered?.bound, critical?.bound].compactMap { $0 }.max()
        func meetsBound(_ cost: Double?) -> Bool {
            guard let cost, let proven else { return false }
            return !CostTolerance.isAbove(cost, proven)
        }
        let startProved = meetsBound(start?.evaluation.cost)
        var searched: CheckmateLNS.Outcome?
        if lnsShare > 0, !startProved, let seed = start, options.secondsLeft(clock) != nil {
            var first: CheckmateLNS.Outcome?
            if let alternative, Self.alternativeShare > 0, alternative.evaluation.cost <= seed.evaluation.cost * (1 + Self.alternativeSlack) {
                var alternativeOptions = options.sharing(lnsShare * Self.alternativeShare, since: clock)
                alternativeOptions.relativeGap = nil
                first = CheckmateLNS(solver: solver, options: alternativeOptions).improve(formulation, from: alternative, target: proven)
            }
            // Then from the cheapest start in any case (its basin may be the better one, as on VGG-16 at 0.6),
            // unless the first search already reached the bound; the cheaper end is the answer.
            var second: CheckmateLNS.Outcome?
            if !meetsBound(first?.evaluation.cost) {
                var lnsOptions = options.sharing(lnsShare, since: clock)
                lnsOptions.relativeGap = nil
                second = CheckmateLNS(solver: solver, options: lnsOptions).improve(formulation, from: seed, target: proven)
            }
            let firstWins = first.map { first in first.evaluation.cost < second?.evaluation.cost ?? .infinity } ?? false
            // One of the two ran: the second runs unless the first reached the bound.
            if var outcome = firstWins ? first : second {
                if let other = firstWins ? second : first {
                    outcome.neighbourhoods += other.neighbourhoods
                    outcome.optimalNeighbourhoods += other.optimalNeighbourhoods
                    outcome.improvements += other.improvements
                    if firstWins { outcome.converged = false }
                }
                if firstWins, outcome.evaluation.cost < seed.evaluation.cost {
                    criticalStart = true
                    coverStart = false
                }
                start = (outcome.stages, outcome.evaluation, outcome.values)
                searched = outcome
            }
        }
        // The search stops when it reaches a stage bound: then that bound proves its schedule optimal.
        let searchProved = meetsBound(searched?.evaluation.cost)
        let result: SolveResult
        if startProved || searchProved, let start {
            result = SolveResult(status: .optimal, objective: start.evaluation.cost, bound: proven,
                                 seconds: 0, values: start.values, solver: solver.name,
                                 message: "a stage bound (covering or critical-moment) proves the \(searchProved ? "search's schedule" : "warm start") optimal")
        } else if let searched, searched.converged {
            // Its last window held every position: the whole MILP, solved to optimality from the incumbent.
            result = SolveResult(status: .optimal, objective: searched.evaluation.cost, bound: searched.evaluation.cost,
                                 seconds: 0, values: searched.values, solver: solver.name)
        } else if searched != nil, (options.secondsLeft(clock) ?? .infinity) < Self.wholeModelSeconds {
            // Too little time for the whole model's LP (it would only overrun the deadline).
            result = SolveResult(status: .noSolution, seconds: 0, solver: solver.name,
                                 message: "no time left for the whole MILP after the neighbourhood search")
        } else {
            var solveOptions = options
            solveOptions.timeLimit = options.secondsLeft(clock)
            if let start { solveOptions.warmStart = start.values }
            result = solver.solve(formulation.model, options: solveOptions)
        }
        var evaluation: RematEvaluation?
        if result.status.hasSolution {
            let decoded = problem.evaluate(formulation.schedule(of: formulation.stages(from: result.values)))
            if decoded.fits(problem.budget) { evaluation = decoded }
        }
        if let start, start.evaluation.cost < evaluation?.cost ?? .infinity { evaluation = start.evaluation }
        guard let evaluation else {
            if result.status == .infeasible {
                throw .notFound(method: Self.method, budget: problem.budget,
                                reason: "no stage schedule in the given order fits (proved by the MILP)")
            }
            throw .notFound(method: Self.method, budget: problem.budget,
                            reason: "the MILP found no schedule that fits (\(result.status.rawValue)\(result.message.map { ": \($0)" } ?? ""))")
        }
        // When a stage bound proved the start or the search's schedule optimal no MILP ran: the bound is that bound, named as such.
        let solverBound = startProved || searchProved ? nil : result.bound ?? (result.status == .optimal && options.relativeGap == nil ? result.objective : nil)
        // All hold for every stage schedule that fits: the largest one.
        let knapsack = covered?.knapsack ?? StageKnapsackBound.cost(problem)
        let strongest = RematSolution.strongest([(solverBound, .milp), (knapsack, .stageKnapsack), (covered?.coverBound, .cover),
                                                       (critical?.bound, .critical)])
        let bound = strongest?.bound
        var solution = RematSolution(method: Self.method, evaluation: evaluation, bound: bound.map { max(problem.baseCost, $0) },
                                     boundScope: bound == nil ? nil : .stages)
        solution.boundSource = strongest?.source
        solution.solverStatus = result.status.rawValue
        solution.objective = result.objective
        solution.variables = formulation.model.variableCount
        solution.rows = formulation.model.constraintCount
        solution.neighbourhoods = searched?.neighbourhoods
        solution.optimalNeighbourhoods = searched?.optimalNeighbourhoods
        solution.improvements = searched?.improvements
        solution.startFromCover = coverStart
        solution.startFromCritical = criticalStart
        return solution
    }

    /// ``CriticalMomentBound/grown(_:counts:incumbent:formulation:)`` with ``criticalShare`` of the time left.
    func criticalBound(_ formulation: CheckmateFormulation, clock: Stopwatch, incumbent: RematEvaluation?) -> CriticalMomentBound.Outcome? {
        var solve = options.sharing(criticalShare, since: clock)
        solve.cbc = CBCSearchSettings()  // CBC's defaults, as measured (Benchmarks remat-checkmate)
        return CriticalMomentBound(solver: solver, options: solve)
            .grown(formulation.problem, counts: Self.criticalCounts, incumbent: incumbent, formulation: formulation)
    }
}
