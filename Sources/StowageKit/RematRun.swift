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
    /// MILP seconds when the options set no time limit.
    static let defaultSolveSeconds = 60.0

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
            case .exact:
                let seed = bestHeuristic(problem)
                solution = try SlotILP(solver: solver, options: solve).plan(problem, warmStart: seed?.evaluation)
            case .auto:
                // Keeping everything costs the least there is: no search beats it.
                if let all = try? KeepAllPlanner.plan(problem) { return all }
                var best = bestHeuristic(problem)
                if SlotILP.variableCount(problem, cap: 2) <= Self.exactLimit, !planning.expired {
                    do {
                        let exact = try SlotILP(solver: solver, options: solve).plan(problem, warmStart: best?.evaluation)
                        if let heuristic = best, heuristic.evaluation.cost < exact.evaluation.cost {
                            // The heuristic runs some operator more than twice; the bound holds in its own scope.
                            best?.bound = exact.bound
                            best?.boundScope = exact.boundScope
                        } else {
                            best = exact
                        }
                    } catch {
                        failures.append(error)
                    }
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

    /// The cheapest schedule among the heuristics, nil when none fits.
    private func bestHeuristic(_ problem: RematProblem) -> RematSolution? { Self.bestHeuristic(problem) }

    static func bestHeuristic(_ problem: RematProblem) -> RematSolution? {
        let found = [try? KeepAllPlanner.plan(problem), try? ChenPlanner.plan(problem), try? TorchKnapsackPlanner.plan(problem),
                     try? GreedyEvictionPlanner.plan(problem), try? GriewankPlanner.plan(problem)].compactMap { $0 }
        return found.min { $0.evaluation.cost < $1.evaluation.cost }
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
        case .auto, .exact: return bestHeuristic(problem)
        }
    }

    static func fastName(_ method: RematOptions.Method) -> String {
        method == .auto || method == .exact ? "none of the heuristics" : method.rawValue
    }
}
