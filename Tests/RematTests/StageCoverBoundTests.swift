import MILP
import MemoryGraph
import Testing
@testable import Remat

/// The covering bound over every stage's knapsack row (``StageCoverBound``)
/// against exhaustive searches on seeded tiny graphs: CBC's optimum equals
/// the covering MILP's optimum found by enumerating every subset of
/// producers; it is never below the stage knapsacks' bound and never above
/// the cheapest stage schedule (``StageBruteForce``); the producers that a
/// fitting stage schedule runs again always satisfy every row (the
/// derivation, checked on real schedules); and a mutant whose rows forget
/// their cap term goes above the stage optimum.
@Suite struct StageCoverBoundTests {
    static let seeds: [UInt64] = Array(1 ... 500)

    /// ``CheckmateTests/budgets(_:seed:)`` and three quarters of the way to the keep-all peak.
    static func budgets(_ problem: RematProblem, seed: UInt64) -> [Int] {
        let low = problem.provenMinimum.bytes, high = problem.keepAllPeak
        return Array(Set(CheckmateTests.budgets(problem, seed: seed) + [(low + 3 * high) / 4])).sorted()
    }

    /// The covering MILP's optimum by enumeration (cost of the cheapest
    /// set of producers that satisfies every row), nil when none does.
    static func enumerated(_ problem: RematProblem, _ rows: StageCoverBound.Rows) -> Double? {
        let producers = rows.producers
        precondition(producers.count <= 16, "tiny graphs only")
        var best: Double?
        for mask in 0 ..< (1 << producers.count) {
            let chosen = Set(producers.indices.filter { mask >> $0 & 1 == 1 }.map { producers[$0] })
            guard StageCoverBound.covers(rows, chosen) else { continue }
            let cost = chosen.reduce(0.0) { $0 + problem.costs[problem.order[$1]] }
            if cost < best ?? .infinity { best = cost }
        }
        return best
    }

    /// Every stage row with its cap term dropped (demand = all its bytes): a wrong bound.
    static func withoutCap(_ rows: StageCoverBound.Rows) -> StageCoverBound.Rows {
        var mutant = rows
        mutant.rows = rows.rows.map { ($0.weights, $0.weights.reduce(0) { $0 + $1.bytes }) }
        return mutant
    }

    @Test("covering bound: CBC equals enumeration; stage knapsacks ≤ it ≤ the stage optimum; fitting stage schedules satisfy its rows; a mutant fails")
    func coverBetweenKnapsackAndStageOptimum() throws {
        var compared = 0, coverPlans = 0, coverPlansOptimal = 0, aboveKnapsack = 0, infeasible = 0, schedulesChecked = 0, mutantAbove = 0
        for seed in Self.seeds {
            let graph = TinyTrainingGraphs.graph(seed: seed)
            let base = try RematProblem(graph: graph, budget: 0)
            for budget in Self.budgets(base, seed: seed) {
                let problem = base.with(budget: budget)
                let label = "seed \(seed), budget \(budget)"
                let stageTruth = StageBruteForce(graph: graph, budget: budget).optimum()
                guard let rows = StageCoverBound.rows(problem) else {
                    #expect(stageTruth == nil, "\(label): a stage cannot fit, but the stage optimum is \(stageTruth ?? -1)")
                    #expect(StageKnapsackBound.cost(problem) == nil, "\(label)")
                    infeasible += 1
                    continue
                }
                let exact = Self.enumerated(problem, rows)
                let outcome = StageCoverBound(options: SolveOptions(timeLimit: 30)).solve(problem)
                guard let exact else {
                    #expect(outcome == nil, "\(label): no cover exists but the solve gave \(outcome?.bound ?? -1)")
                    #expect(stageTruth == nil, "\(label): no cover exists but the stage optimum is \(stageTruth ?? -1)")
                    infeasible += 1
                    continue
                }
                guard let outcome else {
                    Issue.record("\(label): the covering MILP found nothing, enumeration \(exact)")
                    continue
                }
                let knapsack = try #require(StageKnapsackBound.cost(problem))
                #expect(outcome.proved, "\(label)")
                #expect(abs((outcome.coverBound ?? -1) - (problem.baseCost + exact)) < 1e-6,
                        "\(label): CBC \(outcome.coverBound ?? -1), enumeration \(problem.baseCost + exact)")
                #expect(outcome.cover.map { StageCoverBound.covers(rows, Set($0)) } == true, "\(label)")
                #expect(outcome.bound >= knapsack - 1e-9, "\(label): cover \(outcome.bound) below the knapsacks \(knapsack)")
                if outcome.bound > knapsack + 1e-9 { aboveKnapsack += 1 }
                if let stageTruth {
                    #expect(outcome.bound <= Double(stageTruth) + 1e-6, "\(label): cover \(outcome.bound) above the stage optimum \(stageTruth)")
                    if let wrong = Self.enumerated(problem, Self.withoutCap(rows)), problem.baseCost + wrong > Double(stageTruth) + 1e-6 {
                        mutantAbove += 1
                    }
                }
                // The cover made into a schedule: it fits, verifies, and is no cheaper than the stage optimum.
                if let cover = outcome.cover, let planned = StageCoverBound.plan(CheckmateFormulation(problem), cover: cover) {
                    #expect(planned.fits(budget), "\(label)")
                    #expect(stageTruth.map { planned.cost >= Double($0) - 1e-6 } == true, "\(label): cover plan \(planned.cost), stage optimum \(stageTruth ?? -1)")
                    let report = CheckmateTests.verified(problem, RematSolution(method: "cover", evaluation: planned))
                    #expect(report.passed, "\(label): \(report.failure?.description ?? "")")
                    if stageTruth.map({ planned.cost <= Double($0) + 1e-6 }) == true { coverPlansOptimal += 1 }
                    coverPlans += 1
                }
                // The derivation on real schedules: what a fitting stage schedule runs again covers every row.
                let schedules = [try? GreedyEvictionPlanner.plan(problem), try? ChenPlanner.plan(problem),
                                 try? TorchKnapsackPlanner.plan(problem), try? KeepAllPlanner.plan(problem)].compactMap { $0?.evaluation }
                for evaluation in schedules where evaluation.fits(budget) {
                    guard let raw = StageSchedule.stages(of: evaluation.schedule, problem) else { continue }
                    let stages = StageSchedule.canonical(raw, problem)
                    let measured = problem.evaluate(CheckmateFormulation(problem).schedule(of: stages))
                    guard measured.fits(budget) else { continue }
                    let again = StageCoverBound.recomputed(stages)
                    #expect(StageCoverBound.covers(rows, again), "\(label): a fitting stage schedule's recomputations miss a row")
                    #expect(measured.cost >= outcome.bound - 1e-6, "\(label)")
                    schedulesChecked += 1
                }
                compared += 1
            }
        }
        print("stage cover vs exhaustive: \(compared) compared, \(aboveKnapsack) above the stage knapsacks, \(infeasible) without a stage schedule, \(schedulesChecked) fitting stage schedules cover their rows, mutant above the optimum in \(mutantAbove); \(coverPlans) cover plans, \(coverPlansOptimal) at the stage optimum")
        #expect(compared >= 400, "\(compared) cases compared")
        #expect(aboveKnapsack >= 20, "the covering bound proves more than the knapsacks in \(aboveKnapsack) cases")
        #expect(schedulesChecked >= 800)
        #expect(coverPlans >= 300, "only \(coverPlans) covers became schedules")
        #expect(mutantAbove >= 100, "the cap-less mutant goes above the stage optimum in only \(mutantAbove) cases")
    }
}
