import Testing
@testable import Offload
@testable import MILP

/// Exact mode's time budget for checking a placement: the estimate it
/// makes before choosing a shape, measured in counted work (plan actions
/// built, verified and replayed) rather than in seconds, and the choices
/// it makes with a given cost per operator (no timing in these tests).
@Suite struct ValidationBudgetTests {
    static let fourTierWorkload = OffloadWorkload(promptLength: 128, generatedTokens: 8, gpuBytes: 4 * FlexGenUnits.gigabyte,
                                                  cpuBytes: 4 * FlexGenUnits.gigabyte, diskBytes: 100 * FlexGenUnits.gigabyte, alpha: 0.8)

    static func searches() throws -> [(name: String, search: PlacementSearch, gbs: Int, nb: Int)] {
        let llama = LayerSizesTests.llama2_7b
        return [
            ("opt-30b on t4", PlacementSearch(shape: .opt30b, hardware: .t4, workload: .reference(alpha: 0.8),
                                              sizes: .exact(.opt30b, weights: .fp16, cache: .fp16)), 8, 16),
            ("llama-2-7b on a100-cxl-nvme", PlacementSearch(shape: llama, hardware: try HardwareProfileTests.fourTier(), workload: fourTierWorkload,
                                                            sizes: .exact(llama, weights: .fp16, cache: .fp16)), 4, 24),
        ]
    }

    /// The estimate rests on this: checking the same counts at fewer GPU
    /// batches (2, and nb/8) costs at least as much per block operator, up
    /// to the margin, as checking them at nb, counted in plan actions; and
    /// not so much more that the estimate would rule out shapes for nothing.
    @Test(arguments: [0, 1]) func calibrationBoundsTheCheckedWorkPerOperator(case index: Int) throws {
        let (name, search, gbs, nb) = try Self.searches()[index]
        let placement = try #require(search.evaluate(gbs: gbs, nb: nb, simulate: false), "\(name): no placement at \(gbs) × \(nb)")
        let full = try SimulatedPolicy.simulate(cost: search.costModel(gbs: gbs, nb: nb, chain: search.chain), segments: search.segments,
                                                placement: placement.layers)
        let perOperator = Double(full.checkedActions) / Double(search.blockOperators(nb: nb))
        #expect(full.checkedActions > 0)
        for batches in Set([2, PlacementSearch.calibrationBatches(for: nb)]) {
            let layers = try #require(search.calibrationPlacement(placement, nb: batches))
            #expect(layers.counts.cache.reduce(0, +) == search.shape.layers * search.shape.kvHeads * batches)
            let small = try SimulatedPolicy.simulate(cost: search.costModel(gbs: gbs, nb: batches, chain: search.chain),
                                                     segments: search.segments, placement: layers)
            let estimated = Double(small.checkedActions) / Double(search.blockOperators(nb: batches))
            #expect(estimated * search.validationMargin >= perOperator,
                    "\(name) at \(batches) batches: \(estimated) actions an operator, \(perOperator) at \(nb)")
            #expect(estimated <= 3 * perOperator, "\(name) at \(batches) batches: \(estimated) actions an operator, \(perOperator) at \(nb)")
        }
    }

    /// With a cost per operator that leaves room for the check of small
    /// blocks only, the search passes over the best shape and returns a
    /// smaller one whose check fits; the old search
    /// returned the best shape whatever its check cost.
    @Test func aShapeWhoseCheckDoesNotFitIsPassedOver() throws {
        var search = PlacementSearch(shape: .opt30b, hardware: .t4, workload: .reference(alpha: 0.8),
                                     sizes: .exact(.opt30b, weights: .fp16, cache: .fp16))
        search.maximumBatchSize = 16  // keeps the debug-mode test short
        let free = search.run()
        let unlimited = try #require(free.best)
        #expect(unlimited.validationEstimate == nil && free.unvalidated == 0)
        try #require(unlimited.nb >= 4, "the unconstrained best shape \(unlimited.gbs) × \(unlimited.nb) is too small for this test")
        // 600 s to spare, 90% of it for the check: blocks of about nb*/2 batches fit.
        let budget = 0.9 * 600.0
        search.validationSecondsPerOperator = budget / (Double(search.blockOperators(nb: unlimited.nb)) / 2 * search.validationMargin)
        search.deadline = Deadline(seconds: 600)
        let outcome = search.run()
        let best = try #require(outcome.best)
        let estimate = try #require(best.validationEstimate)
        #expect(best.nb < unlimited.nb)
        #expect(estimate <= budget)
        #expect(estimate == search.validationSeconds(nb: best.nb, secondsPerOperator: search.validationSecondsPerOperator!))
        #expect(outcome.unvalidated > 0)
        #expect(try #require(outcome.smallestUnvalidatedEstimate) > estimate)
        #expect(try #require(outcome.bound) >= unlimited.throughput * (1 - 1e-9))
        #expect(try #require(best.simulated).fits)
    }

    /// Nothing whose check fits: no answer (rather than a late or an
    /// unchecked one), and no MILP solved for shapes that could not be checked.
    @Test func noShapeWhoseCheckFitsGivesNoAnswer() throws {
        var search = PlacementSearch(shape: .opt30b, hardware: .t4, workload: .reference(alpha: 0.8),
                                     sizes: .exact(.opt30b, weights: .fp16, cache: .fp16))
        search.maximumBatchSize = 4
        search.validationSecondsPerOperator = 100
        search.deadline = Deadline(seconds: 600)
        let outcome = search.run()
        #expect(outcome.best == nil)
        #expect(outcome.milpSolves == 0 && outcome.simulations == 0)
        #expect(outcome.unvalidated > 0)
        #expect(!outcome.proven)

        // A fixed shape: the MILP's placement comes back unchecked, with the estimate.
        let placement = try #require(search.evaluate(gbs: 4, nb: 1))
        #expect(placement.simulated == nil)
        #expect(placement.validationEstimate == search.validationSeconds(nb: 1, secondsPerOperator: 100))
    }

    /// A check asked for after its deadline stops before building anything.
    @Test func theCheckStopsAtItsDeadline() throws {
        let search = PlacementSearch(shape: .opt30b, hardware: .t4, workload: .reference(alpha: 0.8),
                                     sizes: .exact(.opt30b, weights: .fp16, cache: .fp16))
        let placement = try #require(search.evaluate(gbs: 8, nb: 4, simulate: false))
        let cost = search.costModel(gbs: 8, nb: 4, chain: search.chain)
        #expect(throws: OffloadBlockPlan.BuildError.timeLimit) {
            try SimulatedPolicy.simulate(cost: cost, segments: search.segments, placement: placement.layers, deadline: Deadline(seconds: 0))
        }
        let checked = try SimulatedPolicy.simulate(cost: cost, segments: search.segments, placement: placement.layers,
                                                   deadline: Deadline(seconds: 600))
        #expect(checked.checkedActions > 0)
    }
}
