import MILP
import MemoryGraph
import Plan
import Testing
import Verifier
@testable import Remat

/// Checkmate's stage MILP and its LP rounding against the exhaustive
/// searches on seeded tiny graphs: the MILP's optimum equals the cheapest
/// stage schedule (``StageBruteForce``) and is at least the cheapest
/// schedule of all (``BruteForce``); the LP's bound is at most it; every
/// plan verifies.
@Suite struct CheckmateTests {
    static let seeds: [UInt64] = Array(1 ... 150)

    /// Halfway to the keep-all peak and one byte below the peak; for the
    /// first 15 seeds also the proven minimum, where most tiny graphs have
    /// no stage schedule (the infeasible verdicts are checked too).
    static func budgets(_ problem: RematProblem, seed: UInt64) -> [Int] {
        let low = problem.provenMinimum.bytes, high = problem.keepAllPeak
        return Array(Set([(low + high) / 2, max(low, high - 1)] + (seed <= 15 ? [low] : []))).sorted()
    }

    static func verified(_ problem: RematProblem, _ solution: RematSolution) -> VerificationReport {
        let plan = RematPlanAssembly.plan(problem, solution.evaluation, method: solution.method)
        return Verifier.verify(plan, against: problem.graph, mode: .realMemory())
    }

    static let solve = SolveOptions(timeLimit: 60)

    @Test("the stage MILP equals the exhaustive stage optimum, is at least the unrestricted one; lp bounds it; plans verify")
    func checkmateEqualsStageBruteForce() throws {
        var compared = 0, recomputing = 0, strictScope = 0, infeasible = 0, warmStarted = 0, lpPlans = 0, knapsackAboveBase = 0
        for seed in Self.seeds {
            let graph = TinyTrainingGraphs.graph(seed: seed)
            let base = try RematProblem(graph: graph, budget: 0)
            for budget in Self.budgets(base, seed: seed) {
                let problem = base.with(budget: budget)
                let label = "seed \(seed), budget \(budget)"
                let stageTruth = StageBruteForce(graph: graph, budget: budget).optimum()
                let truth = BruteForce(graph: graph, budget: budget, cap: nil).optimum()
                if let stageTruth { #expect(truth.map { $0 <= stageTruth } == true, "\(label): stage \(stageTruth), all \(truth ?? -1)") }
                let heuristics = [try? GreedyEvictionPlanner.plan(problem), try? ChenPlanner.plan(problem),
                                  try? TorchKnapsackPlanner.plan(problem)].compactMap { $0?.evaluation }
                let knapsack = StageKnapsackBound.cost(problem)
                if let stageTruth {
                    #expect(knapsack.map { $0 <= Double(stageTruth) + 1e-6 } == true,
                            "\(label): stage-knapsack bound \(knapsack ?? -1) above the stage optimum \(stageTruth)")
                    if let knapsack, knapsack > problem.baseCost + 1e-9 { knapsackAboveBase += 1 }
                }
                let formulation = CheckmateFormulation(problem)
                if let start = CheckmateMILP.warmStart(formulation, candidates: heuristics) {
                    warmStarted += 1
                    #expect(formulation.model.violation(at: start.values) == nil, "\(label)")
                    #expect(abs(formulation.model.objectiveValue(at: start.values) - start.evaluation.cost) < 1e-6, "\(label)")
                }
                do {
                    let solution = try CheckmateMILP(options: Self.solve, coverShare: 0.2, criticalShare: 0.2).plan(formulation, warmStarts: heuristics)
                    #expect(solution.solverStatus == "optimal", "\(label)")
                    #expect(solution.boundScope == .stages)
                    #expect(stageTruth.map { Double($0) } == solution.evaluation.cost,
                            "\(label): checkmate \(solution.evaluation.cost), exhaustive over stages \(stageTruth.map(String.init) ?? "none")")
                    if let bound = solution.bound { #expect(bound <= solution.evaluation.cost + 1e-6, "\(label)") }
                    let report = Self.verified(problem, solution)
                    #expect(report.passed, "\(label): \(report.failure?.description ?? "")")
                    #expect(report.metrics.peakBytes["device"] == solution.evaluation.peak)
                    if solution.evaluation.recomputations > 0 { recomputing += 1 }
                    if let truth, Double(truth) < solution.evaluation.cost { strictScope += 1 }
                    compared += 1
                } catch {
                    #expect(stageTruth == nil, "\(label): checkmate found nothing (\(error)) but the stage optimum is \(stageTruth ?? -1)")
                    infeasible += 1
                }
                do {
                    let rounded = try LPRounding(options: Self.solve).plan(problem)
                    #expect(rounded.evaluation.fits(budget), "\(label)")
                    #expect(Self.verified(problem, rounded).passed, "\(label)")
                    if let stageTruth {
                        #expect(rounded.evaluation.cost >= Double(stageTruth), "\(label): lp plan below the stage optimum")
                        if let bound = rounded.bound { #expect(bound <= Double(stageTruth) + 1e-6, "\(label): lp bound \(bound) above \(stageTruth)") }
                    } else {
                        Issue.record("\(label): lp found a stage schedule where the exhaustive search finds none")
                    }
                    lpPlans += 1
                } catch {
                    // A rounding that cannot be repaired is allowed; an infeasible LP is not, when a stage schedule exists.
                    if case .notFound(_, _, let reason) = error, reason.contains("infeasible") { #expect(stageTruth == nil, "\(label)") }
                }
            }
        }
        print("checkmate vs exhaustive: \(compared) compared, \(recomputing) recompute, \(strictScope) above the unrestricted optimum, \(infeasible) infeasible, \(warmStarted) warm starts, \(lpPlans) lp plans, \(knapsackAboveBase) stage-knapsack bounds above the base cost")
        #expect(compared >= 80, "\(compared) cases compared")
        #expect(recomputing >= 40, "\(recomputing) of \(compared) optima recompute")
        #expect(warmStarted >= 60)
        #expect(lpPlans >= 80)
        #expect(knapsackAboveBase >= 20, "the stage-knapsack bound proves extra cost in \(knapsackAboveBase) cases")
    }

    typealias SearchCase = (label: String, problem: RematProblem, budget: Int, formulation: CheckmateFormulation,
                            start: (stages: [[Int]], evaluation: RematEvaluation, values: [Double]), graph: Graph)

    /// The tiny cases with a stage warm start from the heuristics, over the first `count` seeds.
    static func searchCases(seeds count: Int) throws -> [SearchCase] {
        var cases: [SearchCase] = []
        for seed in seeds.prefix(count) {
            let graph = TinyTrainingGraphs.graph(seed: seed)
            let base = try RematProblem(graph: graph, budget: 0)
            for budget in budgets(base, seed: seed) {
                let problem = base.with(budget: budget)
                let heuristics = [try? GreedyEvictionPlanner.plan(problem), try? ChenPlanner.plan(problem),
                                  try? TorchKnapsackPlanner.plan(problem)].compactMap { $0?.evaluation }
                let formulation = CheckmateFormulation(problem)
                guard let start = CheckmateMILP.warmStart(formulation, candidates: heuristics) else { continue }
                cases.append(("seed \(seed), budget \(budget)", problem, budget, formulation, start, graph))
            }
        }
        return cases
    }

    @Test("large-neighbourhood search: never worse than its start, never below the stage optimum, equal to it when it converges; plans verify")
    func neighbourhoodSearch() throws {
        var searched = 0, converged = 0, improvedCases = 0, scatteredCases = 0
        for (label, problem, budget, formulation, start, graph) in try Self.searchCases(seeds: 30) {
            let stageTruth = try #require(StageBruteForce(graph: graph, budget: budget).optimum(), "\(label): a warm start but no stage schedule")
            // No time limit: every neighbourhood is solved to the end (CBC runs one solve at a time per
            // process, and the other suites' solves would eat a limit), so the outcome does not depend on load.
            let outcome = CheckmateLNS(options: SolveOptions(), initialWidth: 2).improve(formulation, from: start)
            #expect(outcome.evaluation.fits(budget), "\(label)")
            #expect(outcome.evaluation.cost <= start.evaluation.cost + 1e-9, "\(label)")
            #expect(outcome.evaluation.cost >= Double(stageTruth) - 1e-9, "\(label): below the stage optimum")
            #expect(formulation.model.violation(at: outcome.values) == nil, "\(label)")
            if outcome.converged {
                #expect(outcome.evaluation.cost == Double(stageTruth), "\(label): converged at \(outcome.evaluation.cost), optimum \(stageTruth)")
                converged += 1
            }
            if outcome.evaluation.cost < start.evaluation.cost { improvedCases += 1 }
            if outcome.scatteredNeighbourhoods > 0 { scatteredCases += 1 }
            #expect(outcome.scatteredImprovements <= min(outcome.improvements, outcome.scatteredNeighbourhoods), "\(label)")
            var windowsOnly = CheckmateLNS(options: SolveOptions(), initialWidth: 2)
            windowsOnly.scatteredRounds = false
            let windowed = windowsOnly.improve(formulation, from: start)
            #expect(windowed.scatteredNeighbourhoods == 0 && windowed.evaluation.cost >= Double(stageTruth) - 1e-9, "\(label)")
            let solution = RematSolution(method: CheckmateLNS.method, evaluation: outcome.evaluation)
            let report = Self.verified(problem, solution)
            #expect(report.passed, "\(label): \(report.failure?.description ?? "")")
            searched += 1
        }
        print("neighbourhood search: \(searched) searched, \(converged) converged, \(improvedCases) improved on their start, \(scatteredCases) with scattered rounds")
        #expect(searched >= 20)
        #expect(converged >= searched * 4 / 5)
        #expect(improvedCases >= 3)
        #expect(scatteredCases >= 1, "the scattered rounds run on some tiny graph")
    }

    @Test("scattered neighbourhoods: anchors are the positions whose values outlive the next position; each draw is short runs ending at anchors, spread over all of them")
    func scatteredNeighbourhoods() throws {
        var checked = 0
        for (label, problem, _, formulation, _, _) in try Self.searchCases(seeds: 20) {
            let n = formulation.n
            // Recomputed from the graph: a position whose output is a graph output or is read two or more positions later.
            var position = [Int](repeating: 0, count: n)
            for (p, o) in problem.order.enumerated() { position[o] = p }
            let expected = (0 ..< n).filter { p in
                problem.outputs[problem.order[p]].contains { v in
                    problem.bytes[v] > 0 && problem.graph.tensors[v].kind == .activation
                        && (problem.isGraphOutput[v] || problem.readers[v].contains { position[$0] >= p + 2 })
                }
            }
            let anchors = CheckmateLNS.anchors(formulation)
            #expect(anchors == (expected.isEmpty ? Array(0 ..< n) : expected), "\(label)")
            for draw in 0 ..< 50 {
                let set = CheckmateLNS.scatteredPositions(anchors: anchors, draw: draw)
                #expect(set == CheckmateLNS.scatteredPositions(anchors: anchors, draw: draw), "\(label): reproducible")
                #expect(set == Array(Set(set)).sorted() && set.allSatisfy { (0 ..< n).contains($0) }, "\(label)")
                #expect(set.count <= CheckmateLNS.scatteredParts * CheckmateLNS.scatteredPartWidth, "\(label)")
                // Every position is an anchor of the draw or one of the positions just before one.
                let drawn = set.filter { anchors.contains($0) }
                #expect(set.allSatisfy { q in drawn.contains { $0 >= q && $0 - q < CheckmateLNS.scatteredPartWidth } }, "\(label), draw \(draw): \(set)")
            }
            checked += 1
        }
        #expect(checked >= 20)
        // On as many anchors as U-Net's training graph has (31 of 102 positions): 200 draws, nearly all different,
        // every anchor in some draw.
        let anchors = Array(stride(from: 1, to: 94, by: 3))
        #expect(anchors.count == 31)
        let draws = (0 ..< 200).map { CheckmateLNS.scatteredPositions(anchors: anchors, draw: $0) }
        #expect(Set(draws).count >= 190)
        #expect(anchors.allSatisfy { anchor in draws.contains { $0.contains(anchor) } })
    }

    @Test("a neighbourhood's MILP with its memory rows stated over the free variables has the optimum of the one with U")
    func collapsedMemoryRowsKeepTheOptimum() throws {
        var compared = 0, smaller = 0
        for (label, _, _, formulation, start, _) in try Self.searchCases(seeds: 30) {
            let n = formulation.n
            let windows = stride(from: 0, to: n, by: 2).map { $0 ..< min(n, $0 + 3) } + [0 ..< n]
            for window in windows {
                let fixed = CheckmateLNS.positionWindow(formulation, positions: Array(window))
                let plain = RestrictedModel(formulation.model, fixing: fixed, at: start.values)
                let collapsed = CheckmateLNS.neighbourhoodModel(formulation, fixing: fixed, at: start.values)
                let a = CBCSolver().solve(plain.model, options: SolveOptions())
                let b = CBCSolver().solve(collapsed.model, options: SolveOptions())
                #expect(a.status == .optimal && b.status == .optimal, "\(label), \(window)")
                guard let x = a.objective, let y = b.objective else { continue }
                #expect(abs(x - y) <= 1e-6 * max(1, abs(x)), "\(label), \(window): \(x) with U, \(y) without")
                // Its solution, read as stages (made canonical, as the search does), costs no more than its objective.
                // (Whether it fits is the search's check: the stage MILP's own optimum, with U, need not fit the
                // memory model on these tiny graphs either.)
                let stages = StageSchedule.canonical(formulation.stages(from: collapsed.expand(b.values)), formulation.problem)
                let evaluation = formulation.problem.evaluate(formulation.schedule(of: stages))
                #expect(evaluation.isValid, "\(label), \(window)")
                #expect(evaluation.cost <= y + 1e-6, "\(label), \(window): decoded \(evaluation.cost), objective \(y)")
                if collapsed.model.variableCount < plain.model.variableCount { smaller += 1 }
                compared += 1
            }
        }
        #expect(compared >= 30)
        #expect(smaller == compared, "U is left out of every neighbourhood")
    }

    @Test("large-neighbourhood search with a target: stops at once when its start meets it, never ends below the stage optimum")
    func neighbourhoodSearchStopsAtItsTarget() throws {
        var stoppedAtOnce = 0, reachedOptimum = 0
        for (label, _, budget, formulation, start, graph) in try Self.searchCases(seeds: 20) {
            guard let optimum = StageBruteForce(graph: graph, budget: budget).optimum().map(Double.init) else { continue }
            let search = CheckmateLNS(options: SolveOptions(), initialWidth: 2)
            let idle = search.improve(formulation, from: start, target: start.evaluation.cost)
            #expect(idle.neighbourhoods == 0 && idle.evaluation.cost == start.evaluation.cost, "\(label)")
            if idle.neighbourhoods == 0 { stoppedAtOnce += 1 }
            let aimed = search.improve(formulation, from: start, target: optimum)
            #expect(aimed.evaluation.cost >= optimum - 1e-9, "\(label)")
            if aimed.evaluation.cost <= optimum + 1e-9 { reachedOptimum += 1 }
        }
        #expect(stoppedAtOnce >= 10)
        #expect(reachedOptimum >= 10)
    }

    @Test("large-neighbourhood search with a stall stop: none from the start with no patience or at its ceiling; with an hour of patience, the same search as without")
    func neighbourhoodSearchStallStop() throws {
        var compared = 0
        for (label, _, _, formulation, start, _) in try Self.searchCases(seeds: 10) {
            var impatient = CheckmateLNS(options: SolveOptions(), initialWidth: 2)
            impatient.stallStop = (after: 0, patience: 0, ceiling: .infinity)
            let idle = impatient.improve(formulation, from: start)
            #expect(idle.neighbourhoods == 0 && idle.evaluation.cost == start.evaluation.cost, "\(label)")
            // The tiny models solve in milliseconds: an hour's patience never runs out, and the search is the plain one.
            var patient = impatient
            patient.stallStop = (after: 0, patience: 3600, ceiling: .infinity)
            let plain = CheckmateLNS(options: SolveOptions(), initialWidth: 2).improve(formulation, from: start)
            let stretched = patient.improve(formulation, from: start)
            #expect(stretched.evaluation.cost == plain.evaluation.cost && stretched.neighbourhoods == plain.neighbourhoods, "\(label)")
            // At or above its ceiling past the stop's point it stops at once, however patient.
            var capped = patient
            capped.stallStop = (after: 0, patience: 3600, ceiling: start.evaluation.cost)
            let stopped = capped.improve(formulation, from: start)
            #expect(stopped.neighbourhoods == 0 && stopped.evaluation.cost == start.evaluation.cost, "\(label)")
            compared += 1
        }
        #expect(compared >= 5)
    }

    @Test("the search from several starts: never dearer than the cheapest, never below the stage optimum; a start at the bound ends it at once; the whole method proves the stage optimum")
    func searchFromSeveralStarts() throws {
        var searched = 0, severalStarts = 0, reachedOptimum = 0, provedByPlan = 0
        for (label, problem, budget, formulation, _, graph) in try Self.searchCases(seeds: 30) {
            let optimum = try #require(StageBruteForce(graph: graph, budget: budget).optimum().map(Double.init), "\(label)")
            let heuristics = [try? GreedyEvictionPlanner.plan(problem), try? ChenPlanner.plan(problem),
                              try? TorchKnapsackPlanner.plan(problem)].compactMap { $0?.evaluation }
            // Each heuristic's schedule on its own, the dearest first, every other one marked as the relaxation's.
            var starts: [(start: CheckmateMILP.Start, critical: Bool)] = []
            for start in heuristics.compactMap({ CheckmateMILP.warmStart(formulation, candidates: [$0]) })
                .sorted(by: { $0.evaluation.cost > $1.evaluation.cost })
            where !starts.contains(where: { $0.start.evaluation.cost == start.evaluation.cost }) {
                starts.append((start, starts.count % 2 == 0))
            }
            let cheapest = try #require(starts.map(\.start.evaluation.cost).min(), "\(label)")
            // No time limit that load could reach: every probe and neighbourhood ends on its own.
            let method = CheckmateMILP(options: SolveOptions(timeLimit: 600), lnsShare: 1)
            let found = try #require(method.search(formulation, from: starts, bound: nil, clock: Stopwatch()), "\(label)")
            let outcome = found.outcome
            #expect(outcome.evaluation.fits(budget) && formulation.model.violation(at: outcome.values) == nil, "\(label)")
            #expect(outcome.evaluation.cost <= cheapest + 1e-9, "\(label): \(outcome.evaluation.cost) above the cheapest start \(cheapest)")
            #expect(outcome.evaluation.cost >= optimum - 1e-9, "\(label): below the stage optimum")
            if outcome.converged { #expect(abs(outcome.evaluation.cost - optimum) < 1e-9, "\(label)") }
            #expect(found.critical == false || starts.contains { $0.critical }, "\(label)")
            #expect(Self.verified(problem, RematSolution(method: CheckmateMILP.method, evaluation: outcome.evaluation)).passed, "\(label)")
            if abs(outcome.evaluation.cost - optimum) < 1e-9 { reachedOptimum += 1 }
            if starts.count > 1 { severalStarts += 1 }
            // A bound that the first start already meets: nothing is searched, and the answer is that start.
            let first = starts[0]
            let idle = try #require(method.search(formulation, from: starts, bound: first.start.evaluation.cost, clock: Stopwatch()))
            #expect(idle.outcome.neighbourhoods == 0 && idle.outcome.evaluation.cost == first.start.evaluation.cost
                    && idle.critical == first.critical, "\(label)")
            // The whole method, with the covering and critical-moment bounds and the search: the stage optimum, proved.
            let solution = try CheckmateMILP(options: SolveOptions(timeLimit: 600), lnsShare: 1, coverShare: 0.2, criticalShare: 0.2)
                .plan(formulation, warmStarts: heuristics)
            #expect(abs(solution.evaluation.cost - optimum) < 1e-9, "\(label): \(solution.evaluation.cost) against \(optimum)")
            if solution.solverStatus == "optimal" { provedByPlan += 1 }
            searched += 1
        }
        print("search from several starts: \(searched) searched, \(severalStarts) with more than one start, \(reachedOptimum) reached the stage optimum, \(provedByPlan) proved by the whole method")
        #expect(searched >= 20)
        #expect(severalStarts >= 10)
        #expect(reachedOptimum >= searched * 4 / 5)
        #expect(provedByPlan == searched)
    }

    @Test("without the strengthenings the stage MILP has the same optimum")
    func strengtheningsKeepTheOptimum() throws {
        var compared = 0
        for seed in Self.seeds.prefix(20) {
            let graph = TinyTrainingGraphs.graph(seed: seed)
            let base = try RematProblem(graph: graph, budget: 0)
            for budget in Self.budgets(base, seed: seed) {
                let problem = base.with(budget: budget)
                let plain = try? CheckmateMILP(options: Self.solve, strengthenings: .none).plan(problem)
                let strong = try? CheckmateMILP(options: Self.solve).plan(problem)
                #expect(plain?.evaluation.cost == strong?.evaluation.cost, "seed \(seed), budget \(budget)")
                if plain != nil { compared += 1 }
            }
        }
        #expect(compared >= 10)
    }

    @Test("stage form: a heuristic's schedule splits into stages; canonical stages cost and peak no more")
    func stageForm() throws {
        var checked = 0
        for seed in Self.seeds {
            let graph = TinyTrainingGraphs.graph(seed: seed)
            let base = try RematProblem(graph: graph, budget: 0)
            let problem = base.with(budget: (base.provenMinimum.bytes + base.keepAllPeak) / 2)
            guard let greedy = try? GreedyEvictionPlanner.plan(problem) else { continue }
            let stages = try #require(StageSchedule.stages(of: greedy.evaluation.schedule, problem))
            #expect(stages.count == problem.operatorCount)
            for (t, stage) in stages.enumerated() { #expect(stage.last == t && stage == stage.sorted()) }
            let flat = stages.flatMap { $0.map { problem.order[$0] } }
            let canonical = StageSchedule.canonical(stages, problem)
            let before = problem.evaluate(flat), after = problem.evaluate(canonical.flatMap { $0.map { problem.order[$0] } })
            #expect(after.isValid && after.cost <= before.cost && after.peak <= before.peak, "seed \(seed)")
            checked += 1
        }
        #expect(checked >= 50)
        // Not a stage schedule: a first computation out of the given order.
        let graph = TinyTrainingGraphs.graph(seed: 1)
        let problem = try RematProblem(graph: graph, budget: 1 << 20)
        #expect(StageSchedule.stages(of: Array(problem.order.reversed()), problem) == nil)
    }
}
