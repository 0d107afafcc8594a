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

    @Test func sizesParseAsPowersOf1024() {
        #expect(ByteSize(argument: "16GB")?.bytes == Double(16 << 30))
        #expect(ByteSize(argument: "1.5GiB")?.bytes == 1.5 * 1_073_741_824)
        #expect(ByteSize(argument: "2MiB")?.bytes == 2_097_152)
        #expect(ByteSize(argument: "4096")?.bytes == 4096)
        #expect(ByteSize(argument: "-1GB") == nil)
        #expect(ByteSize(argument: "GB") == nil)
    }
}
