import ArenaSchedule
import MILP
import MemoryGraph
import Testing

/// The exact methods against brute force on tiny graphs: the search and
/// the order ILP find the smallest peak over every topological order, the
/// joint ILP and the scheduler the smallest height over every order and
/// placement, and no lower bound ever exceeds the brute-force optimum.
@Suite struct ExactnessTests {
    static let peakSeeds: [UInt64] = Array(1 ... 40)
    static let heightSeeds: [UInt64] = Array(100 ..< 120)

    @Test(arguments: peakSeeds)
    func searchFindsTheSmallestPeak(seed: UInt64) {
        let graph = TinyArenaGraphs.graph(seed: seed, operators: 5 + Int(seed % 3))
        let problem = ArenaProblem(graph: graph)
        let optimum = BruteForce.minimumPeak(graph)
        #expect(problem.largestFootprint <= optimum)
        #expect(Reachability.cutBound(problem) <= optimum)
        #expect(MinimumCutBound.bound(problem) <= optimum)
        #expect(MinimumCutBound.bound(problem) >= Reachability.cutBound(problem))
        // From every heuristic start, and from the worst order too.
        let worst = BruteForce.orders(graph).max { problem.peak(of: $0) < problem.peak(of: $1) }!
        for start in [problem.givenOrder, OrderHeuristics.xlaList(problem), OrderHeuristics.inductor(problem), worst] {
            let outcome = PeakSearch().minimumPeak(problem, incumbent: start, lowerBound: 0)
            #expect(problem.isTopological(outcome.order))
            #expect(outcome.peak == optimum, "seed \(seed): search \(outcome.peak), brute force \(optimum)")
            #expect(outcome.proved && outcome.lowerBound == optimum)
        }
        // A known bound only prunes; it never changes the optimum.
        let withBound = PeakSearch().minimumPeak(problem, incumbent: worst, lowerBound: Reachability.cutBound(problem))
        #expect(withBound.peak == optimum && withBound.lowerBound == optimum)
    }

    @Test(arguments: peakSeeds.prefix(15))
    func orderILPFindsTheSmallestPeak(seed: UInt64) throws {
        let graph = TinyArenaGraphs.graph(seed: seed, operators: 5 + Int(seed % 3))
        let problem = ArenaProblem(graph: graph)
        let optimum = BruteForce.minimumPeak(graph)
        for solver in [CBCSolver(), GLPKSolver()] as [any Solver] {
            let outcome = try #require(PeakILP().solve(problem, start: problem.givenOrder, lowerBound: 0, solver: solver,
                                                       options: SolveOptions(timeLimit: 30)))
            #expect(outcome.status == .optimal)
            #expect(outcome.peak == optimum, "seed \(seed) \(solver.name): ILP \(outcome.peak ?? -1), brute force \(optimum)")
            #expect(outcome.bound == optimum)
        }
    }

    @Test(arguments: heightSeeds)
    func jointILPAndSchedulerFindTheSmallestHeight(seed: UInt64) throws {
        let graph = TinyArenaGraphs.graph(seed: seed, operators: 4 + Int(seed % 2))
        let problem = ArenaProblem(graph: graph)
        let optimum = BruteForce.minimumHeight(graph)
        let start = try ArenaPacking.pack(problem, order: problem.givenOrder, method: .greedy, timeLimit: nil)
        let joint = try #require(JointArenaILP().solve(problem, start: start, lowerBound: 0, solver: CBCSolver(),
                                                       options: SolveOptions(timeLimit: 30)))
        #expect(joint.status == .optimal)
        #expect(joint.packing?.height == optimum, "seed \(seed): joint ILP \(joint.packing?.height ?? -1), brute force \(optimum)")
        #expect(joint.bound == optimum)

        for method in ScheduleMethod.allCases {
            let result = try ArenaScheduler(options: ArenaScheduleOptions(method: method)).schedule(graph)
            #expect(result.height >= optimum && result.lowerBound <= optimum)
            #expect(result.height <= result.givenOrder.height)
            #expect(result.peakLowerBound <= BruteForce.minimumPeak(graph))
            if method == .auto || method == .ilp {
                #expect(result.height == optimum && result.optimal, "seed \(seed) \(method): \(result.height) vs \(optimum)")
            }
        }
    }

    /// Equal sizes: the height equals the peak (interval graphs are
    /// perfect), so the peak's optimum is the arena's.
    @Test(arguments: Array(UInt64(200) ..< 210))
    func equalSizesPackAtThePeak(seed: UInt64) throws {
        let graph = TinyArenaGraphs.graph(seed: seed, operators: 6, equalSizes: true)
        let result = try ArenaScheduler(options: ArenaScheduleOptions(method: .dp)).schedule(graph)
        #expect(result.height == BruteForce.minimumPeak(graph))
        #expect(result.optimal)
    }
}
