import Testing
@testable import Offload
@testable import MILP

/// Exact mode: the whole-tensor MILP against brute force, against its own
/// relaxation, and on the reference models.
@Suite struct WholeTensorTests {
    /// A toy Llama (gated FFN, 4 heads over 2 KV heads): 8 tensors a layer,
    /// so 3^8 weight placements × 6 cache splits × 2 activation splits.
    static let toy = TransformerShape(name: "toy", layers: 4, hidden: 64, ffn: 256, heads: 4, kvHeads: 2,
                                      vocabulary: 100, gatedFFN: true, biases: false)

    static func toyCost(gpuBytes: Double, cpuBytes: Double) -> FlexGenCostModel {
        let workload = OffloadWorkload(promptLength: 64, generatedTokens: 8, gpuBytes: gpuBytes, cpuBytes: cpuBytes,
                                       diskBytes: 1e9, alpha: 1)
        return FlexGenCostModel(shape: toy, hardware: .t4, workload: workload, gbs: 1, nb: 2,
                                sizes: .exact(toy, weights: .fp16, cache: .fp16))
    }

    /// Every integer assignment of the MILP's placement variables, feasible
    /// ones evaluated by the cost model's own expressions.
    static func bruteForce(_ cost: FlexGenCostModel) -> (best: Double?, feasible: Int, total: Int) {
        let built = WholeTensorMILP(cost: cost).build()
        var values = [Double](repeating: 0, count: built.model.variableCount)
        let tensors = built.weightChoice.count
        var best: Double?
        var feasible = 0, total = 0
        let w = cost.workload
        var code = 0
        let placements = (0 ..< tensors).reduce(1) { p, _ in p * 3 }
        while code < placements {
            var rest = code
            for t in 0 ..< tensors {
                for x in built.weightChoice[t] { values[x.index] = 0 }
                values[built.weightChoice[t][rest % 3].index] = 1
                rest /= 3
            }
            let units = cost.shape.kvHeads
            for kg in 0 ... units {
                for kc in 0 ... units - kg {
                    values[built.cache[0].index] = Double(kg)
                    values[built.cache[1].index] = Double(kc)
                    values[built.cache[2].index] = Double(units - kg - kc)
                    for ag in 0 ... cost.gbs {
                        values[built.activations[0].index] = Double(ag)
                        values[built.activations[1].index] = Double(cost.gbs - ag)
                        total += 1
                        let e = FlexGenLP.estimate(cost: cost, fractions: built.fractions, values: values)
                        guard e.gpuPeakBytes <= w.gpuBytes * w.alpha * (1 + 1e-12),
                              e.cpuPeakBytes <= w.cpuBytes * w.alpha * (1 + 1e-12) else { continue }
                        feasible += 1
                        if best == nil || e.throughput > best! { best = e.throughput }
                    }
                }
            }
            code += 1
        }
        return (best, feasible, total)
    }

    /// GPU memory for the working set and part of the weights (~490 KB in
    /// all), CPU memory short of the rest: some tensors must go to disk.
    static let tightCost = toyCost(gpuBytes: 450_000, cpuBytes: 400_000)
    /// Computed once for both backends (78,732 placements).
    static let tightBruteForce = bruteForce(tightCost)

    @Test(arguments: SolverUnderTest.allCases)
    func milpMatchesBruteForceOnAToyModel(_ backend: SolverUnderTest) throws {
        let cost = Self.tightCost
        let brute = Self.tightBruteForce
        #expect(brute.feasible > 0 && brute.feasible < brute.total, "\(brute.feasible) of \(brute.total) feasible")
        let expected = try #require(brute.best)
        let (estimate, placement) = try #require(WholeTensorMILP(cost: cost).solve(with: backend.solver))
        #expect(abs(estimate.throughput - expected) <= 1e-6 * expected, "MILP \(estimate.throughput), brute force \(expected)")
        #expect(placement.cacheUnits.reduce(0, +) == 2 && placement.activationSequences.reduce(0, +) == 1)
        // The LP at the same shape is the MILP's relaxation: never worse.
        let relaxed = try #require(FlexGenLP(cost: cost, pinned: nil).solve(with: backend.solver))
        #expect(relaxed.throughput >= estimate.throughput * (1 - 1e-9))
    }

    @Test func aPlacementThatCannotFitIsNone() {
        let cost = Self.toyCost(gpuBytes: 100_000, cpuBytes: 100_000)
        #expect(Self.bruteForce(cost).best == nil)
        #expect(WholeTensorMILP(cost: cost).solve(with: GLPKSolver()) == nil)
    }

    @Test func opt30bExactSearchFitsAndStaysBelowItsRelaxation() throws {
        var relaxation = PolicySearch(shape: .opt30b, hardware: .t4, workload: .reference(alpha: 0.8))
        relaxation.sizes = .exact(.opt30b, weights: .fp16, cache: .fp16)
        let outcome = WholeTensorSearch(relaxation: relaxation).run()
        let best = try #require(outcome.best)
        let relaxed = try #require(outcome.relaxed)
        #expect(outcome.proven)
        #expect(best.estimate.throughput <= relaxed.throughput * (1 + 1e-9))
        #expect(best.estimate.throughput > 0.5 * relaxed.throughput, "\(best.estimate.throughput) vs \(relaxed.throughput)")
        #expect(best.estimate.gpuPeakBytes <= 0.8 * 16 * Units.gigabyte * (1 + 1e-9))
        // Whole tensors: wg is a sum of whole tensors' shares.
        let sizes = relaxation.sizes
        let onGPU = zip(sizes.tensors, best.placement.weights).filter { $0.1.tier == .gpu }.reduce(0) { $0 + $1.0.bytes }
        #expect(abs(onGPU / sizes.weightBytes - best.estimate.policy.wg) < 1e-9)
    }
}
