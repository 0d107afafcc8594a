import Foundation
import MILP
import ModelImport
import Offload

/// The offload planner: the cost of one LP (built and solved cold by GLPK
/// or the dense simplex, or re-solved warm from the previous basis as nb
/// changes), full FlexGen searches, and the table of exact mode against
/// FlexGen — every model config in Models/llm × every built-in hardware
/// profile (and the four-tier example profile): FlexGen-mode throughput and
/// the simulation of FlexGen's rounding of its policy, exact mode's
/// throughput under its cost model, its continuous relaxation, the MILP's
/// bound, the simulated throughput of its block plan, and the search times.
enum OffloadBenchmarks {
    /// The best of `repeats` runs in CPU seconds of this thread: on a
    /// shared machine, wall time also counts the other jobs' share of the cores.
    static func bestCPUTime(repeats: Int = 3, _ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0 ..< repeats {
            var start = timespec(), end = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start)
            body()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end)
            best = min(best, Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) * 1e-9)
        }
        return best
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static func shape(_ config: TransformerConfig) -> TransformerShape {
        let gated = config.family == .llama
        return TransformerShape(name: config.name, layers: config.layers, hidden: config.hiddenSize, ffn: config.ffnSize,
                                heads: config.heads, kvHeads: config.kvHeads, vocabulary: config.vocabSize, gatedFFN: gated,
                                biases: !gated, positions: config.family == .opt ? config.maxPositions ?? 0 : 0,
                                tiedEmbeddings: config.tiedEmbeddings)
    }

    static func workload(_ profile: HardwareProfile) -> OffloadWorkload {
        OffloadWorkload(gpuBytes: Double(profile.gpuMemory), cpuBytes: Double(profile.cpuMemory), diskBytes: Double(profile.disk), alpha: 0.8)
    }

    static func run() {
        lpAndSearch()
        table()
    }

    /// The LP costs and the FlexGen searches, without the table (`offload-lp`).
    static func lpAndSearch() {
        lpCosts()
        flexGenSearches()
    }

    /// One LP built and solved cold, and re-solved warm across nb.
    static func lpCosts() {
        var reference = PolicySearch(shape: .opt175b, hardware: .t4, workload: .reference(alpha: 0.8))
        let count = 300
        reference.solver = GLPKSolver(cuts: false)
        let glpk = bestTime { for _ in 0 ..< count { _ = reference.evaluate(gbs: 8, nb: 10, pinned: nil) } } / Double(count)
        reference.solver = DenseSimplexSolver()
        let dense = bestTime { for _ in 0 ..< count { _ = reference.evaluate(gbs: 8, nb: 10, pinned: nil) } } / Double(count)
        var warm = OffloadTiming.FlexGenSweep(reference, gbs: 8)
        let sweep = 200
        let warmTime = bestTime { warm.reset(); for nb in 1 ... sweep { _ = warm.solve(nb: nb) } } / Double(sweep)
        print("FlexGen LP (OPT-175B on t4, gbs 8): build + GLPK \(formatSeconds(glpk)), build + dense simplex \(formatSeconds(dense)), "
            + "warm re-solve across nb = 1…\(sweep) \(formatSeconds(warmTime)) (\(String(format: "%.1f", Double(warm.pivots) / Double(sweep))) pivots each)")

        let llama = loadShape("llama-2-70b")
        let exact = PlacementSearch(shape: llama, hardware: .a100_40gb, workload: workload(.a100_40gb),
                                    sizes: .exact(llama, weights: .fp16, cache: .fp16))
        var placementWarm = OffloadTiming.PlacementSweep(exact, gbs: 8)
        let cold = bestTime { for nb in 2 ... 41 { _ = placementWarm.coldGLPK(nb: nb) } } / 40
        let warmPlacement = bestTime { placementWarm.reset(); for nb in 2 ... 201 { _ = placementWarm.solve(nb: nb) } } / 200
        print("exact-mode LP (Llama-2-70B on a100-40gb, gbs 8, \(placementWarm.size)): build + GLPK \(formatSeconds(cold)), "
            + "warm re-solve across nb = 2…201 \(formatSeconds(warmPlacement)) (\(String(format: "%.1f", Double(placementWarm.pivots) / 200)) pivots each)")
    }

    static func flexGenSearches() {
        for shape in [TransformerShape.opt30b, .opt175b] {
            var solves = 0
            let warm = PolicySearch(shape: shape, hardware: .t4, workload: .reference(alpha: 0.8))
            var best = 0.0
            let fast = bestTime(repeats: 5) { let outcome = warm.run(); solves = outcome.lpSolves; best = outcome.best?.throughput ?? 0 }
            let fastCPU = bestCPUTime(repeats: 5) { _ = warm.run() }
            var cold = warm
            cold.warmStart = false
            var coldBest = 0.0
            let slow = bestTime(repeats: 1) { coldBest = cold.run().best?.throughput ?? 0 }
            print("FlexGen search \(shape.name) on t4: \(solves) LPs, warm dense simplex \(formatSeconds(fast)) wall, "
                + "\(formatSeconds(fastCPU)) CPU (\(String(format: "%.4g", best)) token/s); GLPK cold \(formatSeconds(slow)) wall "
                + "(\(String(format: "%.4g", coldBest)) token/s)")
        }
    }

    static func loadShape(_ name: String) -> TransformerShape {
        let config = try! TransformerConfig.load(contentsOf: root.appendingPathComponent("Models/llm/\(name).json").path)
        return shape(config)
    }

    static func table() {
        let directory = root.appendingPathComponent("Models/llm")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var profiles = HardwareProfile.builtIn.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let fourTier = try? HardwareProfile.load(root.appendingPathComponent("Profiles/a100-cxl-nvme.json").path) {
            profiles.append(("a100-cxl-nvme", fourTier))
        }
        print("")
        print("Searches in CPU seconds (the machine is shared: wall time also counts other jobs). Relaxation: over the shapes exact mode visits")
        print("(at most \(PlacementSearch(shape: .opt30b, hardware: .t4, workload: .reference(alpha: 0.8), sizes: .flexGen(.opt30b, compressWeights: false)).maximumOperators) operators a block); over FlexGen's shapes up to 2^14 GPU batches in brackets when higher.")
        print("| model | profile | FlexGen tok/s | FlexGen rounded, simulated | exact tok/s | relaxation | MILP bound | exact simulated | simulated / relaxation | shape | FlexGen search | exact search |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
        for file in files {
            guard let config = try? TransformerConfig.load(contentsOf: directory.appendingPathComponent(file).path) else { continue }
            let shape = shape(config)
            for (name, profile) in profiles {
                let flexgen = PolicySearch(shape: shape, hardware: profile, workload: workload(profile))
                var flexgenOutcome: PolicySearch.Outcome?
                let flexgenTime = bestCPUTime(repeats: 1) { flexgenOutcome = flexgen.run() }
                let exact = PlacementSearch(shape: shape, hardware: profile, workload: workload(profile),
                                            sizes: .exact(shape, weights: .fp16, cache: .fp16))
                var outcome: PlacementSearch.Outcome?
                let exactTime = bestCPUTime(repeats: 1) { outcome = exact.run() }

                func tps(_ x: Double?) -> String { x.map { String(format: "%.4g", $0) } ?? "—" }
                func marked(_ sim: SimulatedPolicy) -> String {
                    tps(sim.throughput) + (sim.fits ? "" : " (breaks " + sim.violations.map(\.tier).joined(separator: ", ") + (sim.verifierFailures.isEmpty ? "" : " verifier") + ")")
                }
                var roundedSim = "—"
                if let best = flexgenOutcome?.best, shape.layers * best.policy.nb <= OffloadLimits.maximumBlockOperators {
                    let placement = flexgen.flexGenPlacement(of: best.policy)
                    if let sim = try? flexgen.simulate(gbs: best.policy.gbs, nb: best.policy.nb, placement: placement) { roundedSim = marked(sim) }
                }
                var exactSim = "—", ratio = "—", at = "—"
                if let best = outcome?.best {
                    at = "\(best.gbs)×\(best.nb)"
                    if let sim = best.simulated {
                        exactSim = marked(sim)
                        if let relaxed = outcome?.relaxed?.throughput { ratio = String(format: "%.3f", sim.throughput / relaxed) }
                    }
                }
                // The relaxation over every shape FlexGen's search may visit (no operator cap).
                var uncapped = exact
                uncapped.maximumOperators = OffloadLimits.maximumBlockOperators
                uncapped.maximumMILPs = 0
                let wide = uncapped.run().relaxed?.throughput
                var relaxation = tps(outcome?.relaxed?.throughput)
                if let wide, let capped = outcome?.relaxed?.throughput, wide > capped * 1.0005 { relaxation += " (\(tps(wide)))" }
                print("| \(config.name) | \(name) | \(tps(flexgenOutcome?.best?.throughput)) | \(roundedSim) | \(tps(outcome?.best?.throughput)) "
                    + "| \(relaxation) | \(tps(outcome?.bound)) | \(exactSim) | \(ratio) | \(at) | \(formatSeconds(flexgenTime)) | \(formatSeconds(exactTime)) |")
            }
        }
    }
}
