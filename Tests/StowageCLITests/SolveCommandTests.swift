import Foundation
import Testing
@testable import StowageCLI

@Suite struct SolveCommandTests {
    static let samples = "/usr/share/coin/Data/Sample"

    struct Report: Decodable {
        var status: String
        var objective: Double?
        var bound: Double?
        var gap: Double?
        var seconds: Double
        var solver: String
    }

    /// The coinor sample MIPs and their known optima, with both solvers.
    static let knownOptima = ["p0033.mps": 3089, "p0201.mps": 7615, "exmip1.mps": 3.2368421052631575, "lseu.mps": 1120]

    @Test(arguments: ["p0033.mps", "p0201.mps", "exmip1.mps", "lseu.mps"], ["glpk", "cbc"])
    func samplesReachTheirKnownOptimum(_ file: String, _ solver: String) throws {
        let outcome = try CommandRunner.run(["solve", "\(Self.samples)/\(file)", "--solver", solver, "--json", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.status == "optimal")
        #expect(report.solver == solver)
        let objective = try #require(report.objective)
        let known = try #require(Self.knownOptima[file])
        #expect(abs(objective - known) < 1e-6 * max(1, known))
        #expect(report.gap == 0)
    }

    @Test func jsonHasEveryKeyEvenWithoutASolution() throws {
        let path = NSTemporaryDirectory() + "stowage-infeasible-\(getpid()).lp"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "Minimize\n obj: x\nSubject To\n c1: x >= 3\n c2: x <= 1\nEnd\n".write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try CommandRunner.run(["solve", path, "--json"])
        #expect(outcome.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        for key in ["status", "objective", "bound", "gap", "seconds", "solver"] {
            #expect(object?.keys.contains(key) == true, "missing \(key)")
        }
        #expect(object?["status"] as? String == "infeasible")
        #expect(object?["objective"] is NSNull)
    }

    @Test func theBundledExampleSolves() throws {
        let example = CommandRunner.root.appendingPathComponent("Examples/mps/alloc12.mps").path
        let outcome = try CommandRunner.run(["solve", example, "--solver", "glpk"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("status     optimal"))
        #expect(outcome.stdout.contains("objective  176"))
    }

    @Test(arguments: [
        ["solve", "/nonexistent.mps"],
        ["solve", "/etc/hostname"],
        ["solve", "\(samples)/p0033.mps", "--solver", "gurobi"],
        ["solve", "\(samples)/p0033.mps", "--time-limit", "-1"],
        ["solve"],
        ["frobnicate"],
    ])
    func badInputExitsWithTwoAndOneLine(_ arguments: [String]) throws {
        let outcome = try CommandRunner.run(arguments)
        #expect(outcome.status == 2, "\(arguments): \(outcome.status) \(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
        #expect(!outcome.stderr.isEmpty)
    }

    @Test func aCorruptFileNamesItsLine() throws {
        let path = NSTemporaryDirectory() + "stowage-corrupt-\(getpid()).mps"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "NAME x\nROWS\n N obj\nCOLUMNS\n    x obj one\nENDATA\n".write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try CommandRunner.run(["solve", path])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains(path) && outcome.stderr.contains("line 5"), "\(outcome.stderr)")
    }

    @Test func theParserReadsOptionsAsDocumented() throws {
        let command = try SolveCommand.parse(["model.mps", "--solver", "glpk", "--time-limit", "2.5", "--gap", "0.01", "--json"])
        #expect(command.solver == .glpk)
        #expect(command.timeLimit == 2.5)
        #expect(command.gap == 0.01)
        #expect(command.json)
        #expect(try SolveCommand.parse(["model.lp"]).solver == .cbc)
        #expect(throws: (any Error).self) { try SolveCommand.parse(["m.mps", "--gap", "-0.5"]) }
    }

    @Test func convertWritesAFileThatSolvesTheSame() throws {
        let out = NSTemporaryDirectory() + "stowage-convert-\(getpid()).lp"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let convert = try CommandRunner.run(["convert", "\(Self.samples)/p0033.mps", out])
        #expect(convert.status == 0)
        let solve = try CommandRunner.run(["solve", out, "--json", "--solver", "glpk"])
        let report = try JSONDecoder().decode(Report.self, from: Data(solve.stdout.utf8))
        #expect(report.objective == 3089)
    }
}
