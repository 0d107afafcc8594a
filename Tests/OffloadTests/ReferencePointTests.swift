import Testing
@testable import Offload
@testable import MILP

/// The spec's reference points (shared/specs/offload-lp.md), each within 0.5 %.
@Suite struct ReferencePointTests {
    func within(_ value: Double, _ expected: Double, _ tolerance: Double = 0.005) -> Bool {
        abs(value - expected) <= tolerance * abs(expected)
    }

    @Test(arguments: SolverUnderTest.allCases)
    func opt30bFixedPolicy(_ backend: SolverUnderTest) throws {
        var search = PolicySearch(shape: .opt30b, hardware: .t4, workload: .reference(alpha: 1.2))
        search.solver = backend.solver
        let pinned = try #require(PinnedFractions(percentages: [20, 80, 0, 100, 0, 100]))
        let estimate = try #require(search.evaluate(gbs: 48, nb: 3, pinned: pinned))
        #expect(within(estimate.throughput, 7.136), "throughput \(estimate.throughput)")
        #expect(within(estimate.prefillSeconds, 210.67), "prefill \(estimate.prefillSeconds)")
        #expect(within(estimate.decodeSeconds, 435.09), "decode \(estimate.decodeSeconds)")
        #expect(within(estimate.gpuPeakBytes / FlexGenUnits.gigabyte, 18.77), "GPU peak \(estimate.gpuPeakBytes / FlexGenUnits.gigabyte) GB")
        #expect(abs(estimate.policy.wn) < 1e-9 && abs(estimate.policy.cn) < 1e-9 && abs(estimate.policy.hn) < 1e-9)
    }

    @Test func opt175bSearch() throws {
        let search = PolicySearch(shape: .opt175b, hardware: .t4, workload: .reference(alpha: 0.8))
        let outcome = search.run()
        let best = try #require(outcome.best)
        #expect(within(best.throughput, 0.169), "throughput \(best.throughput) at gbs \(best.policy.gbs) nb \(best.policy.nb)")
        #expect(outcome.lpSolves > 10)
    }

    @Test func batchSizesFollowFlexGen() {
        #expect(PolicySearch.batchSizes(upTo: 40) == [1, 2, 3, 4, 8, 16, 32])
    }

    @Test func aMachineTooSmallSaysWhichTierIsShort() throws {
        var workload = OffloadWorkload.reference(alpha: 0.8)
        workload.cpuBytes = 10 * FlexGenUnits.gigabyte
        workload.diskBytes = 20 * FlexGenUnits.gigabyte
        let search = PolicySearch(shape: .opt175b, hardware: .t4, workload: workload)
        #expect(search.run().best == nil)
        let short = search.shortfall()
        #expect(!short.isEmpty)
        // 175B parameters in fp16 are ~326 GB; 16 + 10 + 20 GB are far short.
        let missing = short.map(\.bytes).reduce(0, +) / FlexGenUnits.gigabyte
        #expect(missing > 200, "\(short)")
    }
}

enum SolverUnderTest: String, CaseIterable, CustomStringConvertible, Sendable {
    case glpk, cbc
    var solver: any Solver { self == .glpk ? GLPKSolver() : CBCSolver() }
    var description: String { rawValue }
}
