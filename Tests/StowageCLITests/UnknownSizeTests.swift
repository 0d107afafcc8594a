import Foundation
import Testing

/// Tensors of unknown size are refused by default (exit 2, naming the
/// tensors and the dimensions to bind); `--unknown-sizes zero` plans them as
/// 0 bytes and the result lists them. The C API and StowageKit follow the
/// same rule (StowageKitTests).
@Suite struct UnknownSizeTests {
    static let mlp = CommandRunner.root.appendingPathComponent("Examples/graphs/mlp.json").path

    @Test func planRefusesUnboundDimensionsNamingTensorsAndDimensions() throws {
        let outcome = try CommandRunner.run(["plan", Self.mlp, "--scratchpad", "M_H"])
        #expect(outcome.status == 2, "\(outcome.stderr)")
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(outcome.stderr)")
        let line = try #require(lines.first)
        #expect(line.contains(Self.mlp))
        #expect(line.contains("6 tensors have no known size"))
        #expect(line.contains("--dim") && line.contains("batch"))
        #expect(line.contains("--unknown-sizes zero"))
        #expect(outcome.stdout.isEmpty)
    }

    @Test func theOptInPlansThemAsZeroBytesAndSaysSo() throws {
        let outcome = try CommandRunner.run(["plan", Self.mlp, "--scratchpad", "M_H", "--unknown-sizes", "zero", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("warning") && outcome.stderr.contains("6 tensors of unknown size"))
        struct Report: Decodable { var assumedZeroBytes: [String] }
        let report = try JSONDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.assumedZeroBytes.count == 6)
    }

    @Test func boundDimensionsPlanWithoutComplaint() throws {
        let outcome = try CommandRunner.run(["plan", Self.mlp, "--scratchpad", "M_H", "--dim", "batch=1"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("warning"), "\(outcome.stderr)")
    }

    @Test func verifyFollowsTheSameRule() throws {
        let plan = NSTemporaryDirectory() + "stowage-unknown-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: plan) }
        let made = try CommandRunner.run(["plan", Self.mlp, "--scratchpad", "M_H", "--unknown-sizes", "zero", "-o", plan])
        #expect(made.status == 0, "\(made.stderr)")
        let refused = try CommandRunner.run(["verify", Self.mlp, plan])
        #expect(refused.status == 2 && refused.stderr.contains("no known size"), "\(refused.stderr)")
        let accepted = try CommandRunner.run(["verify", Self.mlp, plan, "--unknown-sizes", "zero"])
        #expect(accepted.status == 0, "\(accepted.stdout)\(accepted.stderr)")
    }
}
