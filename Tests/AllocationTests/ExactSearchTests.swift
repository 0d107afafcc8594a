import Testing
@testable import Allocation

@Suite struct ExactSearchTests {
    /// The search alone (no greedy shortcut), with a generous node limit
    /// instead of a time limit, so that results never depend on timing.
    static let search: ExactSearch = {
        var options = SearchOptions(nodeLimit: 2_000_000)
        options.greedyFirst = false
        return ExactSearch(options: options)
    }()

    @Test func agreesWithBruteForceOnSmallProblems() throws {
        var checked = 0
        for c in Corpus.small {
            let (k, p) = (c.index, c.problem)
            guard let optimum = c.optimum else {
                #expect(try Self.search.fit(p, capacity: 1_000).outcome == .noFit, "problem \(k): pinned buffers overlap")
                continue
            }
            checked += 1
            let fit = try Self.search.fit(p, capacity: optimum)
            guard case .fit(let solution) = fit.outcome else {
                Issue.record("problem \(k): no fit at its optimum \(optimum): \(fit.outcome)")
                continue
            }
            #expect(try Validator.height(of: solution.offsets, for: p) == optimum, "problem \(k)")
            #expect(solution.height == optimum)
            if optimum > 0 {
                #expect(try Self.search.fit(p, capacity: optimum - 1).outcome == .noFit, "problem \(k): fits below its optimum")
            }
            let minimum = try Self.search.minimize(p)
            #expect(minimum.solution.height == optimum, "problem \(k)")
            #expect(minimum.isOptimal)
            #expect(Validator.isValid(minimum.solution.offsets, for: p))
        }
        #expect(checked >= 350)
    }

    @Test func fitsGuillotineProblemsAtTheirOptimum() throws {
        for seed in 0 ..< 8 as Range<UInt64> {
            let g = GuillotineProblems.make(pieces: 40 + 10 * Int(seed), seed: seed)
            #expect(try Validator.height(of: g.knownSolution, for: g.problem) == g.optimum)
            #expect(try LowerBounds(g.problem).best == g.optimum)
            let report = try Self.search.fit(g.problem, capacity: g.optimum)
            guard case .fit(let solution) = report.outcome else {
                Issue.record("seed \(seed): \(report.outcome) after \(report.nodes) nodes")
                continue
            }
            #expect(try Validator.height(of: solution.offsets, for: g.problem) <= g.optimum)
        }
    }

    @Test func provesNoFitJustBelowAGuillotineOptimum() throws {
        let g = GuillotineProblems.make(pieces: 12, width: 20, height: 20, seed: 3)
        #expect(try Self.search.fit(g.problem, capacity: g.optimum - 1).outcome == .noFit)
    }

    @Test func stopsAtTheNodeLimit() throws {
        let g = GuillotineProblems.make(pieces: 300, seed: 1)
        var options = SearchOptions(nodeLimit: 3)
        options.greedyFirst = false
        let report = try ExactSearch(options: options).fit(g.problem, capacity: g.optimum)
        #expect(report.outcome == .limitReached)
        #expect(report.nodes <= 3)
    }

    @Test func restartsFollowLubysSequence() {
        #expect((1 ... 15).map(ExactSearch.luby) == [1, 1, 2, 1, 1, 2, 4, 1, 1, 2, 1, 1, 2, 4, 8])
    }

    @Test func splitsWhereNoLifetimeCrosses() {
        let buffers = [
            Buffer(id: "a", lower: 0, upper: 2, size: 1),
            Buffer(id: "b", lower: 5, upper: 7, size: 1),
            Buffer(id: "c", lower: 1, upper: 3, size: 1),
            Buffer(id: "d", lower: 3, upper: 5, size: 1),
        ]
        let parts = ExactSearch.timeComponents(buffers, Array(buffers.indices))
        #expect(parts.map { $0.sorted() } == [[0, 2], [3], [1]])
    }

    @Test func identicalBuffersAndAlignment() throws {
        // Six identical aligned buffers plus a pinned one: symmetry pruning
        // must not lose the solution.
        var buffers = (0 ..< 6).map { Buffer(id: "x\($0)", lower: 0, upper: 4, size: 3, alignment: 4) }
        buffers.append(Buffer(id: "p", lower: 2, upper: 6, size: 4, fixedOffset: 8))
        let p = AllocationProblem(buffers: buffers)
        let optimum = BruteForce.minimumHeight(p)!
        let fit = try Self.search.fit(p, capacity: optimum)
        guard case .fit(let s) = fit.outcome else { Issue.record("\(fit.outcome)"); return }
        #expect(try Validator.height(of: s.offsets, for: p) == optimum)
        #expect(try Self.search.fit(p, capacity: optimum - 1).outcome == .noFit)
    }
}
