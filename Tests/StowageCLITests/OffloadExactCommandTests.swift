import Foundation
import Testing
@testable import StowageCLI

/// `stowage offload --mode exact` and the built-in hardware profiles.
@Suite struct OffloadExactCommandTests {
    static let root = CommandRunner.root.path

    struct Report: Decodable {
        struct Placement: Decodable {
            struct Layer: Decodable { var weights: [String: String]; var cacheUnits: [Int] }
            var tiers: [String]
            var weightCounts: [String: [Int]]
            var cacheUnits: [Int]
            var hiddenSequences: [Int]
            var decodeHiddenSequences: [Int]
            var layers: [Layer]
        }
        var throughput: Double
        var gbs, nb: Int
        var wg, wc, wn, cg, cc, cn: Double
        var relaxedThroughput: Double?
        var bound: Double?
        var milpSolves: Int?
        var proven: Bool?
        var placement: Placement?
        var tiers: [String]?
        var gpuPeakBytes: Double
        var simulatedThroughput: Double?
        var simulatedGpuPeakBytes: Double?
        var simulatedPeakBytes: [Double]?
    }

    static func run(_ arguments: [String]) throws -> (Int32, Report?, String) {
        let outcome = try CommandRunner.run(["offload"] + arguments)
        let report = try? JSONDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        return (outcome.status, report, outcome.stderr)
    }

    @Test(arguments: ["mistral-7b", "llama-2-13b"])
    func exactModePlacesWholeTensorsBelowTheRelaxation(_ model: String) throws {
        let (status, report, stderr) = try Self.run([
            "--model", "\(Self.root)/Models/llm/\(model).json", "--hardware", "rtx4090", "--mode", "exact", "--json",
        ])
        #expect(status == 0, "\(stderr)")
        let r = try #require(report)
        let placement = try #require(r.placement)
        let relaxed = try #require(r.relaxedThroughput)
        #expect(r.throughput <= relaxed * (1 + 1e-9) && r.throughput > 0)
        let layers = placement.layers.count
        #expect(placement.weightCounts.count == 8 && placement.weightCounts.values.allSatisfy { $0.reduce(0, +) == layers })
        let units = placement.cacheUnits.reduce(0, +)
        #expect(units == layers * 8 * r.nb || units == layers * 40 * r.nb)
        #expect(placement.hiddenSequences.reduce(0, +) == r.gbs && placement.decodeHiddenSequences.reduce(0, +) == r.gbs)
        #expect(placement.layers.allSatisfy { $0.weights.count == 8 && $0.cacheUnits.reduce(0, +) == units / layers })
        #expect(r.gpuPeakBytes <= 0.8 * 24 * Double(1 << 30) * (1 + 1e-9))
        #expect((r.milpSolves ?? 0) >= 1 && (r.bound ?? 0) >= r.throughput)
        // Exact mode always simulates and verifies the block; its peaks fit the real GPU,
        // and its throughput is within 10 % of the relaxation.
        let simulated = try #require(r.simulatedThroughput)
        #expect(simulated >= 0.9 * relaxed && simulated <= 1.1 * relaxed, "simulated \(simulated), relaxation \(relaxed)")
        #expect(try #require(r.simulatedGpuPeakBytes) <= 24 * Double(1 << 30))
    }

    /// The 64 shapes the LP likes best are all too large for whole tensors
    /// here; the search must still find the small shapes that fit.
    @Test func llama70BOnAnA100With40GBGetsAWholeTensorPlacement() throws {
        let (status, report, stderr) = try Self.run([
            "--model", "\(Self.root)/Models/llm/llama-2-70b.json", "--hardware", "a100-40gb", "--mode", "exact", "--json",
        ])
        #expect(status == 0, "\(stderr)")
        let r = try #require(report)
        let relaxed = try #require(r.relaxedThroughput)
        #expect(r.throughput > 0 && r.throughput <= relaxed * (1 + 1e-9))
        #expect(r.gpuPeakBytes <= 0.8 * 40 * Double(1 << 30) * (1 + 1e-9))
        let simulatedPeak = try #require(r.simulatedGpuPeakBytes)
        #expect(simulatedPeak <= 40 * Double(1 << 30))
        // Issue 18: per-layer placement reaches the relaxation (was 0.188 vs 2.635 token/s).
        let simulated = try #require(r.simulatedThroughput)
        #expect(simulated >= 0.9 * relaxed, "simulated \(simulated), relaxation \(relaxed)")
        let placement = try #require(r.placement)
        // Some tensor lives on the GPU in some layers and elsewhere in others.
        #expect(placement.weightCounts.values.contains { $0[0] > 0 && $0[0] < placement.layers.count }, "\(placement.weightCounts)")
    }

    @Test func aFourTierProfileRunsInExactMode() throws {
        let (status, report, stderr) = try Self.run([
            "--model", "\(Self.root)/Models/llm/llama-2-13b.json", "--hardware", "\(Self.root)/Profiles/a100-cxl-nvme.json",
            "--mode", "exact", "--gpu-mem", "8GiB", "--cpu-mem", "8GiB", "--gbs", "4", "--json",
        ])
        #expect(status == 0, "\(stderr)")
        let r = try #require(report)
        #expect(r.tiers == ["gpu", "cpu", "cxl", "nvme"])
        let peaks = try #require(r.simulatedPeakBytes)
        #expect(peaks.count == 4 && peaks[0] <= 8 * Double(1 << 30) && peaks[1] <= 8 * Double(1 << 30))
        let placement = try #require(r.placement)
        #expect(placement.weightCounts.values.contains { $0[2] > 0 }, "nothing on CXL: \(placement.weightCounts)")
    }

    @Test func flexGensReferencePolicyIsRejectedBySimulation() throws {
        // α = 1.2 lets the LP use 19.2 GB of a 16 GB GPU; the simulated block does not fit.
        let (status, _, stderr) = try Self.run([
            "--model", "\(Self.root)/Models/llm/opt-30b.json", "--gbs", "48", "--nb", "3",
            "--percent", "20", "80", "0", "100", "0", "100", "--simulate",
        ])
        #expect(status == 1)
        #expect(stderr.contains("gpu over by"), "\(stderr)")
    }

    @Test func flexGenSearchPolicySimulates() throws {
        let (status, report, stderr) = try Self.run(["--model", "\(Self.root)/Models/llm/opt-30b.json", "--simulate", "--json"])
        #expect(status == 0, "\(stderr)")
        let r = try #require(report)
        #expect(r.placement == nil)
        #expect(try #require(r.simulatedThroughput) > 0)
    }

    @Test func aBuiltInNameAndItsFileGiveTheSameAnswer() throws {
        let model = "\(Self.root)/Models/llm/opt-30b.json"
        let (s1, byName, e1) = try Self.run(["--model", model, "--hardware", "a100-40gb", "--json"])
        let (s2, byFile, e2) = try Self.run(["--model", model, "--hardware", "\(Self.root)/Profiles/a100-40gb.json", "--json"])
        #expect(s1 == 0 && s2 == 0, "\(e1)\(e2)")
        let a = try #require(byName), b = try #require(byFile)
        #expect(a.throughput == b.throughput && a.gbs == b.gbs && a.nb == b.nb)
    }

    @Test func exactModeOnAMachineTooSmallExitsWithOne() throws {
        let (status, _, stderr) = try Self.run([
            "--model", "\(Self.root)/Models/llm/llama-2-70b.json", "--mode", "exact", "--cpu-mem", "10GB", "--disk", "20GB",
        ])
        #expect(status == 1)
        #expect(stderr.contains("short by"), "\(stderr)")
    }

    @Test(arguments: [
        ["--mode", "exact", "--gbs", "4", "--nb", "2", "--percent", "20", "80", "0", "100", "0", "100"],
        ["--compress-cache"],
        ["--mode", "fast"],
        ["--hardware", "v100"],
    ])
    func badOptionsExitWithTwo(_ extra: [String]) throws {
        let (status, _, stderr) = try Self.run(["--model", "\(Self.root)/Models/llm/opt-30b.json"] + extra)
        #expect(status == 2, "\(extra): \(stderr)")
    }
}
