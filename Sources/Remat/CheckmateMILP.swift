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
/// neighbourhoods do); when the critical-moment relaxation gives schedules
/// other than the cheapest start, the search probes each of them and the
/// cheapest start before it goes on from the best
/// (``search(_:from:bound:clock:)``). The search stops when it reaches the
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
    /// The most starts the search probes (``search(_:from:bound:clock:)``): up to three of the
    /// critical-moment relaxation's schedules (its few-stage search, its five and ten stages, a
    /// refinement) and the cheapest start. 1: the cheapest start alone (the `remat-starts` benchmark
    /// compares the two).
    public var maximumStarts = 4

    /// The numbers of critical stages tried in turn (the stages of largest deficit). Twenty were
    /// tried too: within a 60 s run they never raised the bound above ten's on the bundled graphs
    /// (VGG-16, U-Net, ResNet-18 at 0.9-0.6), and on U-Net at 0.6 five, ten and twenty prove the same
    /// optimum (twenty in 55 s), so the time goes to the search instead.
    public static let criticalCounts = [5, 10]
    public static let method = "checkmate"
    /// The share of the time for the large-neighbourhood search (``CheckmateLNS``) before the whole MILP
    /// in ``asAuto(solver:options:)``: all of it. The search stops early when it converges (then its answer
    /// is proved optimal); on the bundled graphs the whole MILP's LP alone takes longer than what a share
    /// would leave it, and stopping it ran past the deadline (60.3 s for a 60 s limit on VGG-16 at 0.7).
    public static let autoLNSShare = 1.0
    /// The share of the time for the covering bound (``StageCoverBound``) before the search in
    /// ``asAuto(solver:options:)``.
    public static let autoCoverShare = 0.15
    /// The share of the time left after the cover for the critical-moment relaxation
    /// (``CriticalMomentBound``) before the search in ``asAuto(solver:options:)``. 0.25 until the
    /// relaxation's stages were refined where its schedule runs operators again: in 0.25 of a 60 s run
    /// that refinement did not get past its first stage on ResNet-18 at 0.6, in 0.4 it reaches the
    /// schedule from which the search proves 4.100 % optimal (6.783 % with 0.25), while the searches it
    /// takes time from mostly end early now.
    public static let autoCriticalShare = 0.4

    /// The method as `stowage remat --method auto` runs it on graphs within the MILP's size (and the
    /// `remat-starts` benchmark): the shares above, and CBC without its Cgl preprocessing, which took
    /// the whole minute on the bundled graphs (133 s on VGG-16 at 0.8 before the root) and whose
    /// postprocessing crashed once on a stopped neighbourhood.
    public static func asAuto(solver: any Solver = CBCSolver(), options: SolveOptions) -> CheckmateMILP {
        var options = options
        options.cbc.preprocessing = false
        return CheckmateMILP(solver: solver, options: options, lnsShare: autoLNSShare, coverShare: autoCoverShare,
                             criticalShare: autoCriticalShare)
    }

    /// A stage schedule with the formulation's solution for it: where a search starts.
    public typealias Start = (stages: [[Int]], evaluation: RematEvaluation, values: [Double])
    /// The share of the search's time that the probes take together when there is more than one start; the
    /// rest continues from the cheapest end. The cheapest start is often not the best basin: on U-Net at its
    /// smallest budget (release, 12 s from each start, the other core busy) the schedule of the relaxation
    /// that gives the bound, at 53 % over the base cost, reached 11.278 % (that bound) in 9.6 s, the cheapest
    /// start (LP rounding, 26 %) 16.3 %; on ResNet-18 at its smallest the schedule of the ten-stage
    /// relaxation reached 6.83 % where the cheapest stopped at 7.80 %.
    public static let probeShare = 0.8
    /// Positions (and stages) in the first windows of the probes and of the search after them, instead of
    /// ``CheckmateLNS``' eight: on U-Net at its smallest budget the first window of eight positions runs to
    /// its six seconds without an improvement, a large part of a probe. With probes of eight or with
    /// neighbourhoods cut to a third of the probe, U-Net's smallest budget ended at 14.4 % in three of
    /// four 60 s runs; with five, 11.3-12.2 % in five of five.
    public static let probeWidth = 5
    /// A probe still improving at the end of its share goes on, up to this many shares, for as long as it
    /// improves at least once in every ``probePatience`` of a share; the probes after it keep at least half
    /// a share each. The probes' ends depend on timing: on U-Net at its smallest budget the probe from the
    /// relaxation's schedule (53 % over the base cost) takes the same steps in every run, but one window
    /// solves in 1.4 s in one run and 2.5 s in another, and a probe cut at its share (6.4 s) while still
    /// improving ended at 11.4 %, 12.9 % or 14.3 %; the search then went on from another probe's end and
    /// stopped at 12.882 % (gap 1.42 %) in 7 of 36 runs of 60 s. Stretched, that probe ends at 11.278 %
    /// or 12.079 % (where it stalls) in 7-12 s, and 16 of 16 runs were within 1 % (the other cells as
    /// before).
    ///
    /// Only a probe whose incumbent is below every earlier probe's end stretches, and before its share
    /// ends no neighbourhood may run more than a ``probePatience`` past it: on ResNet-18 at its smallest
    /// budget the second probe (from 188 % over the base cost, still improving at 92 % while the first had
    /// ended at 40 %) took two shares, and the third (from 11.6 %), from which the search proves 6.728 %,
    /// was left 4.4 s and ended at 7.177 % in 3 of 5 runs.
    public static let probeStretch = 2.0
    /// See ``probeStretch``.
    public static let probePatience = 0.25
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
        -> Start? {
        let problem = formulation.problem
        var best: Start?
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
        // cheapest): the cheapest of them is the start when it is cheaper than the others, and the rest are the
        // search's other starts.
        var criticalStart = false
        let planned = (critical.map { [$0] + $0.others } ?? []).compactMap { outcome in
            outcome.resident.flatMap { CriticalMomentBound.plan(formulation, critical: outcome.critical, resident: $0) }
        }
        var alternatives = planned.compactMap { Self.warmStart(formulation, candidates: [$0]) }
        if let cheapest = alternatives.indices.min(by: { alternatives[$0].evaluation.cost < alternatives[$1].evaluation.cost }),
           alternatives[cheapest].evaluation.cost < start?.evaluation.cost ?? .infinity {
            start = alternatives.remove(at: cheapest)
            criticalStart = true
            coverStart = false
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
            // The relaxation's schedules first (their basins are often the better ones however dear their start), then
            // the cheapest start; the same cost twice is one start.
            var starts: [(start: Start, critical: Bool)] = []
            func isNew(_ candidate: Start) -> Bool {
                let cost = candidate.evaluation.cost
                return !starts.contains { !CostTolerance.isAbove($0.start.evaluation.cost, cost) && !CostTolerance.isAbove(cost, $0.start.evaluation.cost) }
            }
            for alternative in alternatives where starts.count < maximumStarts - 1 && isNew(alternative) {
                starts.append((alternative, true))
            }
            if isNew(seed) { starts.append((seed, criticalStart)) }
            if let found = search(formulation, from: starts, bound: proven, clock: clock) {
                if found.outcome.evaluation.cost < seed.evaluation.cost {
                    criticalStart = found.critical
                    if found.critical { coverStart = false }
                }
                start = found.outcome.start
                searched = found.outcome
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

    /// The neighbourhood search (``CheckmateLNS``) from several starts: with one, all of ``lnsShare`` of
    /// the time left; with more, a probe from each in turn (together ``probeShare`` of that time, equal
    /// shares that one still improving may stretch, ``probeStretch``; windows from ``probeWidth``), then the
    /// rest continues from the cheapest end. A probe that reaches `bound` or solves the whole MILP ends it.
    /// Returns the cheapest end, whether it came from a start marked critical, and every search's counts
    /// added up; nil when no search ran. Time: ``lnsShare`` of what is left on `clock`.
    func search(_ formulation: CheckmateFormulation, from starts: [(start: Start, critical: Bool)], bound: Double?,
                clock: Stopwatch) -> (outcome: CheckmateLNS.Outcome, critical: Bool)? {
        func done(_ outcome: CheckmateLNS.Outcome) -> Bool {
            outcome.converged || bound.map { !CostTolerance.isAbove(outcome.evaluation.cost, $0) } ?? false
        }
        guard let left = options.secondsLeft(clock), !starts.isEmpty else { return nil }
        // Every search that ran, with its start's mark.
        var runs: [(outcome: CheckmateLNS.Outcome, critical: Bool)] = []
        if starts.count > 1 {
            let share = left * lnsShare * Self.probeShare / Double(starts.count)
            let probes = Stopwatch()
            for (k, (start, critical)) in starts.enumerated() {
                // What is left of the probes' time, less half a share for each probe still to come.
                let room = share * Double(starts.count) - probes.seconds - Double(starts.count - k - 1) * share / 2
                let limit = max(0, min(share * Self.probeStretch, room))
                var probe = options
                probe.timeLimit = min(limit, options.secondsLeft(clock) ?? limit)
                probe.relativeGap = nil
                var lns = CheckmateLNS(solver: solver, options: probe, initialWidth: Self.probeWidth)
                // Only a probe that has got below every earlier probe's end stretches.
                let ceiling = runs.map(\.outcome.evaluation.cost).min() ?? .infinity
                lns.stallStop = (after: max(0, min(share, room)), patience: share * Self.probePatience, ceiling: ceiling)
                let outcome = lns.improve(formulation, from: start, target: bound)
                runs.append((outcome, critical))
                if done(outcome) { break }
            }
        }
        // The cheapest end (of equal ones the first).
        var answer = runs.min { $0.outcome.evaluation.cost < $1.outcome.evaluation.cost }
        if answer.map({ !done($0.outcome) }) ?? true {
            var rest = options.sharing(lnsShare, since: clock)
            rest.relativeGap = nil
            let from = answer.map { (start: $0.outcome.start, critical: $0.critical) } ?? starts[0]
            var lns = CheckmateLNS(solver: solver, options: rest)
            if starts.count > 1 { lns.initialWidth = Self.probeWidth }
            runs.append((lns.improve(formulation, from: from.start, target: bound), from.critical))
            // It went on from the cheapest probe's end, so it is never dearer: its end is the answer.
            answer = runs.last
        }
        guard var result = answer else { return nil }
        let all = runs.map(\.outcome)
        result.outcome.neighbourhoods = all.reduce(0) { $0 + $1.neighbourhoods }
        result.outcome.optimalNeighbourhoods = all.reduce(0) { $0 + $1.optimalNeighbourhoods }
        result.outcome.improvements = all.reduce(0) { $0 + $1.improvements }
        result.outcome.scatteredNeighbourhoods = all.reduce(0) { $0 + $1.scatteredNeighbourhoods }
        result.outcome.scatteredImprovements = all.reduce(0) { $0 + $1.scatteredImprovements }
        return result
    }

    /// ``CriticalMomentBound/grown(_:counts:incumbent:formulation:)`` with ``criticalShare`` of the time left.
    func criticalBound(_ formulation: CheckmateFormulation, clock: Stopwatch, incumbent: RematEvaluation?) -> CriticalMomentBound.Outcome? {
        var solve = options.sharing(criticalShare, since: clock)
        solve.cbc = CBCSearchSettings()  // CBC's defaults, as measured (Benchmarks remat-checkmate)
        return CriticalMomentBound(solver: solver, options: solve)
            .grown(formulation.problem, counts: Self.criticalCounts, incumbent: incumbent, formulation: formulation)
    }
}

extension CheckmateLNS.Outcome {
    /// The search's end as a start for another search.
    var start: CheckmateMILP.Start { (stages, evaluation, values) }
}
