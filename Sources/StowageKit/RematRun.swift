import MILP
import Plan
import Remat

/// One rematerialisation run: the method the options ask for, given the
/// time left, its failures turned into ``StowageError``s. The one place
/// where methods, solvers and deadlines meet the Remat module, for the
/// CLI, the C API and Swift callers (as ``ScratchpadRun`` is for the
/// scratchpad).
struct RematRun {
    let options: RematOptions
    /// The whole call's deadline; methods get it minus ``reserve``.
    let deadline: Deadline
    /// The graph's file or name, for bad-input errors.
    var source = "graph"

    /// Seconds kept back for verification and output: 5 % of the limit, at most 2 s.
    var reserve: Double { min(2, 0.05 * (options.timeLimit ?? 0)) }

    /// The largest exact formulation `auto` tries (binaries): the slot
    /// formulation's relaxation is weak, so beyond a few thousand binaries
    /// CBC proves nothing in a minute.
    static let exactLimit = 6_000
    /// The largest Checkmate formulation `auto` tries (estimated variables,
    /// ``CheckmateFormulation/estimatedVariables(_:)``): larger ones do not
    /// even finish their LP relaxation in a minute on this machine.
    static let checkmateLimit = 400_000
    /// MILP seconds when the options set no time limit.
    static let defaultSolveSeconds = 60.0
    /// The largest Checkmate formulation (estimated variables) whose LP relaxation `auto` solves for a
    /// bound and a rounded start. VGG-16's (24,486) and U-Net's (34,120) take 1.4-3 s and their rounding
    /// is often the best start (at VGG-16 0.6 the only one); ResNet-18's (105,280) took 17 s of a 60 s
    /// limit at 0.7, where its bound was below the critical-moment relaxation's and its rounding above
    /// the best heuristic, and did not finish in its 23 s at 0.6: that time goes to the search instead.
    static let lpLimit = 60_000
    /// The share of the time left for Checkmate's LP relaxation and its rounding in `auto`.
    static let lpShare = 0.4
    /// On graphs too large for Checkmate's MILP, the share of the whole planning time for the covering
    /// bound (``StageCoverBound``): the share it has of the MILP's time (``CheckmateMILP/autoCoverShare``).
    static let coverShare = CheckmateMILP.autoCoverShare
    /// The share of the time for Checkmate's stage MILP before the slot MILP on small graphs (`auto`).
    static let smallStageShare = 0.6
    /// On graphs too large for Checkmate's MILP, the share of the planning time left after the cover
    /// for the critical-moment relaxation.
    static let largeGraphCriticalShare = 0.25

    func plan(_ problem: RematProblem) throws(StowageError) -> RematSolution {
        let minimum = problem.provenMinimum
        if problem.budget < minimum.bytes {
            throw .infeasible(capacity: problem.budget,
                              reason: "the smallest budget that can be proven necessary is \(minimum.bytes) bytes: \(minimum.reason)")
        }
        let planning = deadline.capped(at: max(0.05, (deadline.remaining ?? .infinity) - reserve))
        var solve = SolveOptions(timeLimit: planning.remaining ?? Self.defaultSolveSeconds, relativeGap: options.gap)
        solve.deadline = planning
        solve.progress = options.progress
        let solver = (options.solver ?? .cbc).solver
        var failures: [RematFailure] = []
        var solution: RematSolution?
        do {
            switch options.method {
            case .keepAll: solution = try KeepAllPlanner.plan(problem)
            case .chen: solution = try ChenPlanner.plan(problem)
            case .torchKnapsack: solution = try TorchKnapsackPlanner.plan(problem)
            case .greedy: solution = try GreedyEvictionPlanner.plan(problem)
            case .griewank: solution = try GriewankPlanner.plan(problem)
            case .checkmate:
                solution = try checkmate(problem, solver: solver, options: solve)
            case .lp:
                solution = try LPRounding(solver: solver, options: solve).plan(problem)
            case .exact:
                if SlotILP.variableCount(problem, cap: 2) <= Self.exactLimit || problem.spill != nil {
                    // With spills only the slot MILP has store and load variables: Checkmate's
                    // stages know no host memory, so its bound would not hold.
                    let seed = bestHeuristic(problem)
                    solution = try SlotILP(solver: solver, options: solve).plan(problem, warmStart: seed?.evaluation)
                } else {
                    solution = try checkmate(problem, solver: solver, options: solve)
                }
            case .auto:
                // Keeping everything costs the least there is: no search beats it.
                if let all = try? KeepAllPlanner.plan(problem) { return all }
                let found = heuristics(problem)
                var best = found.min { $0.evaluation.cost < $1.evaluation.cost }
                var exact: RematSolution?
                var coverOnly: (bound: Double, source: RematSolution.BoundSource, variables: Int, rows: Int)?
                if !planning.expired {
                    do {
                        let estimated = CheckmateFormulation.estimatedVariables(problem)  // O(values)
                        if SlotILP.variableCount(problem, cap: 2) <= Self.exactLimit {
                            exact = try smallGraph(problem, solver: solver, options: solve, heuristics: found, best: &best)
                        } else if estimated <= Self.checkmateLimit {
                            // With spills too: its schedules (no copies) are plans there, though its bound is not (below).
                            // The LP relaxation first (a share of the time left; not on formulations above
                            // lpLimit): its bound, and its rounded schedule, often cheaper than the heuristics',
                            // as one more warm start; then the neighbourhood search from the best of them, then
                            // the whole MILP.
                            var lpOptions = solve
                            let lpDeadline = planning.fraction(Self.lpShare)
                            lpOptions.deadline = lpDeadline
                            lpOptions.timeLimit = lpDeadline.remaining ?? Self.defaultSolveSeconds
                            let rounded = estimated <= Self.lpLimit
                                ? try? LPRounding(solver: solver, options: lpOptions).plan(problem) : nil
                            let starts = found + (rounded.map { [$0] } ?? [])
                            if let rounded, rounded.evaluation.cost < best?.evaluation.cost ?? .infinity { best = rounded }
                            if !planning.expired {
                                exact = try? checkmate(problem, solver: solver, options: solve, heuristics: starts)
                            }
                            // Both bounds hold for every stage schedule: keep the larger.
                            if let lpBound = rounded?.bound, exact == nil || (exact?.bound ?? 0) < lpBound {
                                if exact == nil, let rounded { exact = rounded } else {
                                    exact?.bound = lpBound
                                    exact?.boundScope = .stages
                                    exact?.boundSource = rounded?.boundSource
                                }
                            }
                        } else {
                            // Too large for Checkmate's MILP: the covering bound has one column per producer.
                            var coverOptions = solve
                            let coverDeadline = planning.fraction(Self.coverShare)
                            coverOptions.deadline = coverDeadline
                            coverOptions.timeLimit = coverDeadline.remaining ?? Self.defaultSolveSeconds
                            coverOptions.relativeGap = nil
                            let covered = StageCoverBound(solver: solver, options: coverOptions).solve(problem)
                            var criticalOptions = SolveOptions(timeLimit: nil)
                            let criticalDeadline = planning.fraction(Self.largeGraphCriticalShare)
                            criticalOptions.deadline = criticalDeadline
                            criticalOptions.timeLimit = criticalDeadline.remaining ?? Self.defaultSolveSeconds
                            let critical = covered == nil ? nil : CriticalMomentBound(solver: solver, options: criticalOptions)
                                .grown(problem, counts: CheckmateMILP.criticalCounts, incumbent: best?.evaluation)
                            if let covered, let strongest = RematSolution.strongest([(covered.knapsack, .stageKnapsack), (covered.coverBound, .cover),
                                                                                      (critical?.bound, .critical)]) {
                                coverOnly = (strongest.bound, strongest.source, covered.variables, covered.rows)
                            }
                        }
                    } catch {
                        failures.append(error)
                    }
                }
                if let exact {
                    if let heuristic = best, heuristic.evaluation.cost < exact.evaluation.cost {
                        // The heuristic's schedule lies outside the MILP's scope: the bound holds in
                        // its own scope, and no schedule there is cheaper than the heuristic's.
                        best?.bound = exact.bound.map { min($0, heuristic.evaluation.cost) }
                        best?.boundScope = exact.boundScope
                        best?.boundSource = exact.boundSource
                        best?.neighbourhoods = exact.neighbourhoods
                        best?.optimalNeighbourhoods = exact.optimalNeighbourhoods
                        best?.improvements = exact.improvements
                        best?.startFromCover = exact.startFromCover
                        best?.startFromCritical = exact.startFromCritical
                        best?.solverStatus = exact.solverStatus
                        best?.variables = exact.variables
                        best?.rows = exact.rows
                    } else {
                        // A MILP stopped before its root gives no bound: keep the trivial one (every schedule runs every operator).
                        var chosen = exact
                        if chosen.bound == nil {
                            chosen.bound = problem.baseCost
                            chosen.boundScope = .allSchedules
                            chosen.boundSource = .base
                        }
                        best = chosen
                    }
                } else if let coverOnly, let heuristic = best {
                    // No stage schedule is cheaper than the bound, and none in scope cheaper than the heuristic's if it is one.
                    best?.bound = max(problem.baseCost, min(coverOnly.bound, heuristic.evaluation.cost))
                    best?.boundScope = .stages
                    best?.boundSource = coverOnly.source
                    best?.variables = coverOnly.variables
                    best?.rows = coverOnly.rows
                }
                if problem.spill != nil, best?.boundScope == .stages {
                    // Checkmate's stages have no host memory: a spill may beat its bound. Only the trivial one holds.
                    best?.bound = problem.baseCost
                    best?.boundScope = .allSchedules
                    best?.boundSource = .base
                }
                solution = best
            }
        } catch {
            // A method that does not apply to the graph (griewank off a chain) is bad input, not infeasibility.
            if case .notApplicable = error { throw .badInput(source: source, location: nil, reason: error.description) }
            failures.append(error)
        }
        guard let solution else {
            let reasons = failures.map(\.description).joined(separator: "; ")
            throw .infeasible(capacity: problem.budget,
                              reason: "\(reasons.isEmpty ? "no method found a schedule" : reasons) (the smallest budget that can be proven necessary is \(minimum.bytes) bytes)")
        }
        return solution
    }

    /// `auto` on graphs small enough for the slot MILP: Checkmate's stage MILP first, with
    /// ``smallStageShare`` of the time (on small graphs it proves its stage optimum in milliseconds,
    /// while the slot MILP may spend the whole limit without a schedule, e.g. when the budget needs
    /// three runs of an operator: a chain of 12 at half its peak took 5 s of 5 s and gave no bound),
    /// then the slot MILP warm-started from the cheapest schedule so far. The answer is the one whose
    /// bound lies closer to its cost (each bound holds in its own scope); when the other's schedule is
    /// cheaper it replaces `best`, and the caller then keeps it with the answer's bound capped at its cost.
    /// With spills only the slot MILP runs: stages know no host memory, so their bound would not hold.
    private func smallGraph(_ problem: RematProblem, solver: any Solver, options: SolveOptions,
                            heuristics found: [RematSolution], best: inout RematSolution?) throws(RematFailure) -> RematSolution {
        if problem.spill != nil { return try SlotILP(solver: solver, options: options).plan(problem, warmStart: best?.evaluation) }
        var stageOptions = options
        let stageDeadline = (options.deadline ?? deadline).fraction(Self.smallStageShare)
        stageOptions.deadline = stageDeadline
        stageOptions.timeLimit = min((options.timeLimit ?? Self.defaultSolveSeconds) * Self.smallStageShare, stageDeadline.remaining ?? .infinity)
        let staged = try? checkmate(problem, solver: solver, options: stageOptions, heuristics: found)
        let start = [best, staged].compactMap { $0 }.min { $0.evaluation.cost < $1.evaluation.cost }
        let slot: RematSolution
        do {
            slot = try SlotILP(solver: solver, options: options).plan(problem, warmStart: start?.evaluation)
        } catch {
            guard let staged else { throw error }
            return staged
        }
        guard let staged else { return slot }
        func gap(_ solution: RematSolution) -> Double { solution.evaluation.cost - (solution.bound ?? -.infinity) }
        let (answer, other) = gap(staged) < gap(slot) ? (staged, slot) : (slot, staged)
        if other.evaluation.cost < min(answer.evaluation.cost, best?.evaluation.cost ?? .infinity) { best = other }
        return answer
    }

    /// Checkmate's MILP, warm-started from every heuristic's schedule.
    private func checkmate(_ problem: RematProblem, solver: any Solver, options: SolveOptions,
                           heuristics found: [RematSolution]? = nil) throws(RematFailure) -> RematSolution {
        try CheckmateMILP.asAuto(solver: solver, options: options)
            .plan(problem, warmStarts: (found ?? heuristics(problem)).map(\.evaluation))
    }

    /// The heuristics' schedules that fit.
    private func heuristics(_ problem: RematProblem) -> [RematSolution] { Self.heuristics(problem) }

    static func heuristics(_ problem: RematProblem) -> [RematSolution] {
        [try? KeepAllPlanner.plan(problem), try? ChenPlanner.plan(problem), try? TorchKnapsackPlanner.plan(problem),
         try? GreedyEvictionPlanner.plan(problem), try? GriewankPlanner.plan(problem)].compactMap { $0 }
    }

    /// The cheapest schedule among the heuristics, nil when none fits.
    private func bestHeuristic(_ problem: RematProblem) -> RematSolution? { Self.bestHeuristic(problem) }

    static func bestHeuristic(_ problem: RematProblem) -> RematSolution? {
        heuristics(problem).min { $0.evaluation.cost < $1.evaluation.cost }
    }

    /// The method itself when it is a heuristic, else the best heuristic:
    /// what a failure message's budget search runs. Nil when it finds nothing.
    static func fastestPlan(_ problem: RematProblem, method: RematOptions.Method) -> RematSolution? {
        switch method {
        case .keepAll: return try? KeepAllPlanner.plan(problem)
        case .chen: return try? ChenPlanner.plan(problem)
        case .torchKnapsack: return try? TorchKnapsackPlanner.plan(problem)
        case .greedy: return try? GreedyEvictionPlanner.plan(problem)
        case .griewank: return try? GriewankPlanner.plan(problem)
        case .auto, .exact, .checkmate, .lp: return bestHeuristic(problem)
        }
    }

    static func fastName(_ method: RematOptions.Method) -> String {
        [.auto, .exact, .checkmate, .lp].contains(method) ? "none of the heuristics" : method.rawValue
    }
}
