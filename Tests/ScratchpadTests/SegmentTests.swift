import MILP
import MemoryGraph
import Plan
import Testing
@testable import Scratchpad
import Verifier

@Suite struct SegmentTests {
    /// Every subset sum of `sizes`, by brute force.
    static func subsetSums(_ sizes: [Int]) -> Set<Int> {
        var sums: Set<Int> = [0]
        for size in sizes { sums.formUnion(sums.map { $0 + size }) }
        return sums
    }

    @Test func boundsRoundUpToTheNextAchievableTraffic() {
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0 ..< 40 {
            let sizes = (0 ..< 1 + next(8)).map { _ in 8 * (1 + next(40)) }
            let sums = Self.subsetSums(sizes)
            let limit = sums.max()!
            let lattice = AchievableTraffic(sizes: sizes, limit: limit)
            #expect(lattice.isExact)
            #expect(lattice.unit % 8 == 0)
            for bound in stride(from: 0.0, through: Double(limit), by: 3.7) {
                let expected = sums.filter { Double($0) >= bound - 1e-6 }.min()!
                #expect(lattice.roundUp(bound) == expected, "sizes \(sizes), bound \(bound)")
            }
            for value in sums where value > 0 {
                #expect(lattice.below(value) == sums.filter { $0 < value }.max()!, "sizes \(sizes), value \(value)")
            }
        }
        // Too large for the exact sums: multiples of the gcd only.
        let coarse = AchievableTraffic(sizes: [Int](repeating: 24, count: 10) + [3 << 40], limit: 1 << 41)
        #expect(!coarse.isExact)
        #expect(coarse.roundUp(49) == 72)
    }

    /// A cut's position is the same in every topological order, and no
    /// activation of a core operator is used on both sides of it.
    @Test func cutsStayPutInEveryOrder() throws {
        var cutsSeen = 0
        for seed in UInt64(1) ... 30 {
            let graph = try SmallGraphs.random(operators: 7, seed: seed)
            let problem = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 0)
            let segmentation = ScheduleSegments(problem)
            let orders = FreeScheduleTests.topologicalOrders(graph)
            for c in segmentation.cuts {
                let op = segmentation.core[c]
                let before = Set(segmentation.core[..<c])
                for order in orders {
                    let core = order.filter { !segmentation.detached[$0] }
                    #expect(Set(core[..<core.firstIndex(of: op)!]) == before, "seed \(seed)")
                }
                cutsSeen += 1
            }
            // Segments cover the core order, consecutive ones sharing their cut.
            let segments = segmentation.segments
            #expect(segments.first?.positions.lowerBound == 0)
            #expect(segments.last?.positions.upperBound == segmentation.core.count - 1)
            for (a, b) in zip(segments, segments.dropFirst()) { #expect(a.positions.upperBound == b.positions.lowerBound) }
        }
        #expect(cutsSeen >= 10)
    }

    /// Constants (operators that read nothing) and a weight shared across
    /// the whole graph: the decomposition relaxes both, and its bound must
    /// stay at or below the exhaustive optimum over every order.
    static func withConstants(seed: UInt64) throws -> Graph {
        let base = try SmallGraphs.random(operators: 6, seed: seed)
        var tensors = base.tensors
        var operators = base.operators
        let shared = tensors.count
        tensors.append(Tensor(name: "shared", kind: .weight, bytes: 1))
        for (i, o) in [1, 4].enumerated() {
            let constant = tensors.count
            tensors.append(Tensor(name: "k\(i)", kind: .activation, bytes: 1 + i))
            operators.insert(Operator(name: "const\(i)", type: "Constant", inputs: [], outputs: [constant]), at: 0)
            let target = o + 1 + i  // shifted by the constants inserted before it
            operators[target].inputs += [constant, shared]
        }
        return try Graph(name: "constants-\(seed)", tensors: tensors, operators: operators, outputs: base.outputs)
    }

    @Test func theBoundOverSegmentsNeverPassesTheOptimum() throws {
        var checked = 0, certified = 0
        for seed in UInt64(1) ... 12 {
            let graph = try Self.withConstants(seed: seed)
            // (The exhaustive search takes capacities up to 30 bytes.)
            for capacity in ExhaustiveSearchTests.capacities(graph) where capacity <= 30 {
                guard let optimum = ExhaustiveScratchpadSearch.optimum(graph: graph, capacity: capacity, order: nil, addresses: false)
                else { continue }
                let problem = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: capacity)
                let outcome = try FreeSchedulePlanner(solver: CBCSolver()).plan(problem)
                let report = Verifier.verify(outcome.plan, against: graph, mode: .realMemory())
                #expect(report.passed, "seed \(seed) capacity \(capacity): \(report.failure?.description ?? "")")
                #expect(outcome.plan.metrics.nonCompulsoryBytes >= optimum.traffic)
                #expect(outcome.bound <= Double(optimum.traffic) + 0.5, "seed \(seed) capacity \(capacity)")
                #expect(outcome.plan.steps.map(\.op) == outcome.schedule.order)
                if outcome.bound >= Double(outcome.plan.metrics.nonCompulsoryBytes) { certified += 1 }
                checked += 1
            }
        }
        #expect(checked >= 20)
        #expect(certified >= checked / 2)
    }

    /// A deadline that has already passed still yields a verified plan (at
    /// M_H, where the greedy placement fits) or, at M_R, where only the
    /// exact placement search (skipped once the time is up) fits, the
    /// fragmentation failure; no timing is asserted.
    @Test func anExpiredDeadlineStillGivesAVerifiedPlan() throws {
        let graph = try SmallGraphs.random(operators: 30, seed: 3)
        let probe = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 0)
        let budgets = ScratchpadBudgets(probe)
        let expired = Deadline(seconds: 0)
        for capacity in [budgets.half, budgets.minimum] {
            let problem = probe.with(capacity: capacity)
            var plans: [Plan] = []
            for planner in ["fixed", "free", "baseline"] {
                do {
                    switch planner {
                    case "fixed": plans.append(try ILPPlanner().plan(problem, deadline: expired).plan)
                    case "free": plans.append(try FreeSchedulePlanner().plan(problem, deadline: expired).plan)
                    default: plans.append(try BaselinePlanner().plan(problem, deadline: expired))
                    }
                } catch {
                    guard case .fragmentation = error, capacity < budgets.half else {
                        Issue.record("\(planner) at \(capacity): \(error)")
                        continue
                    }
                }
            }
            if capacity == budgets.half { #expect(plans.count == 3) }
            for plan in plans {
                let report = Verifier.verify(plan, against: graph)
                #expect(report.passed, "\(plan.method): \(report.failure?.description ?? "")")
                #expect((plan.metrics.bound ?? 0) <= Double(plan.metrics.nonCompulsoryBytes))
            }
        }
    }
}
