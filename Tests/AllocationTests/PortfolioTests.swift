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
            // Below the optimum: a proof of no fit.
            if optimum > 0 {
                var tight = p
                tight.capacity = optimum - 1
                #expect(try Portfolio(options: PortfolioOptions(method: .search, timeLimit: nil)).allocate(tight).status == .noFit, "problem \(k)")
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
}
