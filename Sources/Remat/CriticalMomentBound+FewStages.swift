import MILP

/// Critical stages chosen by what they prove, one at a time.
///
/// The relaxation with many critical stages is the stronger model, but CBC
/// seldom closes it in a minute, and the stages of largest deficit are not
/// always the ones that bind: on VGG-16 at 0.6 the ten stages of largest
/// deficit (positions 54-65) gave a dual bound of 1.354 % in their share of
/// a 60 s run, while stage 54 alone, where the 411 MB weight gradient it
/// writes cannot be dropped and leaves only dear values to drop, proves
/// 3.033 % in 0.1 s, and stages 54 and 65 together 3.054 % in 1 s. A
/// relaxation of one or two stages is a small 0-1 program that CBC solves
/// to optimality, and each is a valid bound on its own
/// (``CriticalMomentBound``'s proof holds for any set of critical
/// positions).
extension CriticalMomentBound {
    /// How many stages get a relaxation of their own: the first ones by
    /// their stage knapsack (``StageKnapsackBound``).
    public static let singleStageLimit = 32
    /// How many of the best single stages are tried as the next one to add.
    public static let additionWidth = 6
    /// The longest one relaxation of the few-stage search may take.
    public static let fewStageSolveSeconds = 3.0
    /// How many rounds a refinement (``refined(_:_:formulation:incumbent:phase:)``) runs at most: a stage
    /// each, two when the first one's relaxation stops at its cap.
    public static let refinementRounds = 8

    /// The schedule read off a relaxation solution (``plan(_:critical:resident:)``
    /// before its repair), nil when none can be read off or it is not
    /// valid. O(values · n) plus one evaluation.
    static func readOff(_ formulation: CheckmateFormulation, _ outcome: Outcome) -> (stages: [[Int]], evaluation: RematEvaluation)? {
        guard let resident = outcome.resident,
              let kept = keptSets(formulation, critical: outcome.critical, resident: resident) else { return nil }
        let measured = LPRounding.measured(formulation, kept: kept)
        return measured.evaluation.isValid ? measured : nil
    }

    /// The stage to add to `critical` next, given the schedule read off
    /// its solution (``readOff(_:_:)``): where that schedule peaks when it
    /// is over the budget; when it fits, the stage (not yet critical) where
    /// it runs operators again at the largest cost, which the relaxation
    /// did not see (its memory binds only at its critical stages). Nil when
    /// that stage was `tried` or it fits without running anything again
    /// outside the critical stages. O(steps).
    static func refinementStage(_ formulation: CheckmateFormulation, critical: [Int],
                                schedule: (stages: [[Int]], evaluation: RematEvaluation), excluding tried: Set<Int>) -> Int? {
        let problem = formulation.problem
        if !schedule.evaluation.fits(problem.budget), let peak = schedule.evaluation.peakStep {
            let stage = LPRounding.stage(ofStep: peak, in: schedule.stages).stage
            return tried.contains(stage) ? nil : stage
        }
        var dearest: (stage: Int, cost: Double)?
        for (t, stage) in schedule.stages.enumerated() where !critical.contains(t) && !tried.contains(t) {
            let cost = stage.filter { $0 < t }.reduce(0.0) { $0 + problem.costs[problem.order[$1]] }
            if cost > dearest?.cost ?? 0 { dearest = (t, cost) }
        }
        return dearest?.stage
    }

    /// The deficit stages in the order in which they are worth a
    /// relaxation: the largest stage knapsack first (what the stage alone
    /// proves when every dropped value is remade by its producer only),
    /// then the largest deficit, then the earliest. O(n · (values +
    /// knapsack)).
    public static func rankedStages(_ problem: RematProblem) -> [Int] {
        let positions = StageKnapsackBound.Positions(problem)
        var stages: [(t: Int, knapsack: Double, demand: Int)] = []
        for t in 0 ..< positions.n {
            guard let row = StageKnapsackBound.row(positions, t), row.demand > 0 else { continue }
            stages.append((t, StageKnapsackBound.stageCost(positions, t) ?? 0, row.demand))
        }
        stages.sort {
            if $0.knapsack != $1.knapsack { return $0.knapsack > $1.knapsack }
            return $0.demand != $1.demand ? $0.demand > $1.demand : $0.t < $1.t
        }
        return stages.map(\.t)
    }

    /// The best bound from few critical stages, within ``options``' time
    /// limit and deadline: the relaxation of each of the first
    /// ``singleStageLimit`` ranked stages (``rankedStages(_:)``) alone, then,
    /// from the best of them, the stage among the ``additionWidth`` best
    /// singles whose addition proves the most, added while that raises the
    /// bound. Given the `formulation`, then the stages where the best
    /// solution's schedule peaks over the budget or runs operators again
    /// (``refined(_:_:formulation:incumbent:phase:)``): the stages that
    /// bind together need not be the best alone (ResNet-18 at 0.6: stage
    /// 111 alone proves 3.538 %, and no other single adds to it; its solution's schedule is over the budget
    /// at stage 159, and 111 with 159 prove 4.100 %). Nil without any
    /// bound (or when no schedule fits).
    ///
    /// CBC runs without its primal heuristics here: only the bound is
    /// wanted, and with CBC's default cuts and heuristics the relaxation of
    /// ResNet-18's stage 136 at its smallest budget failed an assertion
    /// inside CLP (`ClpNonLinearCost::checkInfeasibilities`), which aborts
    /// (either off avoided it).
    ///
    /// Time: at most ``singleStageLimit`` solves of one stage, then rounds
    /// of at most ``additionWidth`` solves, then at most
    /// 2 · ``refinementRounds``, each at most ``fewStageSolveSeconds``, all
    /// within ``options``' limits.
    public func fewStages(_ problem: RematProblem, incumbent: RematEvaluation?, formulation: CheckmateFormulation? = nil) -> Outcome? {
        let phase = Stopwatch()
        func solve(_ critical: [Int]) -> Outcome? { fewStageSolve(problem, critical: critical, incumbent: incumbent, phase: phase) }
        var singles: [(t: Int, bound: Double)] = []
        var best: Outcome?
        for t in Self.rankedStages(problem).prefix(Self.singleStageLimit) {
            guard let outcome = solve([t]), let bound = outcome.bound else { continue }
            singles.append((t, bound))
            if bound > best?.bound ?? -.infinity { best = outcome }
        }
        singles.sort { $0.bound != $1.bound ? $0.bound > $1.bound : $0.t < $1.t }
        guard var chosen = singles.first.map({ [$0.t] }) else { return best }
        let candidates = singles.prefix(Self.additionWidth).map(\.t)
        while true {
            var round: (t: Int, outcome: Outcome, bound: Double)?
            for t in candidates where !chosen.contains(t) {
                guard let outcome = solve(chosen + [t]), let bound = outcome.bound else { continue }
                if bound > round?.bound ?? -.infinity { round = (t, outcome, bound) }
            }
            guard let round, let current = best?.bound, CostTolerance.isAbove(round.bound, current) else { break }
            chosen.append(round.t)
            best = round.outcome
        }
        // Then the stages where the best solution's schedule, before any repair, is over the budget or runs operators again.
        if let formulation, let found = best {
            best = refined(found, problem, formulation: formulation, incumbent: incumbent, phase: phase)
        }
        return best
    }

    /// `outcome` with stages added, one at a time, for up to
    /// ``refinementRounds`` rounds, where its solution's schedule is over
    /// the budget or runs operators again
    /// (``refinementStage(_:critical:schedule:excluding:)``). An addition
    /// is kept when it raises the bound; at an equal bound, when the
    /// schedule was over the budget (the next solution must make room
    /// there) or when the next schedule fits at a lower cost (a better
    /// start for the search: on ResNet-18 at 0.6 stages 111 and 159 prove
    /// 4.100 % and their schedule costs 8.67 %; with 158 the bound is the
    /// same and the schedule 5.37 %, from which the search reaches
    /// 4.100 %). A stage not kept is not tried again, and the next target
    /// is taken from the same solution.
    ///
    /// A relaxation stopped at its time cap below the bound gets one stage
    /// more at once, chosen the same way from its incumbent's schedule,
    /// and that solve stands for it: a tighter model, which CBC may close
    /// sooner (ResNet-18 at its smallest budget: stages 111, 156 and 158
    /// prove 5.934 %; with 137 the relaxation stops at its 3 s at 5.775 %;
    /// with 137 and 160 it closes in 0.75 s and proves 6.689 %, the gap to
    /// the plan going from 1.16 % to 0.45 %; the other bundled cells as
    /// before).
    ///
    /// Each solve as in the few-stage search (CBC's heuristics off, at
    /// most ``fewStageSolveSeconds``), within ``options``' limits counted
    /// from `phase`. Time: at most 2 · ``refinementRounds`` solves, each
    /// followed by one read-off schedule (``readOff(_:_:)``).
    func refined(_ outcome: Outcome, _ problem: RematProblem, formulation: CheckmateFormulation, incumbent: RematEvaluation?,
                 phase: Stopwatch) -> Outcome {
        var best = outcome
        guard var schedule = Self.readOff(formulation, best) else { return best }
        var tried = Set<Int>()
        for _ in 0 ..< Self.refinementRounds {
            guard let currentBound = best.bound,
                  let stage = Self.refinementStage(formulation, critical: best.critical, schedule: schedule, excluding: tried) else { break }
            tried.insert(stage)
            guard var next = fewStageSolve(problem, critical: best.critical + [stage], incumbent: incumbent, phase: phase) else { break }
            // Stopped at its cap below the bound: one stage more, chosen from its incumbent as above.
            if !next.proved, next.bound.map({ CostTolerance.isAbove(currentBound, $0) }) ?? true,
               let ahead = Self.readOff(formulation, next),
               let further = Self.refinementStage(formulation, critical: next.critical, schedule: ahead, excluding: tried) {
                tried.insert(further)
                if let deeper = fewStageSolve(problem, critical: next.critical + [further], incumbent: incumbent, phase: phase) { next = deeper }
            }
            guard let bound = next.bound, !CostTolerance.isAbove(currentBound, bound) else { continue }
            let nextSchedule = Self.readOff(formulation, next)
            let kept = CostTolerance.isAbove(bound, currentBound) || !schedule.evaluation.fits(problem.budget)
                || nextSchedule.map { $0.evaluation.fits(problem.budget) && $0.evaluation.cost < schedule.evaluation.cost } == true
            guard kept else { continue }
            best = next
            // Without a schedule read off the new solution there is no next stage to add.
            guard let nextSchedule else { break }
            schedule = nextSchedule
        }
        return best
    }

    /// One relaxation of the few-stage search: CBC's heuristics off, at most ``fewStageSolveSeconds``
    /// and what is left of ``options``' limits counted from `phase`; nil under 0.1 s left.
    func fewStageSolve(_ problem: RematProblem, critical: [Int], incumbent: RematEvaluation?, phase: Stopwatch) -> Outcome? {
        var one = options
        one.cbc.heuristics = false
        // Without CBC's Cgl preprocessing: on ResNet-18's smallest budget the relaxations then prove 6.728 %,
        // the plan's cost, within the minute (6.689 % with it), and VGG-16 at 0.7 and 0.8 end 3 s sooner.
        one.cbc.preprocessing = false
        // A cap of the clock, not of CPU time (``SolveOptions/cpuTimeLimit``), as measured: on U-Net at its smallest
        // budget, 60 s, two commands side by side, with CPU caps here the bound fell to 10.341 % (and the plan stopped
        // at 12.882 %) in 5 of 20 runs, with wall-clock caps in none of 46 (CPU caps in the search's neighbourhoods).
        one.timeLimit = Self.fewStageSolveSeconds
        if let left = options.secondsLeft(phase) {
            guard left >= 0.1 else { return nil }
            one.timeLimit = min(left, Self.fewStageSolveSeconds)
        }
        return CriticalMomentBound(solver: solver, options: one).solve(problem, critical: critical, incumbent: incumbent)
    }
}
