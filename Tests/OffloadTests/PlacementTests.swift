import Testing
@testable import Offload
@testable import MILP

/// Exact mode: the per-layer MILP against brute force over every count,
/// against its own relaxation, the spreading of counts over layers, and
/// the search on a reference model.
@Suite struct PlacementTests {
    /// A toy Llama (4 heads over 2 KV heads) cut to two weight tensors a
    /// layer over two layers, so that every placement can be enumerated.
    static let toy = TransformerShape(name: "toy", layers: 2, hidden: 64, ffn: 256, heads: 4, kvHeads: 2,
                                      vocabulary: 100, gatedFFN: true, biases: false)

    static var toySizes: LayerSizes {
        var sizes = LayerSizes.exact(toy, weights: .fp16, cache: .fp16)
        sizes.tensors = [
            .init(name: "attention", parameters: 4 * 64 * 64, bytes: 2 * 4 * 64 * 64),
            .init(name: "ffn", parameters: 3 * 64 * 256, bytes: 2 * 3 * 64 * 256),
        ]
        sizes.weightBytes = sizes.tensors.reduce(0) { $0 + $1.bytes }
        return sizes
    }

    static func toyCost(gpu: Double, cpu: Double, gbs: Int = 1, nb: Int = 2) -> ChainCostModel {
        let workload = OffloadWorkload(promptLength: 32, generatedTokens: 6, gpuBytes: gpu, cpuBytes: cpu, diskBytes: 1e9, alpha: 1)
        let chain = TierChain(HardwareProfile.t4.tierSpecs(for: workload))
        return ChainCostModel(shape: toy, sizes: toySizes, chain: chain, hardware: .t4, workload: workload, gbs: gbs, nb: nb)
    }

    static let segments = ChainCostModel.segments(prompt: 32, generated: 6, count: 2)

    /// Every integer count (weights per tensor and tier, cache units,
    /// hidden sequences in prefill and decode), evaluated by the cost
    /// model's own expressions.
    static func bruteForce(_ cost: ChainCostModel) -> (best: Double?, feasible: Int, total: Int) {
        let l = cost.shape.layers, K = cost.tiers
        func splits(_ total: Int) -> [[Int]] {
            var result: [[Int]] = []
            for a in 0 ... total { for b in 0 ... total - a { result.append([a, b, total - a - b]) } }
            return result
        }
        let weightSplits = splits(l), cacheSplits = splits(l * cost.shape.kvHeads * cost.nb)
        let hiddenSplits = splits(cost.gbs).filter { cost.nb > 1 || $0[0] == cost.gbs }
        var best: Double?
        var feasible = 0, total = 0
        for w0 in weightSplits {
            for w1 in weightSplits {
                for c in cacheSplits {
                    for h in hiddenSplits {
                        for d in hiddenSplits {
                            total += 1
                            let counts = PlacementCounts(weights: [w0, w1], cache: c, hidden: h, decodeHidden: d)
                            let evaluation = PlacementEvaluation(cost: cost, segments: segments, counts: counts)
                            guard K == 3, evaluation.fits(cost) else { continue }
                            feasible += 1
                            if best == nil || evaluation.throughput > best! { best = evaluation.throughput }
                        }
                    }
                }
            }
        }
        return (best, feasible, total)
    }

    /// Memories small enough that some placements do not fit.
    static let tight = toyCost(gpu: 500_000, cpu: 300_000)
    static let tightBruteForce = bruteForce(tight)

    @Test(arguments: SolverUnderTest.allCases)
    func milpMatchesBruteForceOnAToyModel(_ backend: SolverUnderTest) throws {
        let brute = Self.tightBruteForce
        #expect(brute.feasible > 0 && brute.feasible < brute.total, "\(brute.feasible) of \(brute.total) feasible")
        let expected = try #require(brute.best)
        let program = PlacementProgram(cost: Self.tight, integer: true, segments: Self.segments)
        let built = program.build()
        let result = backend.solver.solve(built.model)
        #expect(result.status == .optimal)
        let counts = PlacementProgram.counts(built, values: result.values)
        let evaluation = PlacementEvaluation(cost: Self.tight, segments: Self.segments, counts: counts)
        #expect(evaluation.fits(Self.tight))
        #expect(abs(evaluation.throughput - expected) <= 1e-6 * expected, "MILP \(evaluation.throughput), brute force \(expected)")
        // The LP at the same shape is the MILP's relaxation: never worse.
        let lp = PlacementProgram(cost: Self.tight, integer: false, segments: Self.segments).build()
        let relaxed = GLPKSolver().solve(lp.model)
        let seconds = zip(lp.times, lp.phaseWeights).reduce(0) { $0 + relaxed.values[$1.0.index] * $1.1 }
        #expect(Self.tight.g * Self.tight.batches * Self.tight.n / seconds >= expected * (1 - 1e-9))
    }

    @Test func aPlacementThatCannotFitIsNone() {
        let cost = Self.toyCost(gpu: 100_000, cpu: 100_000)
        #expect(Self.bruteForce(cost).best == nil)
        let built = PlacementProgram(cost: cost, integer: true, segments: Self.segments).build()
        #expect(GLPKSolver().solve(built.model).status == .infeasible)
    }

    @Test func theModelsBusyTimesAreTheSimulationsOnATreeOfTiers() throws {
        // GPU ← CPU ← {CXL, NVMe}: busy seconds per link and of the GPU
        // are the same sums in the cost model and in the simulated plans.
        let profile = try HardwareProfileTests.fourTier()
        let shape = LayerSizesTests.llama2_7b
        let workload = OffloadWorkload(promptLength: 64, generatedTokens: 8, gpuBytes: 4 * FlexGenUnits.gigabyte,
                                       cpuBytes: 8 * FlexGenUnits.gigabyte, diskBytes: 100 * FlexGenUnits.gigabyte, alpha: 0.8)
        let chain = TierChain(profile.tierSpecs(for: workload))
        let sizes = LayerSizes.exact(shape, weights: .fp16, cache: .fp16)
        let cost = ChainCostModel(shape: shape, sizes: sizes, chain: chain, hardware: profile, workload: workload, gbs: 2, nb: 3)
        let segments = ChainCostModel.segments(prompt: 64, generated: 8, count: 3)
        let T = sizes.tensors.count
        // Every tensor spread over all four tiers, cache on all four, hidden on three.
        let counts = PlacementCounts(weights: (0 ..< T).map { [4 + $0 % 3, 12, 9, 7 - $0 % 3] }, cache: [1200, 900, 600, 372],
                                     hidden: [0, 1, 1, 0], decodeHidden: [1, 0, 0, 1])
        let layers = LayerPlacement.distribute(counts, sizes: sizes, chain: chain, layers: 32, kvHeads: 32, batches: 3)
        #expect(layers.counts == counts)
        let evaluation = PlacementEvaluation(cost: cost, segments: segments, counts: counts)
        #expect(evaluation.fits(cost), "the counts must fit α × every capacity: \(evaluation.peakBytes) vs \(cost.capacities)")
        let sim = try SimulatedPolicy.simulate(cost: cost, segments: segments, placement: layers)
        #expect(sim.verifierFailures.isEmpty, "\(sim.verifierFailures)")
        for (resource, seconds) in evaluation.busy where seconds > 0 {
            // The model counts l − 1 hidden round trips and l stores of new
            // keys; the plan moves the block's inputs too (one layer of 32).
            let simulated = try #require(sim.busy[resource], "\(resource)")
            #expect(abs(simulated - seconds) <= 0.05 * seconds, "\(resource): simulated \(simulated), model \(seconds)")
        }
    }

    @Test func countsSpreadOverLayersAreBalanced() {
        var random = WarmSimplexTests.Random(state: 11)
        let shape = LayerSizesTests.llama2_70b
        let sizes = LayerSizes.exact(shape, weights: .fp16, cache: .fp16)
        let chain = TierChain(HardwareProfile.a100_40gb.tierSpecs)
        for trial in 0 ..< 30 {
            let weights = sizes.tensors.map { _ -> [Int] in
                let a = random.int(0 ... 80), b = random.int(0 ... 80 - a)
                return [a, b, 80 - a - b]
            }
            let nb = 1 + trial % 4, units = 640 * nb
            let c0 = random.int(0 ... units), c1 = random.int(0 ... units - c0)
            let counts = PlacementCounts(weights: weights, cache: [c0, c1, units - c0 - c1], hidden: [1, 1, 0])
            let layers = LayerPlacement.distribute(counts, sizes: sizes, chain: chain, layers: 80, kvHeads: 8, batches: nb)
            #expect(layers.counts == counts)
            let streamed = layers.weights.map { layer in zip(layer, sizes.tensors).filter { $0.0 != 0 }.reduce(0.0) { $0 + $1.1.bytes } }
            let mean = streamed.reduce(0, +) / 80, largest = sizes.tensors.map(\.bytes).max()!
            #expect(streamed.max()! <= mean + largest + 1, "\(streamed.max()!) vs \(mean) + \(largest)")
            for k in 0 ..< 3 {
                let perLayer = layers.cacheUnits.map { $0[k] }
                #expect(perLayer.max()! - perLayer.min()! <= 1, "tier \(k): \(perLayer)")
                // Every operator keeps its 8 heads, ⌊·⌋ or ⌈·⌉ of its layer's share on each tier.
                for j in [0, 41, 79] {
                    let heads = (0 ..< nb).map { layers.heads(layer: j, batch: $0) }
                    #expect(heads.allSatisfy { $0.reduce(0, +) == 8 })
                    let onTier = heads.map { $0[k] }
                    #expect(onTier.max()! - onTier.min()! <= 1, "layer \(j) tier \(k): \(onTier)")
                    #expect(onTier.reduce(0, +) == layers.cacheUnits[j][k])
                }
            }
        }
    }

    @Test func opt30bExactSearchReachesItsRelaxationAndFits() throws {
        var search = PlacementSearch(shape: .opt30b, hardware: .t4, workload: .reference(alpha: 0.8),
                                     sizes: .exact(.opt30b, weights: .fp16, cache: .fp16))
        search.maximumBatchSize = 16  // keeps the debug-mode test short
        let outcome = search.run()
        let best = try #require(outcome.best)
        let relaxed = try #require(outcome.relaxed)
        let sim = try #require(best.simulated)
        #expect(outcome.proven)
        #expect(best.throughput <= relaxed.throughput * (1 + 1e-9))
        #expect(try #require(outcome.bound) >= best.throughput)
        #expect(sim.fits, "\(sim.violations) \(sim.verifierFailures)")
        #expect(sim.throughput >= 0.9 * relaxed.throughput, "simulated \(sim.throughput), relaxation \(relaxed.throughput)")
        #expect(best.peakBytes[0] <= 0.8 * 16 * FlexGenUnits.gigabyte * (1 + 1e-9))
    }
}
