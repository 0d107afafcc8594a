import Foundation
import MILP
import Remat

/// Checkmate's method as `auto` runs it
/// (``CheckmateMILP/asAuto(solver:options:)``: covering bound,
/// critical-moment relaxation, neighbourhood search) with the search from
/// the cheapest start alone and from every start
/// (``CheckmateMILP/maximumStarts``), one after the other in one process,
/// so that the two rows of a cell see the same machine. The
/// starts are the heuristics' schedules (no LP rounding, which `auto` adds).
/// Per graph and budget: the end, the bound, the gap on the total cost,
/// whether it was proved, seconds, neighbourhoods; every end is measured
/// again with the memory model.
///
/// Environment: `REMAT_GRAPHS` (default `unet,resnet18,vgg16`),
/// `REMAT_BUDGETS` (fractions of the keep-everything peak, or bytes above 1;
/// default each graph's smallest budget from ``SearchBenchmarks`` and 0.6),
/// `REMAT_SECONDS` (per run, default 60).
enum StartsBenchmarks {
    static let smallestBudgets = SearchBenchmarks.smallestBudgets.merging(["vgg16": "1787929594"]) { first, _ in first }

    static func run() {
        let seconds = Double(ProcessInfo.processInfo.environment["REMAT_SECONDS"] ?? "") ?? 60
        print("Checkmate's method (CBC, \(Int(seconds)) s per run): the search from the cheapest start alone / from every start")
        print("graph      budget            starts        end     bound      gap  proved  seconds  neighbourhoods")
        for (name, problem) in CheckmateBenchmarks.cells(graphs: "unet,resnet18,vgg16",
                                                         budgets: { smallestBudgets[$0].map { "\($0),0.6" } ?? "0.6" }) {
            let bytes = problem.budget
            let formulation = CheckmateFormulation(problem)
            let everyStart = CheckmateMILP.asAuto(options: SolveOptions(timeLimit: seconds))
            for starts in [1, everyStart.maximumStarts] {
                var method = everyStart
                method.maximumStarts = starts
                let clock = Stopwatch()
                let label = name.padding(toLength: 10, withPad: " ", startingAt: 0) + String(format: " %-17ld %6ld", bytes, starts)
                guard let solution = try? method.plan(formulation, warmStarts: CheckmateBenchmarks.heuristicStarts(problem)) else {
                    print("\(label)  no schedule")
                    continue
                }
                let elapsed = clock.seconds
                // Measured again, as every answer is: the method's own evaluation is not taken on trust.
                let measured = problem.evaluate(solution.evaluation.schedule)
                let checked = measured.fits(problem.budget) && abs(measured.cost - solution.evaluation.cost) <= 1e-6 * measured.cost
                func percent(_ cost: Double) -> String { String(format: "%7.3f%%", (cost / problem.baseCost - 1) * 100) }
                let gap = solution.bound.map { String(format: "%7.2f%%", max(0, solution.evaluation.cost - $0) / solution.evaluation.cost * 100) } ?? "      -"
                print(String(format: "%@ %@ %@ %@  %6@ %8.1f  %14ld%@", label as NSString, percent(solution.evaluation.cost) as NSString,
                             (solution.bound.map(percent) ?? "       -") as NSString, gap as NSString,
                             (solution.solverStatus == "optimal" ? "yes" : "no") as NSString, elapsed, solution.neighbourhoods ?? 0,
                             (checked ? "" : "  MEASURED DIFFERENTLY") as NSString))
            }
        }
    }
}
