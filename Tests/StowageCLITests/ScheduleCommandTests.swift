import Foundation
import Testing

/// `stowage schedule` driven as a user would.
@Suite struct ScheduleCommandTests {
    struct Report: Decodable {
        var version: Int
        var peakBytes: Int
        var height: Int
        var lowerBound: Int
        var optimal: Bool
        var boundScope: String
        var fileOrderPeak: Int
        var fileOrderHeight: Int
        var minimumPeak: Int
        var peakLowerBound: Int
        var method: String
        var seconds: Double
    }

    static func path(_ relative: String) -> String { CommandRunner.root.appendingPathComponent(relative).path }

    /// A RandWire stage: proved, below the given order, and the written plan
    /// replays in real memory.
    @Test func randWireIsProvedAndThePlanVerifies() throws {
        let model = Self.path("Models/randwire/ws32-equal-s1.json")
        let plan = NSTemporaryDirectory() + "stowage-schedule-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: plan) }
        let outcome = try CommandRunner.run(["schedule", model, "--json", "--quiet", "-o", plan])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.version == 1 && report.boundScope == "all-orders")
        #expect(report.optimal && report.height == report.lowerBound)
        #expect(report.height == report.peakBytes)
        #expect(report.height < report.fileOrderHeight)
        let verify = try CommandRunner.run(["verify", model, plan, "--real-memory"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// An ONNX model at one byte per element: never above the given order.
    @Test(arguments: ["heuristic", "dp"])
    func anONNXModelIsNeverWorseThanItsOrder(_ method: String) throws {
        let outcome = try CommandRunner.run(["schedule", Self.path("Models/onnx/resnet50.onnx"), "--dtype-bytes", "1",
                                             "--method", method, "--json", "--quiet", "--time-limit", "60"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.height <= report.fileOrderHeight)
        #expect(report.lowerBound <= report.height && report.peakBytes <= report.height)
    }

    @Test func textOutputSaysWhatWasFound() throws {
        let outcome = try CommandRunner.run(["schedule", Self.path("Examples/graphs/diamond.json"), "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("arena height") && outcome.stdout.contains("lower bound"))
    }

    @Test func badInputExitsTwoNamingTheFile() throws {
        let missing = try CommandRunner.run(["schedule", "/nonexistent/graph.json"])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/graph.json"))
        let file = NSTemporaryDirectory() + "stowage-schedule-bad-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(#"{"tensors": [{"name": "x", "bytes": -4}], "operators": []}"#.utf8).write(to: URL(fileURLWithPath: file))
        let bad = try CommandRunner.run(["schedule", file])
        #expect(bad.status == 2 && bad.stderr.contains(file) && bad.stderr.contains("'x'"), "\(bad.stderr)")
        let method = try CommandRunner.run(["schedule", file, "--method", "greedy"])
        #expect(method.status == 2)
    }
}
