import MILP
import MemoryGraph
import Plan
import Testing
@testable import Scratchpad
import Verifier

@Suite struct FreeScheduleTests {
    /// Every topological order of a small graph, by depth-first extension.
    static func topologicalOrders(_ graph: Graph) -> [[Int]] {
        let windows = ScheduleWindows(graph: graph)
        var orders: [[Int]] = []
        var order: [Int] = []
        var done = [Bool](repeating: false, count: graph.operators.count)
        func extend() {
            if order.count == done.count { orders.append(order); return }
            for o in done.indices where !done[o] && windows.predecessors[o].allSatisfy({ done[$0] }) {
                done[o] = true
                order.append(o)
                extend()
                order.removeLast()
                done[o] = false
            }
        }
        extend()
        return orders
    }

    /// The byte-capacity optimum over every order: the fixed-order brute
    /// force (evict each gap or not, store each activation or not) per order.
    static func bestOverOrders(_ graph: Graph, capacity: Int) -> (traffic: Int, fileOrder: Int)? {
        var best: Int?
        for order in topologicalOrders(graph) {
            let problem = ScratchpadProblem(graph: graph, schedule: try! Schedule(order, for: graph), capacity: capacity)
            guard problem.need.indices.allSatisfy({ problem.footprint(atStep: $0) <= capacity }) else { continue }
            if let cost = ILPPlannerTests.bruteForce(problem), best == nil || cost < best! { best = cost }
        }
        let file = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: capacity)
        guard let best, let fileCost = ILPPlannerTests.bruteForce(file) else { return nil }
        return (best, fileCost)
    }

    @Test func windowsBracketEveryTopologicalOrder() throws {
        for seed in UInt64(1) ... 10 {
            let graph = try SmallGraphs.random(operators: 6, seed: seed)
            let windows = ScheduleWindows(graph: graph)
            let orders = Self.topologicalOrders(graph)
            for order in orders { #expect(windows.admits(order), "seed \(seed)") }
            // The windows are tight: every bound is reached by some order.
            for o in graph.operators.indices {
                #expect(orders.contains { $0.firstIndex(of: o) == windows.earliest[o] })
                #expect(orders.contains { $0.firstIndex(of: o) == windows.latest[o] })
            }
        }
    }

    @Test(arguments: [SolverChoiceForTests.cbc, .glpk])
    func theFreeILPFindsTheBestOrder(_ backend: SolverChoiceForTests) throws {
        var checked = 0, orderMatters = 0
        for seed in UInt64(1) ... 30 {
            let graph = try SmallGraphs.random(operators: 6, seed: seed)
            let probe = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 0)
            let budgets = ScratchpadBudgets(probe)
            for capacity in Set([budgets.minimum, budgets.half]).sorted() {
                guard let expected = Self.bestOverOrders(graph, capacity: capacity) else { continue }
                let problem = probe.with(capacity: capacity)
                let ilp = FreeScheduleILP(problem: problem, windows: ScheduleWindows(graph: graph))
                let built = ilp.build(capacity: capacity)
                let result = backend.solver.solve(built.model)
                #expect(result.status == .optimal, "seed \(seed)")
                #expect(Int((result.objective ?? -1).rounded()) == expected.traffic, "seed \(seed) capacity \(capacity)")
                if expected.traffic < expected.fileOrder { orderMatters += 1 }

                let outcome = try FreeSchedulePlanner(solver: backend.solver).plan(problem)
                let report = Verifier.verify(outcome.plan, against: graph, mode: .realMemory())
                #expect(report.passed, "seed \(seed): \(report.failure?.description ?? "")")
                #expect(outcome.plan.metrics.nonCompulsoryBytes >= expected.traffic)
                #expect(outcome.plan.metrics.nonCompulsoryBytes <= expected.fileOrder)
                #expect(outcome.boundCoversAllOrders)
                #expect(outcome.bound <= Double(expected.traffic) + 0.5)
                #expect(outcome.bound >= Double(expected.traffic) - 0.5, "seed \(seed): the bound is the optimum")
                checked += 1
            }
        }
        #expect(checked >= 40)
        #expect(orderMatters >= 3, "the generator must produce cases where the order matters")
    }

    /// The acceptance test of the free-schedule planner: on tiny graphs its
    /// plan (order, replacement and addresses) is as cheap as the
    /// exhaustive search over all three, and its bound never exceeds that.
    @Test(arguments: [SolverChoiceForTests.cbc, .glpk])
    func thePlannerMatchesTheExhaustiveSearchWithAddresses(_ backend: SolverChoiceForTests) throws {
        var checked = 0, orderMatters = 0, provedOptimal = 0
        let graphs = (UInt64(1) ... 60).map { ("random \($0)", TinyGraphs.graph(seed: $0)) }
            + (UInt64(0) ... 5).map { ("chain \($0)", TinyGraphs.fragmentingChain(seed: $0)) }
        for (name, graph) in graphs {
            for capacity in ExhaustiveSearchTests.capacities(graph) {
                guard let optimum = ExhaustiveScratchpadSearch.optimum(graph: graph, capacity: capacity, order: nil, addresses: true),
                      let fileOrder = ExhaustiveScratchpadSearch.optimum(
                          graph: graph, capacity: capacity, order: Schedule.default(for: graph).order, addresses: true)
                else { continue }
                let problem = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: capacity)
                let outcome = try FreeSchedulePlanner(solver: backend.solver).plan(problem)
                let report = Verifier.verify(outcome.plan, against: graph, mode: .realMemory())
                #expect(report.passed, "\(name) capacity \(capacity): \(report.failure?.description ?? "")")
                #expect(outcome.plan.metrics.nonCompulsoryBytes == optimum.traffic, "\(name) capacity \(capacity)")
                #expect(outcome.bound <= Double(optimum.traffic) + 0.5, "\(name) capacity \(capacity)")
                #expect(outcome.boundCoversAllOrders)
                if optimum.traffic < fileOrder.traffic { orderMatters += 1 }
                if outcome.bound >= Double(outcome.plan.metrics.nonCompulsoryBytes) - 0.5 { provedOptimal += 1 }
                checked += 1
            }
        }
        #expect(checked >= 100)
        #expect(orderMatters >= 20, "cases where only another order reaches the optimum")
        // Only the fragmenting chains may leave a gap (the bound ignores addresses).
        #expect(provedOptimal >= checked - 18)
    }

    @Test func theSearchNeverLosesToTheFileOrder() throws {
        for seed in UInt64(1) ... 2 {
            let graph = try SmallGraphs.random(operators: 18, seed: seed)
            let probe = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 0)
            let problem = probe.with(capacity: ScratchpadBudgets(probe).minimum)
            var planner = FreeSchedulePlanner(solver: CBCSolver())
            planner.segmentLength = 6
            planner.segmentSeconds = 2
            planner.wholeGraphPairs = 0
            planner.boundingPairs = 0
            planner.options.timeLimit = 10
            let outcome = try planner.plan(problem)
            let report = Verifier.verify(outcome.plan, against: graph, mode: .realMemory())
            #expect(report.passed, "seed \(seed): \(report.failure?.description ?? "")")
            #expect(outcome.plan.metrics.nonCompulsoryBytes <= outcome.fileOrderTraffic)
            #expect(outcome.improvements > 0 || outcome.schedule.order == problem.schedule.order)
            #expect(outcome.bound <= Double(outcome.plan.metrics.nonCompulsoryBytes) + 0.5)
            #expect(outcome.plan.steps.map(\.op) == outcome.schedule.order)
        }
    }
}
