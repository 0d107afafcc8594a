import Foundation
import Testing

/// `stowage plan` and `stowage verify` driven as a user would.
@Suite struct PlanCommandTests {
    struct Report: Decodable {
        var feasible: Bool
        var method: String
        var capacity: Int
        var peakBytes: Int?
        var compulsoryBytes: Int?
        var nonCompulsoryBytes: Int?
        var bound: Double?
        var boundScope: String?
        var optimal: Bool?
        var seconds: Double
    }

    /// Choosing the order too: never worse than the file order's optimum,
    /// a bound that covers every order, a plan that replays.
    @Test(arguments: ["M_R", "M_H"])
    func aFreeSchedulePlanBeatsOrMatchesTheFileOrder(_ budget: String) throws {
        let plan = NSTemporaryDirectory() + "stowage-plan-\(getpid())-free-\(budget).json"
        defer { try? FileManager.default.removeItem(atPath: plan) }
        let common = ["plan", Self.model, "--scratchpad", budget, "--dtype-bytes", "1", "--method", "ilp", "--json", "--quiet"]
        let fixed = try CommandRunner.run(common)
        let free = try CommandRunner.run(common + ["--schedule", "free", "-o", plan])
        #expect(fixed.status == 0 && free.status == 0, "\(free.stderr)")
        let fixedReport = try JSONDecoder().decode(Report.self, from: Data(fixed.stdout.utf8))
        let freeReport = try JSONDecoder().decode(Report.self, from: Data(free.stdout.utf8))
        #expect(fixedReport.boundScope == "order")
        #expect(freeReport.boundScope == "all-orders")
        #expect(freeReport.method == "ilp-free-schedule-cbc")
        #expect(freeReport.nonCompulsoryBytes! <= fixedReport.nonCompulsoryBytes!)
        #expect(freeReport.optimal == true)
        // The free order's optimum is a bound for the file order too.
        #expect(freeReport.bound! <= fixedReport.bound! + 0.5)
        let verify = try CommandRunner.run(["verify", Self.model, plan, "--dtype-bytes", "1", "--real-memory"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    static let model = CommandRunner.root.appendingPathComponent("Models/onnx/resnet50.onnx").path

    @Test(arguments: ["baseline", "ilp"])
    func aWrittenPlanVerifiesAndRenders(_ method: String) throws {
        let plan = NSTemporaryDirectory() + "stowage-plan-\(getpid())-\(method).json"
        let svg = plan + ".svg"
        defer { for file in [plan, svg] { try? FileManager.default.removeItem(atPath: file) } }
        let outcome = try CommandRunner.run(["plan", Self.model, "--scratchpad", "M_H", "--dtype-bytes", "1",
                                             "--method", method, "-o", plan, "--json", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.feasible)
        #expect(report.peakBytes! <= report.capacity)
        // ResNet-50 at M_H with 1-byte data: 401,408 non-compulsory bytes, the
        // optimum for the file order (Belady reaches it too).
        #expect(report.nonCompulsoryBytes == 401_408)
        if method == "ilp" { #expect(report.optimal == true) }
        let verify = try CommandRunner.run(["verify", Self.model, plan, "--dtype-bytes", "1"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let render = try CommandRunner.run(["render", plan, "-o", svg])
        #expect(render.status == 0)
        #expect(FileManager.default.fileExists(atPath: svg))
    }

    @Test(arguments: [[], ["--method", "ilp"], ["--method", "ilp", "--schedule", "free"]])
    func belowMRTheOperatorIsNamedAndNothingIsWritten(_ method: [String]) throws {
        let plan = NSTemporaryDirectory() + "stowage-plan-\(getpid())-small-\(method.count).json"
        let outcome = try CommandRunner.run(["plan", Self.model, "--scratchpad", "1MiB", "--dtype-bytes", "1", "-o", plan] + method)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("operator") && outcome.stderr.contains("bytes at once"))
        #expect(!FileManager.default.fileExists(atPath: plan))
    }

    @Test(arguments: [["plan", "/nonexistent.onnx", "--scratchpad", "M_R"],
                      ["plan", model, "--scratchpad", "lots"],
                      ["plan", model],
                      ["plan", model, "--scratchpad", "M_R", "--dtype-bytes", "0"]])
    func badInputExitsWithTwo(_ arguments: [String]) throws {
        let outcome = try CommandRunner.run(arguments)
        #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
    }
}
