import Foundation
import MILP
import Remat

/// ``CheckmateLNS`` with and without its scattered rounds, from the same
/// start (the cheapest heuristic schedule in stage form) for the same time,
/// one after the other in one process, so that the two rows of a cell see
/// the same machine. Per graph and budget: the start, the end, when the
/// last improvement came, neighbourhoods solved (scattered ones among
/// them) and improvements. The end costs are the point; the search stops
/// early only when it converges.
///
/// Environment: `REMAT_GRAPHS` (default `unet,resnet18`), `REMAT_BUDGETS`
/// (fractions of the keep-everything peak, or bytes above 1; default
/// `953371065` for U-Net and `355320224` for ResNet-18, their smallest
/// budgets, and 0.6 for the others), `REMAT_SECONDS` (per search,
/// default 120).
enum SearchBenchmarks {
    static let smallestBudgets = ["unet": "953371065", "resnet18": "355320224"]

    static func run() {
        let seconds = Double(ProcessInfo.processInfo.environment["REMAT_SECONDS"] ?? "") ?? 120
        print("Checkmate's neighbourhood search (CBC, \(Int(seconds)) s per search): windows alone / with scattered rounds")
        print("graph      budget            variant     start      end   to best s  neighbourhoods (scattered)  improvements (scattered)")
        for (name, problem) in CheckmateBenchmarks.cells(graphs: "unet,resnet18", budgets: { smallestBudgets[$0] ?? "0.6" }) {
            let bytes = problem.budget
            let formulation = CheckmateFormulation(problem)
            guard let start = CheckmateMILP.warmStart(formulation, candidates: CheckmateBenchmarks.heuristicStarts(problem)) else {
                print(String(format: "%-10@ %-17ld no heuristic start fits", name as NSString, bytes))
                continue
            }
            func percent(_ cost: Double) -> String { String(format: "%7.3f%%", (cost / problem.baseCost - 1) * 100) }
            for scattered in [false, true] {
                var search = CheckmateLNS(options: SolveOptions(timeLimit: seconds))
                search.scatteredRounds = scattered
                let outcome = search.improve(formulation, from: start)
                // Measured again, as every answer is: the search's own evaluation is not taken on trust.
                let measured = problem.evaluate(formulation.schedule(of: outcome.stages))
                let checked = measured.fits(problem.budget) && abs(measured.cost - outcome.evaluation.cost) <= 1e-6 * measured.cost
                print(String(format: "%-10@ %-17ld %-9@ %@ %@ %9.1f  %8ld (%6ld)              %5ld (%4ld)%@",
                             name as NSString, bytes, (scattered ? "scattered" : "windows") as NSString,
                             percent(start.evaluation.cost) as NSString, percent(outcome.evaluation.cost) as NSString,
                             outcome.secondsToBest, outcome.neighbourhoods, outcome.scatteredNeighbourhoods,
                             outcome.improvements, outcome.scatteredImprovements,
                             (checked ? "" : "  MEASURED DIFFERENTLY") as NSString))
            }
        }
    }
}
