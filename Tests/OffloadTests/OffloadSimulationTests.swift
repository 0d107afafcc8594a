import Testing
@testable import Offload
@testable import MILP
import Plan
import Verifier

/// The block plan (checked by the Verifier's symbolic replay) and its event
/// simulation (checked against hand-computed schedules and the cost model),
/// on FlexGen's three tiers and on a four-tier chain.
@Suite struct OffloadSimulationTests {
    static let toy = TransformerShape(name: "toy", layers: 4, hidden: 64, ffn: 256, heads: 4, kvHeads: 2,
                                      vocabulary: 100, gatedFFN: true, biases: false)
    static let sizes = LayerSizes.exact(toy, weights: .fp16, cache: .fp16)
    static let segments = ChainCostModel.segments(prompt: 64, generated: 8, count: 3)

    static func cost(_ gbs: Int = 2, _ nb: Int = 2, gpu: Double = 1e9, cpu: Double = 1e9,
                     profile: HardwareProfile = .t4) -> ChainCostModel {
        let workload = OffloadWorkload(promptLength: 64, generatedTokens: 8, gpuBytes: gpu, cpuBytes: cpu, diskBytes: 1e12, alpha: 1)
        return ChainCostModel(shape: toy, sizes: sizes, chain: TierChain(profile.tierSpecs(for: workload)), hardware: profile,
                              workload: workload, gbs: gbs, nb: nb)
    }

    /// Layer j keeps tensor t on tier (j + t) mod K; heads and hidden states spread over every tier.
    static func mixed(tiers K: Int, gbs: Int = 2, nb: Int = 2) -> LayerPlacement {
        let weights = (0 ..< 4).map { j in (0 ..< sizes.tensors.count).map { t in (j + t) % K } }
        // Layer j: its 2 KV heads × nb batches split over two tiers.
        let units = (0 ..< 4).map { j in (0 ..< K).map { k in k == j % K ? nb : k == (j + 1) % K ? nb : 0 } }
        var hidden = [Int](repeating: 0, count: K)
        for s in 0 ..< gbs { hidden[s % K] += 1 }
        return LayerPlacement(tiers: [], tensors: sizes.tensors.map(\.name), weights: weights, batches: nb, cacheUnits: units,
                              hiddenSequences: hidden, decodeHiddenSequences: hidden.reversed())
    }

    static var phases: [ChainCostModel.Phase] { [.prefill] + segments.map { .decode($0) } }

    @Test func theVerifierAcceptsEveryPhasesPlan() throws {
        for phase in Self.phases {
            let block = try OffloadBlockPlan.build(cost: Self.cost(), placement: Self.mixed(tiers: 3), phase: phase)
            let report = Verifier.verify(block.plan, against: block.graph)
            #expect(report.passed, "\(phase): \(report.failure.map(String.init(describing:)) ?? "")")
            #expect(block.plan.metrics.peakBytes["gpu"]! > 0 && block.plan.metrics.bytesMoved["disk->cpu"]! > 0)
        }
    }

    @Test func theVerifierRejectsThePlanOnASmallerGPU() throws {
        let block = try OffloadBlockPlan.build(cost: Self.cost(gpu: 50_000), placement: Self.mixed(tiers: 3), phase: Self.phases[1])
        let report = Verifier.verify(block.plan, against: block.graph)
        #expect(report.failure?.kind == .capacityExceeded)
    }

    @Test func allOnTheGPUTheBlockIsItsComputeAndOneStore() throws {
        let cost = Self.cost(2, 1)
        let allGPU = LayerPlacement(tiers: [], tensors: Self.sizes.tensors.map(\.name),
                                    weights: Array(repeating: Array(repeating: 0, count: Self.sizes.tensors.count), count: 4),
                                    batches: 1, cacheUnits: Array(repeating: [2, 0, 0], count: 4), hiddenSequences: [2, 0, 0])
        let block = try OffloadBlockPlan.build(cost: cost, placement: allGPU, phase: .prefill)
        let result = OffloadSimulation(block: block, chain: cost.chain).run()
        // One GPU batch: l layers back to back, then the block's output hidden state gpu→cpu.
        let hidden = (2 * cost.s * cost.h1 * cost.g).rounded()
        let store = hidden / (HardwareProfile.t4.gpuToCpuHiddenGBps * FlexGenUnits.gigabyte)
        let expected = cost.l * cost.operatorSeconds(.prefill, gpuHeads: 2) + store
        #expect(abs(result.seconds - expected) <= 1e-9 * expected, "\(result.seconds) vs \(expected)")
    }

    @Test func loadsOverlapComputeAndTheSlowestResourceBoundsTheStep() throws {
        let cost = Self.cost()
        let block = try OffloadBlockPlan.build(cost: cost, placement: Self.mixed(tiers: 3), phase: Self.phases[2])
        let result = OffloadSimulation(block: block, chain: cost.chain).run()
        let busiest = result.busy.values.max()!
        let serial = result.busy.values.reduce(0, +)
        #expect(result.seconds >= busiest * (1 - 1e-12))
        #expect(result.seconds < serial, "no overlap at all: \(result.seconds) vs \(serial)")
    }

    @Test func aCurvedLinkReadsSmallRequestsSlower() throws {
        let profile = try HardwareProfileTests.fourTier()
        let chain = TierChain(profile.tierSpecs)
        let nvme = try #require(chain.tiers.firstIndex { $0.name == "nvme" })
        // Per byte, 4 KiB requests are latency-bound, 16 MiB ones near the peak; a 64 MiB read goes in 16 MiB requests.
        let small = chain.readSeconds(4096, link: nvme) / 4096, large = chain.readSeconds(Double(64 << 20), link: nvme) / Double(64 << 20)
        #expect(small > 50 * large)
        #expect(abs(chain.readSeconds(Double(64 << 20), link: nvme) - 4 * chain.readSeconds(Double(16 << 20), link: nvme)) < 1e-12)
        #expect(abs(1 / large / FlexGenUnits.gigabyte - 5.821) < 1e-9)
    }

    /// A four-tier machine (GPU ← CPU ← {CXL, NVMe}) too small to hold the
    /// model above the CXL tier: the exact search's plan verifies, and its
    /// simulated peaks respect every tier.
    @Test func aFourTierPlanVerifiesAndRespectsEveryTier() throws {
        var profile = try HardwareProfileTests.fourTier()
        profile.tiers![2].capacity = 6 << 30   // CXL: 6 GiB of Llama-2-7B's 12.6 GiB
        let shape = LayerSizesTests.llama2_7b
        let workload = OffloadWorkload(promptLength: 128, generatedTokens: 8, gpuBytes: 4 * FlexGenUnits.gigabyte,
                                       cpuBytes: 4 * FlexGenUnits.gigabyte, diskBytes: 100 * FlexGenUnits.gigabyte, alpha: 0.8)
        var search = PlacementSearch(shape: shape, hardware: profile, workload: workload, sizes: .exact(shape, weights: .fp16, cache: .fp16))
        // Keeps the debug-mode test short (one MILP, one simulation of 32 × 16
        // operators). At larger blocks (1 × 136) the event simulation's GPU
        // peak exceeds the cost model's: stores of new keys and values queue
        // behind a slow link while the GPU runs ahead (the simulation holds
        // an operator back for room in the tiers beneath the GPU, not in the
        // GPU itself), and the search rejects them.
        search.maximumBatchSize = 4
        search.maximumOperators = 32 * 16
        let outcome = search.run()
        let best = try #require(outcome.best)
        let sim = try #require(best.simulated)
        #expect(sim.verifierFailures.isEmpty, "\(sim.verifierFailures)")
        #expect(sim.tiers == ["gpu", "cpu", "cxl", "nvme"])
        let capacities = TierChain(profile.tierSpecs(for: workload)).tiers.map(\.capacity)
        for (k, peak) in sim.peakBytes.enumerated() {
            #expect(peak <= capacities[k], "\(sim.tiers[k]): \(peak) > \(capacities[k])")
        }
        // Weights land on every tier: the GPU, the host, the CXL memory and the drive.
        let used = (0 ..< 4).filter { k in best.counts.weights.contains { $0[k] > 0 } }
        #expect(used.count >= 3, "\(best.counts.weights)")
        #expect(best.counts.weights.contains { $0[3] > 0 }, "nothing on the NVMe drive: \(best.counts.weights)")
        #expect(sim.throughput >= 0.9 * (outcome.relaxed?.throughput ?? .infinity), "\(sim.throughput) vs \(String(describing: outcome.relaxed))")
    }

    /// A prefill whose keys and values all go to the disk, whose write link
    /// is far slower than the GPU computes: weights on the GPU and the host
    /// only, so the plan is the same whatever the host's capacity.
    static func storeBound(nb: Int, hidden: [Int] = [2, 0, 0]) -> LayerPlacement {
        LayerPlacement(tiers: [], tensors: sizes.tensors.map(\.name),
                       weights: (0 ..< 4).map { j in (0 ..< sizes.tensors.count).map { t in (j + t) % 2 } },
                       batches: nb, cacheUnits: Array(repeating: [0, 0, 2 * nb], count: 4), hiddenSequences: hidden)
    }

    /// With room to spare the stores queue up in the host behind the slow
    /// disk while the GPU runs ahead; with less room the GPU waits for the
    /// host to drain (back-pressure) and the host's peak stays within it.
    @Test func theGPUWaitsForRoomInTheHostRatherThanOverfillIt() throws {
        let nb = 8
        let roomy = Self.cost(2, nb, cpu: 1e9, profile: .a100_40gb)
        let block = try OffloadBlockPlan.build(cost: roomy, placement: Self.storeBound(nb: nb), phase: .prefill)
        let free = OffloadSimulation(block: block, chain: roomy.chain).run()
        let plain = try #require(block.plan.metrics.peakBytes["cpu"])   // the plan's own, sequential peak
        let queued = try #require(free.peakBytes["cpu"])
        #expect(queued > 2 * Double(plain), "stores did not queue: \(queued) vs \(plain)")
        let capacity = (queued + Double(plain)) / 2
        let tight = Self.cost(2, nb, cpu: capacity, profile: .a100_40gb)
        let tightBlock = try OffloadBlockPlan.build(cost: tight, placement: Self.storeBound(nb: nb), phase: .prefill)
        #expect(Verifier.verify(tightBlock.plan, against: tightBlock.graph).passed)
        let held = OffloadSimulation(block: tightBlock, chain: tight.chain).run()
        #expect(held.seconds.isFinite, "\(held.stall ?? "")")
        let peak = try #require(held.peakBytes["cpu"])
        #expect(peak <= capacity, "\(peak) > \(capacity)")
        // Waiting costs nothing here: the disk link is the bottleneck either way.
        let disk = try #require(held.busy["cpu->disk"])
        #expect(held.seconds >= disk && held.seconds <= 1.01 * free.seconds, "\(held.seconds) vs \(free.seconds), disk \(disk)")
    }

    /// OPT-66B on A100-40GB at gbs 8, nb 12 (exact mode's MILP): hidden
    /// states homed on the disk are loaded back (allocated again in the
    /// host) while their stores still pass through the host behind the
    /// cache's slow disk writes. The replay used to deadlock there (the
    /// store waited for the host cell the load had taken); now the store
    /// finishes from its own copy, and the placement verifies and fits.
    @Test func opt66bOnA100LoadsHiddenStatesBackWhileTheyAreStored() throws {
        let shape = TransformerShape(name: "opt-66b", layers: 64, hidden: 9216, ffn: 36864, heads: 72, positions: 2048)
        let gib = FlexGenUnits.gigabyte
        let workload = OffloadWorkload(promptLength: 512, generatedTokens: 32, gpuBytes: 40 * gib, cpuBytes: 85 * gib,
                                       diskBytes: 1500 * gib, alpha: 0.8)
        let search = PlacementSearch(shape: shape, hardware: .a100_40gb, workload: workload, sizes: .exact(shape, weights: .fp16, cache: .fp16))
        let placement = try #require(search.evaluate(gbs: 8, nb: 12))
        let sim = try #require(placement.simulated)
        #expect(sim.verifierFailures.isEmpty, "\(sim.verifierFailures)")
        #expect(sim.violations.isEmpty, "\(sim.violations)")
        #expect(sim.throughput >= 0.95 * placement.throughput, "\(sim.throughput) vs \(placement.throughput)")
    }

    @Test func flexGensReferencePolicyBreaksTheGPUWhenSimulated() throws {
        // The spec's OPT-30B policy is evaluated with α = 1.2: its model peak
        // is 18.77 GB on a 16 GB GPU, and the simulation says so too.
        let search = PolicySearch(shape: .opt30b, hardware: .t4, workload: .reference(alpha: 1.2))
        let pinned = try #require(PinnedFractions(percentages: [20, 80, 0, 100, 0, 100]))
        let estimate = try #require(search.evaluate(gbs: 48, nb: 3, pinned: pinned))
        let placement = search.flexGenPlacement(of: estimate.policy)
        // q and k (1/12 of the bytes each, midpoints at 4 % and 12.5 %) on the GPU, v at 21 % on the CPU.
        #expect(placement.weights[0].enumerated().filter { $0.element == 0 }.map { placement.tensors[$0.offset] } == ["q", "k"])
        let sim = try search.simulate(gbs: 48, nb: 3, placement: placement)
        #expect(sim.violations.contains { $0.tier == "gpu" }, "GPU peak \(sim.gpuPeakBytes / FlexGenUnits.gigabyte) GiB")
        // FlexGen mode's --simulate runs under the command's deadline: one that has passed stops it before any plan.
        #expect(throws: OffloadBlockPlan.BuildError.timeLimit) {
            try search.simulate(gbs: 48, nb: 3, placement: placement, deadline: Deadline(seconds: 0))
        }
    }
}
