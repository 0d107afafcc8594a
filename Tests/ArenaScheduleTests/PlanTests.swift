import ArenaSchedule
import MemoryGraph
import Plan
import RandomNetworks
import Testing
import Verifier

/// Single-tier plans pass the verifier, in symbolic and real memory, and
/// the verifier notices when their offsets are wrong.
@Suite struct PlanTests {
    @Test func plansVerify() throws {
        var graphs = (UInt64(1) ... 8).map { TinyArenaGraphs.graph(seed: $0, operators: 6) }
        graphs.append(try RandWire.stage(nodes: 32, sizes: .mixed, seed: 2))
        graphs.append(try NASCells.network(cells: 3, seed: 1))
        for graph in graphs {
            let result = try ArenaScheduler(options: ArenaScheduleOptions(method: .dp)).schedule(graph)
            for mode in [VerificationMode.symbolic, .realMemory()] {
                let report = Verifier.verify(result.plan, against: graph, mode: mode)
                #expect(report.passed, "\(graph.name): \(report.failure?.description ?? "")")
            }
            #expect(result.plan.tiers.count == 1 && result.plan.homeTier == result.plan.computeTier)
            #expect(result.plan.metrics.heights[ArenaPlan.tier] == result.height)
            #expect(result.plan.metrics.peakBytes[ArenaPlan.tier] == result.peak)
            #expect(result.plan.steps.map(\.op) == result.packing.order)
            #expect(result.plan.steps.allSatisfy { step in (step.before + step.after).allSatisfy { $0.kind != .copy } })
        }
    }

    @Test func overlappingOffsetsFailVerification() throws {
        let graph = try RandWire.stage(nodes: 32, sizes: .equal, seed: 1)
        let result = try ArenaScheduler(options: ArenaScheduleOptions(method: .heuristic)).schedule(graph)
        var plan = result.plan
        // Every allocation at offset 0: live tensors now overlap.
        for s in plan.steps.indices {
            for a in plan.steps[s].before.indices { plan.steps[s].before[a].offset = 0 }
        }
        let report = Verifier.verify(plan, against: graph)
        #expect(report.failure?.kind == .overlap)
    }
}
