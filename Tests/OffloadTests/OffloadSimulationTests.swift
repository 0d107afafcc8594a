import Testing
@testable import Offload
@testable import MILP
import Plan
import Verifier

/// The block plan (checked by the Verifier's symbolic replay) and its event
/// simulation (checked against hand-computed schedules and the LP).
@Suite struct OffloadSimulationTests {
    static let toy = WholeTensorTests.toy

    static func cost(_ gbs: Int = 2, _ nb: Int = 2, gpu: Double = 1e9, cpu: Double = 1e9) -> FlexGenCostModel {
        let workload = OffloadWorkload(promptLength: 64, generatedTokens: 8, gpuBytes: gpu, cpuBytes: cpu, diskBytes: 1e12, alpha: 1)
        return FlexGenCostModel(shape: toy, hardware: .t4, workload: workload, gbs: gbs, nb: nb,
                                sizes: .exact(toy, weights: .fp16, cache: .fp16))
    }

    static func placement(_ tiers: [OffloadTier], cache: [Int], hidden: [Int]) -> WholeTensorPlacement {
        let names = LayerSizes.exact(toy, weights: .fp16, cache: .fp16).tensors.map(\.name)
        return WholeTensorPlacement(weights: zip(names, tiers).map { .init(tensor: $0, tier: $1) }, cacheUnits: cache,
                                    activationSequences: hidden)
    }

    static let mixed = placement([.gpu, .cpu, .disk, .gpu, .cpu, .disk, .cpu, .gpu], cache: [1, 0, 1], hidden: [1, 1])

    @Test(arguments: [OffloadBlockPlan.Phase.prefill, .decode])
    func theVerifierAcceptsTheBlockPlan(_ phase: OffloadBlockPlan.Phase) throws {
        let block = try OffloadBlockPlan.build(cost: Self.cost(), placement: Self.mixed, phase: phase)
        let report = Verifier.verify(block.plan, against: block.graph)
        #expect(report.passed, "\(report.failure.map(String.init(describing:)) ?? "")")
        #expect(block.plan.metrics.peakBytes["gpu"]! > 0 && block.plan.metrics.bytesMoved["disk->cpu"]! > 0)
    }

    @Test func theVerifierRejectsTheBlockPlanOnASmallerGPU() throws {
        let block = try OffloadBlockPlan.build(cost: Self.cost(gpu: 50_000), placement: Self.mixed, phase: .decode)
        let report = Verifier.verify(block.plan, against: block.graph)
        #expect(report.failure?.kind == .capacityExceeded)
    }

    @Test func allOnTheGPUTheBlockIsItsComputeAndOneStore() throws {
        let cost = Self.cost(2, 1)
        let allGPU = Self.placement(Array(repeating: .gpu, count: 8), cache: [2, 0, 0], hidden: [2, 0])
        let block = try OffloadBlockPlan.build(cost: cost, placement: allGPU, phase: .prefill)
        let result = OffloadSimulation(block: block, hardware: .t4).run()
        // One GPU batch: l layers back to back, then the block's output hidden state gpu→cpu→disk.
        let hidden = (2 * cost.s * cost.h1 * cost.bls).rounded()
        let store = hidden / (HardwareProfile.t4.gpuToCpuHiddenGBps * Units.gigabyte)
            + hidden / (HardwareProfile.t4.cpuToDiskHiddenPrefillGBps * Units.gigabyte)
        let expected = cost.l * cost.prefillCompute + store
        #expect(abs(result.seconds - expected) <= 1e-9 * expected, "\(result.seconds) vs \(expected)")
    }

    @Test func loadsOverlapComputeAndTheSlowestResourceBoundsTheStep() throws {
        let cost = Self.cost()
        let block = try OffloadBlockPlan.build(cost: cost, placement: Self.mixed, phase: .decode)
        let result = OffloadSimulation(block: block, hardware: .t4).run()
        let busiest = result.busy.values.max()!
        let serial = result.busy.values.reduce(0, +)
        #expect(result.seconds >= busiest * (1 - 1e-12))
        #expect(result.seconds < serial, "no overlap at all: \(result.seconds) vs \(serial)")
        #expect(abs(result.busy["gpu"]! - cost.l * cost.decodeComputeSeconds(Self.mixed)) < 1e-12)
    }

    @Test func theExactPolicyOfOPT30BSimulatesNearItsPredictionAndFits() throws {
        var search = PolicySearch(shape: .opt30b, hardware: .t4, workload: .reference(alpha: 0.8))
        search.sizes = .exact(.opt30b, weights: .fp16, cache: .fp16)
        let best = try #require(WholeTensorSearch(relaxation: search).run().best)
        let sim = try search.simulate(gbs: best.estimate.policy.gbs, nb: best.estimate.policy.nb, placement: best.placement)
        #expect(sim.violations.isEmpty, "\(sim.violations)")
        let ratio = sim.throughput / best.estimate.throughput
        #expect(ratio > 0.5 && ratio < 2, "simulated \(sim.throughput) vs predicted \(best.estimate.throughput)")
        for plan in [sim.prefillPlan, sim.decodePlan] {
            #expect(plan.steps.count == 48 * best.estimate.policy.nb)
        }
    }

    @Test func flexGensReferencePolicyBreaksTheGPUWhenSimulated() throws {
        // The spec's OPT-30B policy is evaluated with α = 1.2: its model peak
        // is 18.77 GB on a 16 GB GPU, and the simulation says so too.
        let search = PolicySearch(shape: .opt30b, hardware: .t4, workload: .reference(alpha: 1.2))
        let pinned = try #require(PinnedFractions(percentages: [20, 80, 0, 100, 0, 100]))
        let estimate = try #require(search.evaluate(gbs: 48, nb: 3, pinned: pinned))
        let placement = search.flexGenPlacement(of: estimate.policy)
        // q and k (1/12 of the bytes each, midpoints at 4 % and 12.5 %) on the GPU, v at 21 % on the CPU.
        #expect(placement.weights.filter { $0.tier == .gpu }.map(\.tensor) == ["q", "k"])
        let sim = try search.simulate(gbs: 48, nb: 3, placement: placement)
        #expect(sim.violations.contains { $0.tier == "GPU" }, "GPU peak \(sim.gpuPeakBytes / Units.gigabyte) GB")
    }
}
