@testable import ArenaSchedule
import MILP
import MemoryGraph
import RandomNetworks
import Testing

@Suite struct SearchTests {
    /// The arena's live bytes are Liveness's without the graph inputs.
    @Test(arguments: Array(UInt64(1) ... 10))
    func liveBytesAgreeWithLiveness(seed: UInt64) {
        let graph = TinyArenaGraphs.graph(seed: seed, operators: 6)
        let problem = ArenaProblem(graph: graph)
        for order in BruteForce.orders(graph).prefix(20) {
            #expect(problem.liveBytes(order) == BruteForce.arenaLive(graph, order))
        }
    }

    /// Cuts by their definition: every other operator is an ancestor or a
    /// descendant.
    @Test(arguments: Array(UInt64(1) ... 20))
    func cutsAreTheOperatorsEveryPathCrosses(seed: UInt64) throws {
        let graph = seed % 2 == 0 ? TinyArenaGraphs.graph(seed: seed, operators: 7)
            : try NASCells.network(cells: 2, seed: seed)
        let problem = ArenaProblem(graph: graph)
        let order = problem.givenOrder
        let n = order.count
        var reaches = [Set<Int>](repeating: [], count: n)
        for o in order { for p in problem.predecessors[o] { reaches[o].formUnion(reaches[p]); reaches[o].insert(p) } }
        let expected = (0 ..< n).filter { s in
            let v = order[s]
            return (0 ..< n).allSatisfy { u in u == v || reaches[v].contains(u) || reaches[u].contains(v) }
        }
        let segments = OrderSegments(problem: problem, order: order)
        #expect(segments.cutPositions == expected)
        #expect(segments.ranges.first?.lowerBound == 0 && segments.ranges.last?.upperBound == n)
    }

    @Test func heuristicsGiveTopologicalOrders() throws {
        for seed in UInt64(0) ..< 5 {
            for graph in [try RandWire.stage(nodes: 32, sizes: .mixed, seed: seed), try NASCells.network(cells: 4, seed: seed)] {
                let problem = ArenaProblem(graph: graph)
                #expect(problem.isTopological(OrderHeuristics.xlaList(problem)))
                #expect(problem.isTopological(OrderHeuristics.inductor(problem)))
            }
        }
    }

    /// A state limit stops the search cleanly: a topological order no
    /// worse than the start, and a bound no better than the optimum.
    @Test func stateLimitStopsCleanly() throws {
        let graph = try RandWire.stage(nodes: 32, sizes: .equal, seed: 3)
        let problem = ArenaProblem(graph: graph)
        let start = problem.givenOrder
        let full = PeakSearch().minimumPeak(problem, incumbent: start, lowerBound: 0)
        #expect(full.proved)
        let cut = PeakSearch(limits: .init(maxStates: 50)).minimumPeak(problem, incumbent: start, lowerBound: 0)
        #expect(cut.stop == .stateLimit)
        #expect(problem.isTopological(cut.order))
        #expect(cut.peak <= problem.peak(of: start))
        #expect(cut.lowerBound <= full.peak)
        #expect(!cut.proved)
        let expired = PeakSearch(limits: .init(deadline: Deadline(seconds: 0))).minimumPeak(problem, incumbent: start, lowerBound: 0)
        #expect(expired.stop == .deadline && expired.order == start)
    }

    /// RandWire with 32 operators: proved optimal, below every heuristic.
    @Test(arguments: [UInt64(0), 5])
    func randWireThirtyTwoIsProved(seed: UInt64) throws {
        let graph = try RandWire.stage(nodes: 32, sizes: .equal, seed: seed)
        let problem = ArenaProblem(graph: graph)
        let heuristic = [problem.givenOrder, OrderHeuristics.xlaList(problem), OrderHeuristics.inductor(problem)].map(problem.peak(of:)).min()!
        let outcome = PeakSearch().minimumPeak(problem, incumbent: problem.givenOrder, lowerBound: Reachability.cutBound(problem))
        #expect(outcome.proved)
        #expect(outcome.peak <= heuristic)
    }

    @Test func budgetedOrdersStayWithinTheBudget() throws {
        let graph = try NASCells.network(cells: 2, seed: 4)
        let problem = ArenaProblem(graph: graph)
        let best = PeakSearch().minimumPeak(problem, incumbent: problem.givenOrder, lowerBound: 0)
        let scheduled = try ArenaScheduler(options: .init(method: .dp)).schedule(graph)
        #expect(scheduled.minimumPeak == best.peak)
        let orders = BudgetedOrders(problem: problem).orders(budget: best.peak, count: 5, seed: 7, nodeLimit: 100_000, deadline: .none)
        #expect(!orders.isEmpty)
        for order in orders {
            #expect(problem.isTopological(order))
            #expect(problem.peak(of: order) <= best.peak)
        }
        #expect(Set(orders).count == orders.count)
    }
}
