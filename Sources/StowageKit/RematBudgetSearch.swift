import MILP
import Remat

/// The smallest budget at which a method finds a schedule: `stowage remat
/// --budget min`, and the figure that a failed request names beside the
/// budget that can be proven necessary.
///
/// Bisection between the proven minimum (``RematProblem/provenMinimum``:
/// no schedule fits below it) and the keep-everything peak (where keeping
/// everything fits), to 0.1 % of that peak, at most ``maxSteps`` runs and
/// within the call's deadline (each run gets an equal share of the time
/// left). A method's success need not be monotonic in the budget (PyTorch's
/// heuristic is not); the bisection then returns a budget where it
/// succeeds with a failure within the tolerance below, not necessarily
/// the smallest. Cost: one method run per step, about log2(1000) + 2 = 12.
struct RematBudgetSearch {
    let base: RematProblem
    let keepAllPeak: Int
    let options: RematOptions
    let deadline: Deadline
    let source: String

    static let maxSteps = 24
    /// Seconds the search behind a failure message may take without a time limit.
    static let explanationSeconds = 30.0

    var tolerance: Int { max(1, keepAllPeak / 1000) }

    /// Runs expected for the bisection from `low` to `high`.
    private func expectedSteps(_ low: Int, _ high: Int) -> Int {
        var steps = 1, width = high - low
        while width > tolerance && steps < Self.maxSteps { width /= 2; steps += 1 }
        return steps
    }

    /// The method's schedule at `bytes`, nil when it finds none; bad input
    /// (a method that does not apply) is thrown.
    private func attempt(_ bytes: Int, within stepDeadline: Deadline, heuristicsOnly: Bool) throws(StowageError) -> RematSolution? {
        let problem = base.with(budget: bytes)
        if heuristicsOnly { return RematRun.fastestPlan(problem, method: options.method) }
        do {
            return try RematRun(options: options, deadline: stepDeadline, source: source).plan(problem)
        } catch {
            if error.isBadInput { throw error }
            return nil
        }
    }

    /// Bisects (low, high], where the method failed at `low` (or it is the
    /// proven minimum, not tried) and succeeded at `high` with `found`.
    private func bisect(low: Int, high: Int, found: RematSolution, within limit: Deadline,
                        heuristicsOnly: Bool) throws(StowageError) -> (Int, RematSolution) {
        var low = low, high = high, best = found
        var steps = 0
        while high - low > tolerance, steps < Self.maxSteps, !limit.expired {
            let mid = low + (high - low) / 2
            let share = 1 / Double(max(1, expectedSteps(low, high)))
            if let solution = try attempt(mid, within: limit.fraction(share), heuristicsOnly: heuristicsOnly) {
                high = mid
                best = solution
            } else {
                low = mid
            }
            steps += 1
        }
        return (high, best)
    }

    /// `--budget min`: the problem at the smallest budget found and the
    /// method's schedule there.
    func smallest() throws(StowageError) -> (RematProblem, RematSolution) {
        let minimum = base.provenMinimum.bytes
        let total = Double(expectedSteps(minimum, keepAllPeak) + 1)
        if minimum <= keepAllPeak, let atMinimum = try attempt(minimum, within: deadline.fraction(1 / total), heuristicsOnly: false) {
            return (base.with(budget: minimum), atMinimum)
        }
        guard let atPeak = try attempt(keepAllPeak, within: deadline.fraction(1 / max(1, total - 1)), heuristicsOnly: false) else {
            throw .infeasible(capacity: keepAllPeak,
                              reason: "\(options.method.rawValue) found no schedule even at the keep-everything peak (\(keepAllPeak) bytes); the smallest budget that can be proven necessary is \(minimum) bytes")
        }
        let (bytes, solution) = try bisect(low: minimum, high: keepAllPeak, found: atPeak, within: deadline, heuristicsOnly: false)
        return (base.with(budget: bytes), solution)
    }

    /// A failure at `budget` with the smallest budget at which a fast
    /// method (the one asked for, or the best heuristic for auto and
    /// exact) found a schedule added to its message.
    func explained(_ error: StowageError, at budget: Int) -> StowageError {
        guard case .infeasible(let capacity, let reason) = error, budget < keepAllPeak else { return error }
        let limit = deadline.isLimited ? deadline : deadline.capped(at: Self.explanationSeconds)
        let low = max(budget, base.provenMinimum.bytes - 1)
        guard let atPeak = try? attempt(keepAllPeak, within: limit, heuristicsOnly: true) else {
            return .infeasible(capacity: capacity, reason: reason + "; \(RematRun.fastName(options.method)) finds no schedule even at the keep-everything peak (\(keepAllPeak) bytes)")
        }
        guard let (found, solution) = try? bisect(low: low, high: keepAllPeak, found: atPeak, within: limit, heuristicsOnly: true) else {
            return error
        }
        return .infeasible(capacity: capacity,
                           reason: reason + "; the smallest budget at which a method found a plan is \(found) bytes (\(solution.method), bisection to 0.1 % of the keep-everything peak \(keepAllPeak))")
    }
}
