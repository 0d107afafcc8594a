import MILP
import Testing
@testable import Allocation

@Suite struct PortfolioTests {
    @Test func greedyAnswerStandsWhenItFits() throws {
        var p = TransformerTrace.make(layers: 2, microBatches: 2)
        p.capacity = 1 << 40
        let report = try Portfolio().allocate(p)
        #expect(report.status == .fit)
        #expect(report.method.hasPrefix("greedy"))
        #expect(Validator.isValid(report.solution!.offsets, for: p))
    }

    @Test func searchTakesOverAtTightCapacities() throws {
        let g = GuillotineProblems.make(pieces: 60, seed: 4)
        let report = try Portfolio(options: PortfolioOptions(timeLimit: nil)).allocate(g.problem)
        #expect(report.status == .fit)
        #expect(report.method == "search")
        #expect(report.optimal)
        #expect(try Validator.height(of: report.solution!.offsets, for: g.problem) == g.optimum)
    }

    @Test func lowerBoundAboveCapacityIsNoFit() throws {
        var g = GuillotineProblems.make(pieces: 30, seed: 2)
        g.problem.capacity = g.optimum - 1
        let report = try Portfolio().allocate(g.problem)
        #expect(report.status == .noFit)
        #expect(report.method == "lower bound")
        #expect(!report.feasible)
    }

    @Test func minimisesWithoutCapacityAndProvesOptimality() throws {
        for c in Corpus.small.suffix(60) {
            let (k, p) = (c.index, c.problem)
            guard let optimum = c.optimum else { continue }
            for method in [AllocationMethod.auto, .search, .ilp] {
                var options = PortfolioOptions(method: method, timeLimit: nil)
                options.solver = GLPKSolver()
                let report = try Portfolio(options: options).allocate(p)
                #expect(report.status == .fit, "problem \(k), \(method)")
                #expect(report.height == optimum, "problem \(k), \(method)")
                #expect(report.optimal, "problem \(k), \(method)")
                #expect(Validator.isValid(report.solution!.offsets, for: p))
            }
            // Below the optimum: a proof of no fit, unless a pin ends above
            // that capacity, which makes the input itself contradictory.
            if optimum > 0 {
                var tight = p
                tight.capacity = optimum - 1
                let portfolio = Portfolio(options: PortfolioOptions(method: .search, timeLimit: nil))
                if let pin = p.buffers.first(where: { b in b.fixedOffset.map { $0 + b.size > optimum - 1 } ?? false }) {
                    #expect(throws: AllocationError.pinBeyondCapacity(pin, capacity: optimum - 1)) { try portfolio.allocate(tight) }
                } else {
                    #expect(try portfolio.allocate(tight).status == .noFit, "problem \(k)")
                }
            }
        }
    }

    @Test func aZeroTimeLimitReportsTheLimit() throws {
        var g = GuillotineProblems.make(pieces: 300, seed: 9)
        g.problem.capacity = g.optimum
        let report = try Portfolio(options: PortfolioOptions(method: .search, timeLimit: 0)).allocate(g.problem)
        #expect(report.status == .limitReached)
        #expect(report.solution != nil)
        #expect(report.lowerBound == g.optimum)
    }

    @Test func neverWorseThanItsGreedyPassesAndAlwaysValid() throws {
        var rng = SplitMix64(seed: 31)
        var problems = (0 ..< 2).map { _ in RandomProblems.medium(&rng, n: 300) }
        problems.append(TrainingTrace.make(TraceTests.small))
        for (k, p) in problems.enumerated() {
            var options = PortfolioOptions(timeLimit: 1)
            options.searchSizeLimit = 0  // the repair, not the exact search
            let report = try Portfolio(options: options).allocate(p)
            let solution = try #require(report.solution)
            #expect(try Validator.height(of: solution.offsets, for: p) == solution.height, "problem \(k)")
            let firstRound = try Portfolio.members.prefix(2).map { try $0.allocate(p).height }
            #expect(solution.height <= firstRound.min()!, "problem \(k)")
            #expect(solution.height >= report.lowerBound)
            // Every step is recorded, greedy passes first.
            #expect(report.steps.first?.method.hasPrefix("greedy") == true)
        }
    }

    @Test func smallTrainingTracesReachTheirBound() throws {
        let p = TrainingTrace.make(TraceTests.small)
        let report = try Portfolio(options: PortfolioOptions(timeLimit: nil)).allocate(p)
        #expect(report.optimal)
        #expect(report.height == (try LowerBounds(p)).best)
    }

    @Test func withoutGraceAnExpiredDeadlineLeavesNoAnswer() throws {
        // A command that reserved its output time passes a hard deadline.
        var config = TraceTests.small
        config.microBatches = 8
        let p = TrainingTrace.make(config)
        var options = PortfolioOptions(timeLimit: nil)
        options.deadline = Deadline(seconds: 0)
        options.cheapGrace = 0
        let report = try Portfolio(options: options).allocate(p)
        #expect(report.solution == nil)
        #expect(report.status == .limitReached)
    }

    @Test func anExpiredDeadlineStopsAllButTheCheapPass() throws {
        // Thousands of free buffers: every pass checks the deadline before
        // finishing; only the sweep by start time may overrun it (by
        // `cheapGrace`), so that there is an answer.
        var config = TraceTests.small
        config.microBatches = 8
        let p = TrainingTrace.make(config)
        #expect(p.count > 2_048)
        var options = PortfolioOptions(timeLimit: nil)
        options.deadline = Deadline(seconds: 0)
        let report = try Portfolio(options: options).allocate(p)
        let solution = try #require(report.solution)
        #expect(report.method == Portfolio.cheapMember.name)
        #expect(try Validator.height(of: solution.offsets, for: p) == solution.height)
        #expect(solution.height == (try Portfolio.cheapMember.allocate(p)).height)
        #expect(report.steps.allSatisfy { $0.height == nil || $0.method == Portfolio.cheapMember.name })
    }

    @Test func aRaisedStopSignalStopsAPass() throws {
        var config = TraceTests.small
        config.microBatches = 8
        let p = TrainingTrace.make(config)
        let context = GreedyContext(p.buffers)
        let stop = StopSignal()
        for order in [GreedyOrder.start, .sizeThenStart] {
            #expect(GreedyAllocator(order: order).allocate(context, deadline: nil, stop: stop) != nil)
        }
        stop.raise()
        for order in [GreedyOrder.start, .sizeThenStart] {
            #expect(GreedyAllocator(order: order).allocate(context, deadline: nil, stop: stop) == nil)
        }
    }

    /// A solution made tall on purpose (every buffer stacked): the repair
    /// lowers it window by window, and every intermediate answer is valid.
    @Test func repairLowersATallSolution() throws {
        var rng = SplitMix64(seed: 8)
        let p = RandomProblems.medium(&rng, n: 300, horizon: 400)
        let context = GreedyContext(p.buffers)
        var offsets: [Int] = []
        var top = 0
        for b in p.buffers {
            top = (top + b.alignment - 1) / b.alignment * b.alignment
            offsets.append(top)
            top += b.size
        }
        let start = AllocationSolution(offsets: offsets, height: top)
        #expect(Validator.isValid(offsets, for: p))
        var repair = PeakRepair(context, start: start)
        let bound = try LowerBounds(p).best
        let improved = repair.run(floor: bound, resolution: 1, deadline: Deadline(seconds: nil))
        #expect(improved)
        #expect(try Validator.height(of: repair.offsets, for: p) == repair.height)
        #expect(repair.height < start.height / 4)
        let heights = repair.history.map { $0.height }
        #expect(heights == heights.sorted(by: >))
    }
}
