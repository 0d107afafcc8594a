import MemoryGraph
import Plan
import Testing
@testable import Scratchpad

@Suite struct BaselinePlannerTests {
    @Test func budgetsOfTheSkipChain() throws {
        let graph = try SmallGraphs.skipChain()
        let problem = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 0)
        let budgets = ScratchpadBudgets(problem)
        // op3 reads c (6), a (8), w3 (2) and writes y (4): 20 bytes.
        #expect(budgets.minimum == 20)
        // Keeping everything from first to last use peaks at op2: a, b, c, w2 = 8+6+6+2.
        #expect(budgets.noSpill == 22)
        #expect(budgets.named("m_h") == 21)
    }

    @Test func atMPNothingMovesBeyondTheCompulsory() throws {
        let graph = try SmallGraphs.skipChain()
        let problem = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 22)
        let plan = try BaselinePlanner().plan(problem)
        #expect(plan.metrics.nonCompulsoryBytes == 0)
        // x and four weights loaded once, y stored once.
        #expect(plan.metrics.compulsoryBytes == 4 + 4 * 2 + 4)
        #expect(plan.metrics.heights["scratchpad"]! <= 22)
    }

    @Test func belowMPTheSkipIsSpilledAndReloaded() throws {
        let graph = try SmallGraphs.skipChain()
        let problem = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 20)
        let plan = try BaselinePlanner().plan(problem)
        // a (8 bytes) is stored once and loaded once.
        #expect(plan.metrics.nonCompulsoryBytes == 16)
        let a = 1
        let copies = plan.steps.flatMap { $0.before + $0.after }.filter { $0.kind == .copy && $0.tensor == a }
        #expect(copies.map(\.tier) == ["host", "scratchpad"])
    }

    @Test func belowMRTheOperatorIsNamed() throws {
        let graph = try SmallGraphs.skipChain()
        let problem = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 19)
        #expect {
            _ = try BaselinePlanner().plan(problem)
        } throws: { error in
            "\(error)".contains("op3") && "\(error)".contains("20 bytes")
        }
    }
}
