import Testing
@testable import Allocation
import MILP

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

    /// The section stack check reasons about the lowest offset every
    /// unplaced buffer can still take, including identical buffers waiting
    /// for their twin, aligned ones and pinned ones: problems made of those
    /// (every one aligned, two pinned, some duplicated) against brute force.
    @Test func agreesWithBruteForceWithAlignmentPinsAndTwins() throws {
        var rng = SplitMix64(seed: 4_041)
        var checked = 0
        for k in 0 ..< 150 {
            let n = Int.random(in: 3 ... 7, using: &rng)
            var buffers: [Buffer] = []
            for j in 0 ..< n {
                if j > 0 && Int.random(in: 0 ..< 4, using: &rng) == 0 {
                    var twin = buffers[j - 1]
                    twin.id = "t\(j)"
                    twin.fixedOffset = nil
                    buffers.append(twin)
                    continue
                }
                let lower = Int.random(in: 0 ... 5, using: &rng)
                buffers.append(Buffer(id: "b\(j)", lower: lower, upper: lower + Int.random(in: 1 ... 4, using: &rng),
                                      size: Int.random(in: 1 ... 9, using: &rng), alignment: [1, 2, 4, 8].randomElement(using: &rng)!))
            }
            for i in [0, n - 1] where Int.random(in: 0 ..< 2, using: &rng) == 0 {
                buffers[i].fixedOffset = Int.random(in: 0 ... 3, using: &rng) * buffers[i].alignment
            }
            let p = AllocationProblem(buffers: buffers)
            guard let optimum = BruteForce.minimumHeight(p) else { continue }
            checked += 1
            let fit = try Self.search.fit(p, capacity: optimum)
            guard case .fit(let solution) = fit.outcome else {
                Issue.record("problem \(k): no fit at its optimum \(optimum): \(fit.outcome)")
                continue
            }
            #expect(try Validator.height(of: solution.offsets, for: p) <= optimum, "problem \(k)")
            #expect(try Self.search.fit(p, capacity: optimum - 1).outcome == .noFit, "problem \(k): fits below its optimum")
        }
        #expect(checked >= 100)
    }

    /// The valley check (a tight section must be covered at its floor by a
    /// buffer inside its walled valley) and the fit-first candidate order
    /// act where there is no slack. Small tilings, perturbed one to three
    /// times (two sizes traded, a lifetime end moved, a size changed, a
    /// buffer aligned to 2), searched by the engine itself (no bound or
    /// greedy shortcut) at their brute-force optimum and one byte below,
    /// with a fixed and a seeded noisy order: it must fit exactly at the
    /// optimum and prove that nothing fits below. The valley check must
    /// have cut nodes along the way, or this test would not exercise it.
    @Test func agreesWithBruteForceOnTightProblems() throws {
        var rng = SplitMix64(seed: 1_414)
        var fits = 0, proofs = 0, valleyCuts = 0
        for k in 0 ..< 200 {
            let g = GuillotineProblems.make(pieces: Int.random(in: 6 ... 9, using: &rng), width: 6, height: 6, seed: rng.next())
            var buffers = g.problem.buffers
            for _ in 0 ..< Int.random(in: 1 ... 3, using: &rng) {
                let j = Int.random(in: 0 ..< buffers.count, using: &rng)
                let step = Bool.random(using: &rng) ? 1 : -1
                switch Int.random(in: 0 ..< 5, using: &rng) {
                case 0:
                    let other = Int.random(in: 0 ..< buffers.count, using: &rng)
                    (buffers[j].size, buffers[other].size) = (buffers[other].size, buffers[j].size)
                case 1:
                    let moved = buffers[j].upper + step
                    if moved > buffers[j].lower && moved <= 6 { buffers[j].upper = moved }
                case 2:
                    let moved = buffers[j].lower + step
                    if moved >= 0 && moved < buffers[j].upper { buffers[j].lower = moved }
                case 3:
                    buffers[j].size = max(1, buffers[j].size + step)
                default:
                    buffers[j].alignment = 2
                }
            }
            let p = AllocationProblem(buffers: buffers)
            guard let optimum = BruteForce.minimumHeight(p) else { continue }
            for capacity in [optimum - 1, optimum] {
                for order in [CandidateOrder.size, .noisy(.lifetime, seed: UInt64(k))] {
                    var engine = SectionSearch(buffers: buffers, original: Array(buffers.indices), capacity: capacity)
                    let result = engine.run(order: order, nodeLimit: 1_000_000, deadline: Deadline(seconds: nil)) { _ in true }
                    valleyCuts += engine.valleyCuts
                    if capacity < optimum {
                        proofs += 1
                        #expect(result == .noFit, "problem \(k) fits below its optimum \(optimum) (\(order))")
                        continue
                    }
                    guard result == .fit else {
                        Issue.record("problem \(k): brute force fits at \(optimum), the search says \(result) (\(order))")
                        continue
                    }
                    fits += 1
                    var offsets = [Int](repeating: 0, count: buffers.count)
                    for (i, offset) in engine.solution { offsets[i] = offset }
                    #expect(try Validator.height(of: offsets, for: p) <= optimum, "problem \(k)")
                }
            }
        }
        #expect(fits == 400 && proofs == 400)
        #expect(valleyCuts > 0)
    }

    /// Restarts depend on the attempt number alone (view, order, noise
    /// seed, budget): one thread under a node limit repeats itself exactly.
    /// On tilings (no slack anywhere) the engine skips the area check
    /// (``SectionSearch/checksStacks``) and relies on the valley check.
    /// Small tilings, some with up to four pieces aligned to 2 or 4 (sums
    /// unchanged, so still tilings, but often no longer packable at their
    /// sum), searched at the tiling's capacity with the area check off (the
    /// default there) and forced on: both must answer what brute force
    /// answers (a validated fit, or a proof that nothing fits), and turning
    /// the check on must never need more nodes.
    @Test func tilingsAgreeWithBruteForceWithoutTheAreaCheck() throws {
        var rng = SplitMix64(seed: 2_718)
        var fits = 0, proofs = 0
        for k in 0 ..< 200 {
            let g = GuillotineProblems.make(pieces: Int.random(in: 6 ... 9, using: &rng), width: 6, height: 6, seed: rng.next())
            var buffers = g.problem.buffers
            for _ in 0 ..< Int.random(in: 0 ... 4, using: &rng) {
                buffers[Int.random(in: 0 ..< buffers.count, using: &rng)].alignment = [2, 4].randomElement(using: &rng)!
            }
            let p = AllocationProblem(buffers: buffers)
            let optimum = BruteForce.minimumHeight(p)
            var nodes: [Int] = []
            for area in [false, true] {
                var engine = SectionSearch(buffers: buffers, original: Array(buffers.indices), capacity: 6)
                #expect(engine.isTiling && !engine.checksStacks, "problem \(k) is a tiling")
                engine.checksStacks = area
                let result = engine.run(order: .noisy(.size, seed: UInt64(k)), nodeLimit: 1_000_000, deadline: Deadline(seconds: nil)) { _ in true }
                nodes.append(engine.nodes)
                if optimum == 6 {
                    guard result == .fit else {
                        Issue.record("problem \(k): brute force fits at 6, the search says \(result) (area check \(area))")
                        continue
                    }
                    fits += 1
                    var offsets = [Int](repeating: 0, count: buffers.count)
                    for (i, offset) in engine.solution { offsets[i] = offset }
                    #expect(try Validator.height(of: offsets, for: p) <= 6, "problem \(k)")
                } else {
                    proofs += 1
                    #expect(result == .noFit, "problem \(k): brute force needs \(optimum.map(String.init) ?? "-"), the search says \(result)")
                }
            }
            #expect(nodes[1] <= nodes[0], "problem \(k): the area check added nodes")
        }
        #expect(fits >= 300 && proofs >= 40, "\(fits) fits, \(proofs) proofs")
    }

    @Test func restartsAreReproducible() throws {
        let g = GuillotineProblems.make(pieces: 300, seed: 11)
        var options = SearchOptions(nodeLimit: 20_000)
        options.firstRestartNodes = 100
        options.greedyFirst = false
        options.parallel = false
        let runs = try (0 ..< 2).map { _ in try ExactSearch(options: options).fit(g.problem, capacity: g.optimum) }
        #expect(runs[0].outcome == runs[1].outcome)
        #expect(runs[0].nodes == runs[1].nodes)
        #expect(runs[0].restarts == runs[1].restarts)
        #expect(runs[0].restarts > 4, "the seeded orders must be reached")
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
