import Foundation
import Testing
@testable import StowageCLI

/// `stowage offload --mode exact` and the built-in hardware profiles.
@Suite struct OffloadExactCommandTests {
    static let root = CommandRunner.root.path

    struct Report: Decodable {
        struct Placement: Decodable {
            struct NamedTier: Decodable { var tensor: String; var tier: String }
            var weights: [NamedTier]
            var cacheUnits: [Int]
            var activationSequences: [Int]
        }
        var throughput: Double
        var gbs, nb: Int
        var wg, wc, wn, cg, cc, cn: Double
        var relaxedThroughput: Double?
        var milpSolves: Int?
        var placement: Placement?
        var gpuPeakBytes: Double
        var simulatedThroughput: Double?
        var simulatedGpuPeakBytes: Double?
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
        #expect(placement.weights.count == 8)
        #expect(placement.cacheUnits.reduce(0, +) == 8 || placement.cacheUnits.reduce(0, +) == 40)
        #expect(placement.activationSequences.reduce(0, +) == r.gbs)
        #expect(r.gpuPeakBytes <= 0.8 * 24 * Double(1 << 30) * (1 + 1e-9))
        #expect((r.milpSolves ?? 0) >= 1)
        // Exact mode always simulates the block; its peaks fit the real GPU.
        let simulated = try #require(r.simulatedThroughput)
        #expect(simulated > 0 && simulated < 2 * r.throughput)
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
    }

    @Test func flexGensReferencePolicyIsRejectedBySimulation() throws {
        // α = 1.2 lets the LP use 19.2 GB of a 16 GB GPU; the simulated block does not fit.
        let (status, _, stderr) = try Self.run([
            "--model", "\(Self.root)/Models/llm/opt-30b.json", "--gbs", "48", "--nb", "3",
            "--percent", "20", "80", "0", "100", "0", "100", "--simulate",
        ])
        #expect(status == 1)
        #expect(stderr.contains("GPU over by"), "\(stderr)")
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
