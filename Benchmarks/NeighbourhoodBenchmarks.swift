import Foundation
import MILP
import Remat

/// One neighbourhood of ``CheckmateLNS`` two ways: the full stage MILP
/// restricted to its free variables (``RestrictedModel``, memory through
/// the U variables, as before 85664ca) and ``CheckmateLNS/neighbourhoodModel(_:fixing:at:)``
/// (memory rows over the free variables). Per graph, budget and window of
/// positions: columns, rows, build and CBC solve seconds and objectives of
/// both, from the cheapest heuristic start in stage form. The objectives
/// must agree (the same neighbourhood); the ratio of solve times is the
/// point.
///
/// Environment: `REMAT_GRAPHS` (default `vgg16,unet,resnet18`),
/// `REMAT_BUDGETS` (default `0.6`), `REMAT_WIDTH` (positions per window,
/// default 5), `REMAT_WINDOWS` (windows per graph, spread over the order,
/// default 6), `REMAT_LIMIT` (seconds per solve, default 10).
enum NeighbourhoodBenchmarks {
    static func run() {
        let environment = ProcessInfo.processInfo.environment
        let names = (environment["REMAT_GRAPHS"] ?? "vgg16,unet,resnet18").split(separator: ",").map(String.init)
        let fractions = (environment["REMAT_BUDGETS"] ?? "0.6").split(separator: ",").compactMap { Double($0) }
        let width = Int(environment["REMAT_WIDTH"] ?? "") ?? 5
        let windowCount = Int(environment["REMAT_WINDOWS"] ?? "") ?? 6
        let limit = Double(environment["REMAT_LIMIT"] ?? "") ?? 10
        var options = SolveOptions(timeLimit: limit)
        options.cbc.preprocessing = false  // as CheckmateLNS solves them
        print("Neighbourhood MILPs of the stage search (CBC, \(Int(limit)) s per solve, no Cgl preprocessing): with U / memory rows over the free variables")
        print("graph      budget window     columns U/rows   rows U/rows   build s U/rows    solve s U/rows   objective U / rows")
        for (name, _, base) in CheckmateBenchmarks.trainingProblems(names) {
            for fraction in fractions {
                let problem = base.with(budget: Int((Double(base.keepAllPeak) * fraction).rounded(.down)))
                let formulation = CheckmateFormulation(problem)
                guard let start = CheckmateMILP.warmStart(formulation, candidates: CheckmateBenchmarks.heuristicStarts(problem)) else {
                    print(String(format: "%-10@ %6.2f no heuristic start fits", name as NSString, fraction))
                    continue
                }
                let n = formulation.n
                var totals = (withU: 0.0, rows: 0.0)
                for w in 0 ..< windowCount {
                    let first = min(max(0, n - width), w * n / windowCount)
                    let window = Array(first ..< min(n, first + width))
                    let fixed = CheckmateLNS.positionWindow(formulation, positions: window)
                    var plain: RestrictedModel?
                    var collapsed: RestrictedModel?
                    let plainBuild = bestTime(repeats: 1) { plain = RestrictedModel(formulation.model, fixing: fixed, at: start.values) }
                    let collapsedBuild = bestTime(repeats: 1) { collapsed = CheckmateLNS.neighbourhoodModel(formulation, fixing: fixed, at: start.values) }
                    guard let plain, let collapsed else { continue }
                    var plainResult: SolveResult?
                    var collapsedResult: SolveResult?
                    var solve = options
                    solve.warmStart = plain.restrict(start.values)
                    let plainSolve = bestTime(repeats: 1) { plainResult = CBCSolver().solve(plain.model, options: solve) }
                    solve.warmStart = collapsed.restrict(start.values)
                    let collapsedSolve = bestTime(repeats: 1) { collapsedResult = CBCSolver().solve(collapsed.model, options: solve) }
                    totals.withU += plainSolve
                    totals.rows += collapsedSolve
                    func objective(_ result: SolveResult?) -> String {
                        guard let result, let value = result.objective else { return "-" }
                        return String(format: "%.2f%@", value, result.status == .optimal ? "" : "*")
                    }
                    print(String(format: "%-10@ %6.2f [%3ld,%3ld) %7ld/%-7ld %6ld/%-6ld %7.3f/%-7.3f %7.2f/%-7.2f %@ / %@",
                                 name as NSString, fraction, first, first + window.count,
                                 plain.model.variableCount, collapsed.model.variableCount,
                                 plain.model.constraintCount, collapsed.model.constraintCount,
                                 plainBuild, collapsedBuild, plainSolve, collapsedSolve,
                                 objective(plainResult) as NSString, objective(collapsedResult) as NSString))
                }
                print(String(format: "%-10@ %6.2f total solve s: %.2f with U, %.2f with memory rows (%.1fx); * = stopped at the limit",
                             name as NSString, fraction, totals.withU, totals.rows, totals.withU / max(totals.rows, 1e-9)))
            }
        }
    }
}
