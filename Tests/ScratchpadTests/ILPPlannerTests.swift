import MILP
import MemoryGraph
import Plan
import Testing
@testable import Scratchpad
import Verifier

@Suite struct ILPPlannerTests {
    /// Exhaustive search over the same decisions (evict each gap or not,
    /// store each activation or not), independent of any solver.
    static func bruteForce(_ problem: ScratchpadProblem) -> Int? {
        let ilp = CompactReplacementILP(problem: problem)
        let gaps = ilp.gaps
        guard gaps.count <= 16 else { return nil }
        var best: Int?
        for mask in 0 ..< (1 << gaps.count) {
            var cost = 0
            var stored = Set<Int>()
            var kept = [Int](repeating: 0, count: problem.need.count)
            for (g, gap) in gaps.enumerated() {
                let bytes = problem.bytes(gap.tensor)
                if mask & (1 << g) != 0 {
                    cost += bytes
                    if !problem.startsInHost(gap.tensor), !problem.isGraphOutput[gap.tensor] { stored.insert(gap.tensor) }
                } else {
                    for s in gap.from + 1 ..< gap.to { kept[s] += bytes }
                }
            }
            cost += stored.reduce(0) { $0 + problem.bytes($1) }
            let fits = problem.need.indices.allSatisfy { problem.footprint(atStep: $0) + kept[$0] <= problem.capacity }
            if fits, best == nil || cost < best! { best = cost }
        }
        return best
    }

    @Test(arguments: [SolverChoiceForTests.cbc, .glpk])
    func ilpMatchesExhaustiveSearchOnRandomGraphs(_ backend: SolverChoiceForTests) throws {
        var checked = 0
        for seed in UInt64(1) ... 40 {
            let graph = try SmallGraphs.random(operators: 7, seed: seed)
            let schedule = Schedule.default(for: graph)
            let budgets = ScratchpadBudgets(ScratchpadProblem(graph: graph, schedule: schedule, capacity: 0))
            for capacity in [budgets.minimum, budgets.half] {
                let problem = ScratchpadProblem(graph: graph, schedule: schedule, capacity: capacity)
                guard let expected = Self.bruteForce(problem) else { continue }
                let ilp = CompactReplacementILP(problem: problem)
                let built = ilp.build(capacity: capacity)
                let result = backend.solver.solve(built.model)
                #expect(result.status == .optimal, "seed \(seed)")
                #expect(Int((result.objective ?? -1).rounded()) == expected, "seed \(seed) capacity \(capacity)")
                let outcome = try ILPPlanner(solver: backend.solver).plan(problem)
                let report = Verifier.verify(outcome.plan, against: graph, mode: .realMemory())
                #expect(report.passed, "seed \(seed): \(report.failure?.description ?? "")")
                // The plan's own accounting equals the optimum whenever addresses fit.
                #expect(outcome.plan.metrics.nonCompulsoryBytes >= expected)
                #expect(Double(expected) >= outcome.bound - 0.5)
                if let baseline = outcome.baselineTraffic { #expect(outcome.plan.metrics.nonCompulsoryBytes <= baseline) }
                checked += 1
            }
        }
        #expect(checked >= 60)
    }

    @Test func theWarmStartFromBeladyIsFeasible() throws {
        for seed in UInt64(1) ... 20 {
            let graph = try SmallGraphs.random(operators: 9, seed: seed)
            let schedule = Schedule.default(for: graph)
            let budgets = ScratchpadBudgets(ScratchpadProblem(graph: graph, schedule: schedule, capacity: 0))
            let problem = ScratchpadProblem(graph: graph, schedule: schedule, capacity: budgets.minimum)
            let ilp = CompactReplacementILP(problem: problem)
            let built = ilp.build(capacity: problem.capacity)
            let belady = try ReplacementSimulation(problem: problem, policy: .belady).run(budget: problem.capacity)
            let start = ilp.warmStart(from: belady.residencies, built: built)
            #expect(built.model.violation(at: start) == nil, "seed \(seed)")
            // Belady's traffic is at least the warm start's objective.
            #expect(built.model.objectiveValue(at: start) <= Double(belady.loadedBytes + belady.storedBytes - problem.compulsoryBytes) + 0.5)
        }
    }
}

enum SolverChoiceForTests: String, CaseIterable, Sendable, CustomStringConvertible {
    case cbc, glpk
    var solver: any Solver { self == .cbc ? CBCSolver() : GLPKSolver() }
    var description: String { rawValue }
}
