import Foundation
import Testing
@testable import StowageCLI

@Suite struct OffloadCommandTests {
    static let root = CommandRunner.root.path

    struct Report: Decodable {
        var throughput: Double
        var gbs, nb: Int
        var wg, wc, wn, cg, cc, cn, hg, hc, hn: Double
        var prefillSeconds, decodeSeconds: Double
        var gpuPeakBytes, cpuPeakBytes, diskPeakBytes: Double
        var lpSolves: Int
        var seconds: Double
    }

    @Test func opt30bFixedPolicyFromTheProfileFile() throws {
        let outcome = try CommandRunner.run([
            "offload", "--model", "\(Self.root)/Models/llm/opt-30b.json", "--hardware", "\(Self.root)/Profiles/t4.json",
            "--gbs", "48", "--nb", "3", "--percent", "20", "80", "0", "100", "0", "100", "--json",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(abs(report.throughput - 7.136) < 0.005 * 7.136)
        #expect(abs(report.prefillSeconds - 210.67) < 0.005 * 210.67)
        #expect(abs(report.decodeSeconds - 435.09) < 0.005 * 435.09)
        #expect(abs(report.gpuPeakBytes / Double(1 << 30) - 18.77) < 0.005 * 18.77)
        #expect(report.wg == 0.2 && report.cc == 1 && report.hc == 1)
    }

    @Test func opt175bSearch() throws {
        let outcome = try CommandRunner.run(["offload", "--model", "\(Self.root)/Models/llm/opt-175b.json", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(abs(report.throughput - 0.169) < 0.005 * 0.169)
        #expect(abs(report.wg + report.wc + report.wn - 1) < 1e-9)
        #expect(report.lpSolves > 1)
    }

    @Test func aMachineTooSmallExitsWithOneAndNamesTheTier() throws {
        let outcome = try CommandRunner.run([
            "offload", "--model", "\(Self.root)/Models/llm/opt-175b.json", "--cpu-mem", "10GB", "--disk", "20GB",
        ])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("disk short by"), "\(outcome.stderr)")
    }

    @Test(arguments: [
        ["offload", "--model", "/nonexistent.json"],
        ["offload", "--model", "\(root)/Models/llm/opt-30b.json", "--hardware", "/nonexistent.json"],
        ["offload", "--model", "\(root)/Models/llm/opt-30b.json", "--percent", "20", "80"],
        ["offload", "--model", "\(root)/Models/llm/opt-30b.json", "--gpu-mem", "lots"],
        ["offload", "--model", "\(root)/Package.swift"],
    ])
    func badInputExitsWithTwo(_ arguments: [String]) throws {
        let outcome = try CommandRunner.run(arguments)
        #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
    }

    /// Issue 13: every number is range-checked before any arithmetic; the
    /// message is one line naming the option, and nothing is printed.
    @Test(arguments: [
        (["--gbs", "4611686018427387904", "--nb", "2"], "--gbs"),
        (["--gbs", "4", "--nb", "4611686018427387904"], "--nb"),
        (["--alpha", "inf"], "--alpha"),
        (["--alpha", "nan"], "--alpha"),
        (["--alpha", "0"], "--alpha"),
        (["--prompt", "0"], "--prompt"),
        (["--gen", "2000000"], "--gen"),
        (["--time-limit", "-1"], "--time-limit"),
        (["--time-limit", "nan"], "--time-limit"),
        (["--gpu-mem", "16G"], "--gpu-mem"),
        (["--gpu-mem", "-1GB"], "--gpu-mem"),
        (["--cpu-mem", "1e9"], "--cpu-mem"),
        (["--disk", "2000000TiB"], "--disk"),
        (["--percent", "20", "80", "0", "100", "0", "nan", "--gbs", "2", "--nb", "2"], "--percent"),
    ])
    func outOfRangeOptionsExitWithTwoNamingTheOption(_ extra: [String], _ option: String) throws {
        let outcome = try CommandRunner.run(["offload", "--model", "\(Self.root)/Models/llm/opt-30b.json", "--json"] + extra)
        #expect(outcome.status == 2, "\(extra): \(outcome.stderr)")
        let message = outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!message.contains("\n") && message.contains(option), "\(message)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func aProfileWithAnAbsurdRateExitsWithTwoNamingFileAndField() throws {
        var profile = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(Self.root)/Profiles/t4.json"))) as! [String: Any]
        for rate in [1e-300, 1e-30] {
            profile["cpuTflops"] = rate
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("stowage-slow-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: profile).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let outcome = try CommandRunner.run(["offload", "--model", "\(Self.root)/Models/llm/opt-30b.json", "--hardware", file.path])
            #expect(outcome.status == 2, "\(outcome.stderr)")
            #expect(outcome.stderr.contains(file.path) && outcome.stderr.contains("cpuTflops"), "\(outcome.stderr)")
        }
    }

    /// Sizes follow the one grammar: 16GB is 16·10^9 bytes, 16GiB is FlexGen's 16 GB.
    @Test func sizesFollowTheByteCountGrammar() throws {
        func gpuPeak(_ size: String) throws -> Double {
            let outcome = try CommandRunner.run(["offload", "--model", "\(Self.root)/Models/llm/opt-30b.json", "--gpu-mem", size, "--json"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try JSONDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).gpuPeakBytes
        }
        let binary = try gpuPeak("16GiB"), decimal = try gpuPeak("16GB")
        #expect(binary <= 0.8 * 16 * Double(1 << 30) + 1 && binary > 0.8 * 16e9, "\(binary)")
        #expect(decimal <= 0.8 * 16e9 + 1, "\(decimal)")
        // The profile's own size is FlexGen's 16 GB.
        #expect(try gpuPeak("17179869184") == binary)
    }

    @Test func aTimeLimitThatLeavesNoTimeExitsWithOne() throws {
        for mode in ["flexgen", "exact"] {
            let outcome = try CommandRunner.run(["offload", "--model", "\(Self.root)/Models/llm/opt-175b.json", "--mode", mode, "--time-limit", "0.000001"])
            #expect(outcome.status == 1, "\(mode): \(outcome.stderr)")
            #expect(outcome.stderr.contains("time limit"), "\(outcome.stderr)")
        }
        let generous = try CommandRunner.run(["offload", "--model", "\(Self.root)/Models/llm/opt-175b.json", "--time-limit", "600", "--json"])
        #expect(generous.status == 0, "\(generous.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(generous.stdout.utf8))
        #expect(abs(report.throughput - 0.169) < 0.005 * 0.169)
    }
}
