import MILP
import Plan
import Scratchpad

/// One scratchpad planning run: the planner the options ask for, given the
/// time that is left, and its failures turned into ``StowageError``s. The
/// one place where methods, policies, schedules, solvers and deadlines meet
/// the Scratchpad module, for the CLI, the C API and Swift callers alike.
struct ScratchpadRun {
    let options: PlanningOptions
    /// The whole call's deadline; planners get it minus ``reserve``.
    let deadline: Deadline

    struct Outcome {
        var plan: Plan
        var boundScope: PlanningResult.BoundScope?
        /// With the order free: the bound for the plan's own order.
        var orderBound: Double?
    }

    /// Seconds kept back for verification and output: 5 % of the limit,
    /// at most 2 s.
    var reserve: Double { min(2, 0.05 * (options.timeLimit ?? 0)) }

    func plan(_ problem: ScratchpadProblem, budgets: Budgets) throws(StowageError) -> Outcome {
        let planning = deadline.capped(at: max(0.05, (deadline.remaining ?? .infinity) - reserve))
        do {
            switch options.method {
            case .baseline:
                let policy: ReplacementPolicy = options.policy == .lru ? .lru : .belady
                return Outcome(plan: try BaselinePlanner(policy: policy).plan(problem, deadline: planning), boundScope: nil)
            case .ilp:
                // The planners' deadline is the only time limit: it covers every solve and round.
                var solve = SolveOptions(relativeGap: options.gap)
                solve.progress = options.progress
                let solver = (options.solver ?? .cbc).solver
                switch options.schedule ?? .fixed {
                case .fixed:
                    var planner = ILPPlanner(solver: solver, options: solve)
                    planner.report = options.report
                    let outcome = try planner.plan(problem, deadline: planning)
                    return Outcome(plan: outcome.plan, boundScope: .order)
                case .free:
                    var planner = FreeSchedulePlanner(solver: solver, options: solve)
                    planner.report = options.report
                    let outcome = try planner.plan(problem, deadline: planning)
                    return Outcome(plan: outcome.plan, boundScope: outcome.boundCoversAllOrders ? .allOrders : .order,
                                   orderBound: outcome.orderBound)
                }
            }
        } catch {
            let capacity = problem.capacity
            let context = "(M_R = \(budgets.minimum), M_H = \(budgets.half), M_P = \(budgets.noSpill) bytes)"
            switch error {
            case .operatorTooLarge, .fragmentation:
                throw .infeasible(capacity: capacity, reason: "\(error) \(context)")
            case .allocator:
                // The replacement ILP found nothing, or the offset allocator
                // refused the residencies (e.g. alignments beyond 64 bits).
                throw .solverFailure(reason: error.description)
            }
        }
    }
}
