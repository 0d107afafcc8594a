import Foundation
import Testing

/// Tensors of unknown size are planned as 0 bytes, as `stowage inspect`
/// counts them; `plan` and `verify` say so on standard error.
@Suite struct UnknownSizeWarningTests {
    static let mlp = CommandRunner.root.appendingPathComponent("Examples/graphs/mlp.json").path

    @Test func planWarnsAboutUnboundDimensionsAndNamesTheTensors() throws {
        let outcome = try CommandRunner.run(["plan", Self.mlp, "--scratchpad", "M_H"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let warning = try #require(outcome.stderr.split(separator: "\n").first { $0.contains("warning") })
        #expect(warning.contains(Self.mlp))
        #expect(warning.contains("6 tensors of unknown size"))
        #expect(warning.contains("features"))
        #expect(warning.contains("--dim") && warning.contains("batch"))
    }

    @Test func boundDimensionsGiveNoWarning() throws {
        let outcome = try CommandRunner.run(["plan", Self.mlp, "--scratchpad", "M_H", "--dim", "batch=1"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("warning"), "\(outcome.stderr)")
    }
}
