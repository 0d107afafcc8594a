import Foundation
import MILP
import MemoryGraph
import ModelImport
import Remat

/// Checkmate's stage MILP and its LP rounding on the bundled training
/// graphs: per graph, budget and set of strengthenings, the formulation's
/// size, the warm start's cost, CBC's solve time, objective, bound and gap
/// (all costs as overheads over one forward + backward pass), and the LP
/// relaxation's bound and its best rounding.
///
/// Environment: `REMAT_GRAPHS` (default `vgg16,unet,resnet18`),
/// `REMAT_BUDGETS` (default `0.9,0.8,0.7,0.6`), `REMAT_VARIANTS` (`all`,
/// `none`, `no-keep`, `no-useful-r`, `no-useful-s`, `no-knapsack`,
/// `knapsack-only`; default `all,none`),
/// `REMAT_COVER` (seconds for the ``StageCoverBound`` row, default 10;
/// `0` skips it), `REMAT_CRITICAL` (seconds per ``CriticalMomentBound``
/// row, default 0: none) and `REMAT_CRITICAL_K` (its numbers of critical
/// stages, default `5,10,20`), `REMAT_LIMIT` (seconds per solve, default 60), `REMAT_LP` (`0` skips
/// the LP rows), `REMAT_LOG` (`1`: CBC's log on standard error),
/// `REMAT_CBC` (comma-separated: `nopre` turns CBC's Cgl preprocessing
/// off, `nocuts` / `rootcuts` its cuts off / to the root, `noheur` its
/// heuristics off), `REMAT_LNS` (seconds of ``CheckmateLNS`` from the warm
/// start, one row `lns` per budget; default 0: none), `REMAT_MILP` (`0`
/// skips the whole-MILP rows).
enum CheckmateBenchmarks {
    /// The bundled training graph `name` (Models/training/`name`.json, from the repository root) and its problem
    /// without a budget; nil when it cannot be loaded.
    static func trainingProblem(_ name: String) -> (graph: Graph, base: RematProblem)? {
        guard case .graph(let graph)? = try? ModelFile.load("Models/training/\(name).json"),
              let base = try? RematProblem(graph: graph, budget: 0) else { return nil }
        return (graph, base)
    }

    /// The bundled training graphs among `names` that load, in order, each with its problem without a budget;
    /// each one that does not is named on standard output ("not found"), after the caller's header, before its rows.
    static func trainingProblems(_ names: [String]) -> [(name: String, graph: Graph, base: RematProblem)] {
        names.compactMap { name in
            guard let (graph, base) = trainingProblem(name) else {
                print("\(name): not found (run from the repository root)")
                return nil
            }
            return (name, graph, base)
        }
    }

    /// The cells of the searches' benchmarks: the bundled training graphs named in `REMAT_GRAPHS` (else
    /// `graphs`, comma-separated), each at the budgets in `REMAT_BUDGETS` (else `budgets(name)`; fractions of
    /// its keep-everything peak, or bytes above 1), as problems with that budget in bytes.
    static func cells(graphs: String, budgets: (String) -> String) -> [(name: String, problem: RematProblem)] {
        let environment = ProcessInfo.processInfo.environment
        let names = (environment["REMAT_GRAPHS"] ?? graphs).split(separator: ",").map(String.init)
        return trainingProblems(names).flatMap { name, _, base in
            (environment["REMAT_BUDGETS"] ?? budgets(name)).split(separator: ",").compactMap { Double($0) }.map { budget in
                let bytes = budget > 1 ? Int(budget) : Int((Double(base.keepAllPeak) * budget).rounded(.down))
                return (name, base.with(budget: bytes))
            }
        }
    }

    /// The schedules of the heuristics that give the stage searches their starts (greedy eviction, Chen's √n, PyTorch's knapsack).
    static func heuristicStarts(_ problem: RematProblem) -> [RematEvaluation] {
        [try? GreedyEvictionPlanner.plan(problem), try? ChenPlanner.plan(problem), try? TorchKnapsackPlanner.plan(problem)]
            .compactMap { $0?.evaluation }
    }

    static func run() {
        let environment = ProcessInfo.processInfo.environment
        let names = (environment["REMAT_GRAPHS"] ?? "vgg16,unet,resnet18").split(separator: ",").map(String.init)
        let fractions = (environment["REMAT_BUDGETS"] ?? "0.9,0.8,0.7,0.6").split(separator: ",").compactMap { Double($0) }
        let variants = (environment["REMAT_VARIANTS"] ?? "all,none").split(separator: ",").map(String.init)
        let limit = Double(environment["REMAT_LIMIT"] ?? "") ?? 60
        let runLP = environment["REMAT_LP"] != "0"
        var solve = SolveOptions(timeLimit: limit)
        if environment["REMAT_LOG"] == "1" { solve.logLevel = .normal }
        let cbc = Set((environment["REMAT_CBC"] ?? "").split(separator: ",").map(String.init))
        solve.cbc.preprocessing = !cbc.contains("nopre")
        if cbc.contains("nocuts") { solve.cbc.cuts = .off }
        if cbc.contains("rootcuts") { solve.cbc.cuts = .rootOnly }
        solve.cbc.heuristics = !cbc.contains("noheur")
        let lnsSeconds = Double(environment["REMAT_LNS"] ?? "") ?? 0
        let runMILP = environment["REMAT_MILP"] != "0"
        let coverSeconds = Double(environment["REMAT_COVER"] ?? "") ?? 10
        let criticalSeconds = Double(environment["REMAT_CRITICAL"] ?? "") ?? 0
        let criticalCounts = (environment["REMAT_CRITICAL_K"] ?? "5,10,20").split(separator: ",").compactMap { Int($0) }
        func percent(_ cost: Double?, _ base: Double) -> String { cost.map { String(format: "%7.3f%%", ($0 / base - 1) * 100) } ?? "      - " }
        print("Checkmate stage MILP (CBC, \(Int(limit)) s per solve, \(cbc.isEmpty ? "CBC defaults" : cbc.sorted().joined(separator: ","))); overheads over one forward + backward pass")
        print("graph         ops budget variant                 columns    rows  build s  start     solve s  status    objective bound     gap")
        for (name, graph, base) in trainingProblems(names) {
            let peak = base.keepAllPeak
            for fraction in fractions {
                let problem = base.with(budget: Int((Double(peak) * fraction).rounded(.down)))
                let heuristics = heuristicStarts(problem)
                let knapsackClock = ContinuousClock.now
                let knapsack = StageKnapsackBound.cost(problem)
                let knapsackTime = ContinuousClock.now - knapsackClock
                print(String(format: "%-12@ %4ld %6.2f %-22@ ", name as NSString, graph.operators.count, fraction, "stage-knapsack bound" as NSString)
                      + percent(knapsack, problem.baseCost) + String(format: " (%.3f s)", Double(knapsackTime.components.attoseconds) * 1e-18 + Double(knapsackTime.components.seconds)))
                if coverSeconds > 0 {
                    // The covering MILP over every stage's knapsack row, warm-started from the best heuristic's recomputations.
                    let start = heuristics.filter { $0.fits(problem.budget) }.min { $0.cost < $1.cost }
                        .flatMap { StageSchedule.stages(of: $0.schedule, problem) }.map { StageCoverBound.recomputed(StageSchedule.canonical($0, problem)) }
                    let coverClock = ContinuousClock.now
                    let covered = StageCoverBound(options: SolveOptions(timeLimit: coverSeconds)).solve(problem, incumbent: start)
                    let coverTime = ContinuousClock.now - coverClock
                    print(String(format: "%-12@ %4ld %6.2f %-22@ %7ld %7ld ", name as NSString, graph.operators.count, fraction, "stage-cover bound" as NSString,
                                 covered?.variables ?? 0, covered?.rows ?? 0)
                          + percent(covered?.coverBound, problem.baseCost)
                          + String(format: " (%.3f s, %@)", Double(coverTime.components.attoseconds) * 1e-18 + Double(coverTime.components.seconds),
                                   (covered?.status.rawValue ?? "no stage schedule") as NSString))
                }
                if criticalSeconds > 0 {
                    // The critical-moment relaxation at the k stages of largest deficit, warm-started from the best heuristic.
                    let start = heuristics.filter { $0.fits(problem.budget) }.min { $0.cost < $1.cost }
                    for count in criticalCounts {
                        let critical = CriticalMomentBound.criticalPositions(problem, count: count)
                        let clock = ContinuousClock.now
                        let outcome = CriticalMomentBound(options: SolveOptions(timeLimit: criticalSeconds)).solve(problem, critical: critical, incumbent: start)
                        let elapsed = ContinuousClock.now - clock
                        print(String(format: "%-12@ %4ld %6.2f %-22@ %7ld %7ld ", name as NSString, graph.operators.count, fraction,
                                     "critical k=\(critical.count)" as NSString, outcome?.variables ?? 0, outcome?.rows ?? 0)
                              + percent(outcome?.bound, problem.baseCost)
                              + String(format: " (%.3f s, %@%@)", Double(elapsed.components.attoseconds) * 1e-18 + Double(elapsed.components.seconds),
                                       (outcome?.status.rawValue ?? "no schedule") as NSString, (outcome?.warmStarted == true ? ", warm" : "") as NSString))
                    }
                }
                for variant in variants {
                    var strengthenings = CheckmateFormulation.Strengthenings.all
                    switch variant {
                    case "none": strengthenings = .none
                    case "no-keep": strengthenings.noKeepWhileRecomputing = false
                    case "no-useful-r": strengthenings.usefulRecomputations = false
                    case "no-useful-s": strengthenings.usefulKeeps = false
                    case "no-knapsack": strengthenings.stageKnapsacks = false
                    case "knapsack-only": strengthenings = .none; strengthenings.stageKnapsacks = true
                    default: break
                    }
                    var formulation: CheckmateFormulation?
                    let build = bestTime(repeats: 1) { formulation = CheckmateFormulation(problem, strengthenings: strengthenings) }
                    guard let formulation else { continue }
                    let start = CheckmateMILP.warmStart(formulation, candidates: heuristics)
                    if lnsSeconds > 0, let start {
                        var lnsOptions = SolveOptions(timeLimit: lnsSeconds)
                        lnsOptions.cbc = solve.cbc
                        let clock = ContinuousClock.now
                        let found = CheckmateLNS(options: lnsOptions).improve(formulation, from: start)
                        let elapsed = ContinuousClock.now - clock
                        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                        print(String(format: "%-12@ %4ld %6.2f %-22@ %8ld %7ld %8.2f ", name as NSString, graph.operators.count, fraction,
                                     ("lns " + variant) as NSString, formulation.model.variableCount, formulation.model.constraintCount, build)
                              + percent(start.evaluation.cost, problem.baseCost) + String(format: " %8.2f  ", seconds)
                              + String(format: "%3ld/%3ld/%2ld w%-3ld", found.neighbourhoods, found.optimalNeighbourhoods, found.improvements, found.width)
                              + percent(found.evaluation.cost, problem.baseCost))
                    }
                    guard runMILP else { continue }
                    let clock = ContinuousClock.now
                    let solution = try? CheckmateMILP(options: solve, strengthenings: strengthenings)
                        .plan(formulation, warmStarts: heuristics)
                    let elapsed = ContinuousClock.now - clock
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                    let gap = solution.flatMap { s in s.bound.map { max(0, s.evaluation.cost - $0) / s.evaluation.cost } }
                    print(String(format: "%-12@ %4ld %6.2f %-22@ %8ld %7ld %8.2f ", name as NSString, graph.operators.count, fraction,
                                 variant as NSString, formulation.model.variableCount, formulation.model.constraintCount, build)
                          + percent(start?.evaluation.cost, problem.baseCost) + String(format: " %8.2f  ", seconds)
                          + (solution?.solverStatus ?? "none").padding(toLength: 9, withPad: " ", startingAt: 0) + " "
                          + percent(solution?.evaluation.cost, problem.baseCost) + " " + percent(solution?.bound, problem.baseCost)
                          + " " + (gap.map { String(format: "%6.3f%%", $0 * 100) } ?? "     -"))
                }
                if runLP {
                    let clock = ContinuousClock.now
                    let rounded = try? LPRounding(options: SolveOptions(timeLimit: limit)).plan(problem)
                    let elapsed = ContinuousClock.now - clock
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                    print(String(format: "%-12@ %4ld %6.2f %-22@ %8ld %7ld          ", name as NSString, graph.operators.count, fraction,
                                 "lp (all)" as NSString, rounded?.variables ?? 0, rounded?.rows ?? 0)
                          + "        " + String(format: " %8.2f  ", seconds)
                          + (rounded?.solverStatus ?? "none").padding(toLength: 9, withPad: " ", startingAt: 0) + " "
                          + percent(rounded?.evaluation.cost, problem.baseCost) + " " + percent(rounded?.bound, problem.baseCost))
                }
            }
        }
    }
}
