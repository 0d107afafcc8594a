import Foundation
import MILP
import ModelImport
import Offload

/// The offload planner: the cost of one LP (dense simplex vs GLPK), full
/// FlexGen searches, and the table — every model config in
/// Models/llm × every built-in hardware profile: FlexGen-mode throughput,
/// exact-mode (whole-tensor MILP) throughput, its continuous relaxation,
/// the block simulation of the exact placement and of FlexGen's rounding
/// of its own policy, and the search times.
enum OffloadBenchmarks {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static func shape(_ config: TransformerConfig) -> TransformerShape {
        let gated = config.family == .llama
        return TransformerShape(name: config.name, layers: config.layers, hidden: config.hiddenSize, ffn: config.ffnSize,
                                heads: config.heads, kvHeads: config.kvHeads, vocabulary: config.vocabSize, gatedFFN: gated,
                                biases: !gated, positions: config.family == .opt ? config.maxPositions ?? 0 : 0,
                                tiedEmbeddings: config.tiedEmbeddings)
    }

    static func workload(_ profile: HardwareProfile) -> OffloadWorkload {
        OffloadWorkload(gpuBytes: profile.gpuMemoryGB * 1_073_741_824, cpuBytes: profile.cpuMemoryGB * 1_073_741_824,
                        diskBytes: profile.diskGB * 1_073_741_824, alpha: 0.8)
    }

    static func run() {
        // One LP: OPT-175B on the T4 at gbs 8, nb 10.
        var reference = PolicySearch(shape: .opt175b, hardware: .t4, workload: .reference(alpha: 0.8))
        reference.solver = DenseSimplexSolver()
        let lp = 500
        let dense = bestTime { for _ in 0 ..< lp { _ = reference.evaluate(gbs: 8, nb: 10, pinned: nil) } } / Double(lp)
        var glpkSearch = reference
        glpkSearch.solver = GLPKSolver(cuts: false)
        let glpk = bestTime { for _ in 0 ..< lp { _ = glpkSearch.evaluate(gbs: 8, nb: 10, pinned: nil) } } / Double(lp)
        print("one LP (OPT-175B, gbs 8, nb 10): build + dense simplex \(formatSeconds(dense)), build + GLPK \(formatSeconds(glpk))")

        for shape in [TransformerShape.opt30b, .opt175b] {
            var solves = 0
            var dense = PolicySearch(shape: shape, hardware: .t4, workload: .reference(alpha: 0.8))
            dense.solver = DenseSimplexSolver()
            let fast = bestTime { solves = dense.run().lpSolves }
            var slow = PolicySearch(shape: shape, hardware: .t4, workload: .reference(alpha: 0.8))
            slow.solver = GLPKSolver(cuts: false)
            let slowTime = bestTime { _ = slow.run() }
            print("FlexGen search \(shape.name) on t4: \(solves) LPs, dense simplex + templates \(formatSeconds(fast)), GLPK (default) \(formatSeconds(slowTime))")
        }

        let directory = root.appendingPathComponent("Models/llm")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        let profiles = HardwareProfile.builtIn.sorted { $0.key < $1.key }
        print("")
        print("| model | profile | FlexGen tok/s | FlexGen rounded, simulated | exact tok/s | relaxation | gap | exact simulated | FlexGen search | exact search |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for file in files {
            guard let config = try? TransformerConfig.load(contentsOf: directory.appendingPathComponent(file).path) else { continue }
            let shape = shape(config)
            for (name, profile) in profiles {
                let flexgen = PolicySearch(shape: shape, hardware: profile, workload: workload(profile))
                var flexgenOutcome: PolicySearch.Outcome?
                let flexgenTime = bestTime(repeats: 1) { flexgenOutcome = flexgen.run() }
                var exact = flexgen
                exact.sizes = .exact(shape, weights: .fp16, cache: .fp16)
                var exactOutcome: WholeTensorSearch.Outcome?
                let exactTime = bestTime(repeats: 1) { exactOutcome = WholeTensorSearch(relaxation: exact).run() }

                func tps(_ x: Double?) -> String { x.map { String(format: "%.4g", $0) } ?? "—" }
                var roundedSim = "—"
                if let best = flexgenOutcome?.best {
                    let placement = flexgen.flexGenPlacement(of: best.policy)
                    if let sim = try? flexgen.simulate(gbs: best.policy.gbs, nb: best.policy.nb, placement: placement) {
                        roundedSim = tps(sim.throughput) + (sim.violations.isEmpty && sim.verifierFailures.isEmpty ? "" : " (breaks " + sim.violations.map(\.tier).joined(separator: ", ") + ")")
                    }
                }
                var exactSim = "—", gap = "—"
                if let best = exactOutcome?.best {
                    if let sim = try? exact.simulate(gbs: best.estimate.policy.gbs, nb: best.estimate.policy.nb, placement: best.placement) {
                        exactSim = tps(sim.throughput) + (sim.violations.isEmpty && sim.verifierFailures.isEmpty ? "" : " (breaks " + sim.violations.map(\.tier).joined(separator: ", ") + ")")
                    }
                    if let relaxed = exactOutcome?.relaxed?.throughput {
                        gap = String(format: "%.2f %%", (relaxed - best.estimate.throughput) / relaxed * 100)
                    }
                }
                print("| \(config.name) | \(name) | \(tps(flexgenOutcome?.best?.throughput)) | \(roundedSim) | \(tps(exactOutcome?.best?.estimate.throughput)) "
                    + "| \(tps(exactOutcome?.relaxed?.throughput)) | \(gap) | \(exactSim) | \(formatSeconds(flexgenTime)) | \(formatSeconds(exactTime)) |")
            }
        }
    }
}
