import MILP
import MemoryGraph
import Plan
import Testing
import Verifier
@testable import Remat

/// Spills to host: the exact MILP with store and load variables against
/// the exhaustive search with store and load moves, the greedy eviction
/// with spills under the verifier, and broken copies rejected.
@Suite struct SpillTests {
    /// One cost unit per byte each way: a round trip of a 1–3 byte value
    /// costs 2–6, recomputing it 1–4, so either can win.
    static let costs = SpillCosts(storePerByte: 1, loadPerByte: 1)
    /// Free stores, one unit per byte loaded: spills win more often.
    static let cheapStores = SpillCosts(storePerByte: 0, loadPerByte: 1)

    static func problem(_ graph: Graph, budget: Int, costs: SpillCosts = costs) throws -> RematProblem {
        var problem = try RematProblem(graph: graph, budget: budget)
        problem.spill = costs
        return problem
    }

    /// Seeds whose tiny graph has at most 6 operators: the spill MILP and
    /// the exhaustive search with host states stay at a second or so each.
    static let smallSeeds: [UInt64] = (UInt64(1) ... 40).filter { TinyTrainingGraphs.graph(seed: $0).operators.count <= 6 }

    static func verify(_ problem: RematProblem, _ evaluation: RematEvaluation) -> [VerificationReport] {
        let plan = RematPlanAssembly.plan(problem, evaluation, method: "test")
        return [VerificationMode.symbolic, .realMemory()].map { Verifier.verify(plan, against: problem.graph, mode: $0) }
    }

    @Test("exact with spills equals the exhaustive optimum with store and load moves; its plans verify")
    func exactEqualsExhaustive() throws {
        var compared = 0, spilling = 0
        for seed in Self.smallSeeds.prefix(6) {
            let graph = TinyTrainingGraphs.graph(seed: seed)
            let base = try Self.problem(graph, budget: 0, costs: Self.cheapStores)
            for budget in [base.provenMinimum.bytes] {
                let problem = base.with(budget: budget)
                let label = "seed \(seed), budget \(budget)"
                let truth = SpillBruteForce(graph: graph, budget: budget, cap: 2, store: 0, load: 1).optimum()
                do {
                    let solution = try SlotILP(solver: CBCSolver(), options: SolveOptions(timeLimit: 120)).plan(problem)
                    #expect(solution.solverStatus == "optimal", "\(label)")
                    #expect(truth.map(Double.init) == solution.evaluation.cost, "\(label): exact \(solution.evaluation.cost), exhaustive \(truth ?? -1)")
                    for report in Self.verify(problem, solution.evaluation) {
                        #expect(report.passed, "\(label): \(report.failure?.description ?? "")")
                    }
                    if solution.evaluation.storedBytes > 0 { spilling += 1 }
                    compared += 1
                } catch {
                    #expect(truth == nil, "\(label): exact found nothing (\(error)), the exhaustive optimum is \(truth ?? -1)")
                }
            }
        }
        #expect(compared >= 4 && spilling >= 1, "\(compared) compared, \(spilling) spill")
        print("exact with spills vs exhaustive: \(compared) compared, \(spilling) spill")
    }

    @Test("greedy with spills: plans verify, fit, and cost at least the exhaustive optimum (up to 6 operators); some spill")
    func greedyVerifies() throws {
        var planned = 0, spilling = 0
        for seed in UInt64(1) ... 40 {
            let graph = TinyTrainingGraphs.graph(seed: seed)
            let base = try Self.problem(graph, budget: 0, costs: Self.cheapStores)
            let low = base.provenMinimum.bytes, high = base.keepAllPeak
            for budget in Set([low, (low + high) / 2]).sorted() {
                let problem = base.with(budget: budget)
                guard let solution = try? GreedyEvictionPlanner.plan(problem) else { continue }
                let label = "seed \(seed), budget \(budget)"
                #expect(solution.evaluation.peak <= budget, "\(label)")
                for report in Self.verify(problem, solution.evaluation) {
                    #expect(report.passed, "\(label): \(report.failure?.description ?? "")")
                }
                // The uncapped search with host states is slow beyond 6 operators.
                if graph.operators.count <= 6, let truth = SpillBruteForce(graph: graph, budget: budget, cap: nil, store: 0, load: 1).optimum() {
                    #expect(solution.evaluation.cost >= Double(truth), "\(label)")
                }
                if solution.evaluation.storedBytes > 0 { spilling += 1 }
                planned += 1
            }
        }
        // 33 plans, 14 spilling on 2026-11-29.
        #expect(planned > 25 && spilling >= 5, "\(planned) planned, \(spilling) spill")
        print("greedy with spills: \(planned) planned, \(spilling) spill")
    }

    /// Spilling plans: greedy's with loads, on the tiny graphs.
    static func spillingPlans() throws -> [(RematProblem, Plan)] {
        var result: [(RematProblem, Plan)] = []
        for seed in UInt64(1) ... 80 {
            let base = try problem(TinyTrainingGraphs.graph(seed: seed), budget: 0, costs: cheapStores)
            for budget in [base.provenMinimum.bytes, (base.provenMinimum.bytes + base.keepAllPeak) / 2] {
                let problem = base.with(budget: budget)
                guard let solution = try? GreedyEvictionPlanner.plan(problem), solution.evaluation.loadedBytes > 0 else { continue }
                result.append((problem, RematPlanAssembly.plan(problem, solution.evaluation, method: "greedy")))
            }
        }
        return result
    }

    @Test("mutants: a load without its store, a value freed before its store, a misstated transfer cost, an unpriced link")
    func mutantsAreRejected() throws {
        let plans = try Self.spillingPlans()
        #expect(plans.count >= 5, "\(plans.count) spilling plans")
        var tried: [String: Int] = [:]
        for (problem, plan) in plans {
            let graph = problem.graph
            func check(_ name: String, _ mutant: Plan, _ kinds: Set<VerificationFailure.Kind>) {
                var broken = mutant
                broken.deriveResidencies()
                tried[name, default: 0] += 1
                for mode in [VerificationMode.symbolic, .realMemory()] {
                    let report = Verifier.verify(broken, against: graph, mode: mode)
                    #expect(!report.passed, "\(graph.name) \(name): passed")
                    if let kind = report.failure?.kind { #expect(kinds.contains(kind), "\(graph.name) \(name): \(report.failure!.description)") }
                }
            }
            // The first store, with its host allocation, removed: the load that follows finds no valid copy.
            if let s = plan.steps.indices.first(where: { plan.steps[$0].after.contains { $0.kind == .copy && $0.tier == RematPlanAssembly.hostTier } }) {
                var noStore = plan
                let copy = noStore.steps[s].after.firstIndex { $0.kind == .copy && $0.tier == RematPlanAssembly.hostTier }!
                let t = noStore.steps[s].after[copy].tensor
                noStore.steps[s].after.remove(at: copy)
                check("loadWithoutStore", noStore, [.notResident, .metricMismatch])
                // The device copy freed before the store copies it.
                if let free = plan.steps[s].after.firstIndex(where: { $0.kind == .free && $0.tensor == t && $0.tier == RematPlanAssembly.deviceTier }) {
                    var early = plan
                    let action = early.steps[s].after.remove(at: free)
                    early.steps[s].after.insert(action, at: copy)
                    check("freedBeforeStore", early, [.notResident])
                }
            }
            var misstated = plan
            misstated.recompute?.transferCost? += 1
            check("misstatedTransferCost", misstated, [.metricMismatch])
            var unpriced = plan
            unpriced.recompute?.linkCosts = nil
            check("unpricedLink", unpriced, [.metricMismatch])
        }
        for name in ["loadWithoutStore", "freedBeforeStore", "misstatedTransferCost", "unpricedLink"] {
            #expect(tried[name, default: 0] >= 5, "\(name) tried \(tried[name, default: 0]) times")
        }
    }

    @Test("the evaluation refuses a load without a store and copies without spill costs")
    func evaluationViolations() throws {
        let graph = TinyTrainingGraphs.graph(seed: 2)
        let problem = try Self.problem(graph, budget: 100)
        let t = problem.outputs[problem.order[0]][0]
        let loadFirst = problem.evaluate(events: [.run(problem.order[0]), .load(t)] + problem.order.dropFirst().map { .run($0) })
        #expect(loadFirst.violation?.contains("without a valid copy") == true, "\(loadFirst.violation ?? "none")")
        var noSpill = problem
        noSpill.spill = nil
        let stored = noSpill.evaluate(events: [.run(problem.order[0]), .store(t)] + problem.order.dropFirst().map { .run($0) })
        #expect(stored.violation?.contains("spills are not allowed") == true)
        let roundTrip = problem.evaluate(events: [.run(problem.order[0]), .store(t)] + problem.order.dropFirst().map { .run($0) })
        #expect(roundTrip.isValid && roundTrip.transferCost == Double(problem.bytes[t]) && roundTrip.storedBytes == problem.bytes[t])
    }
}
