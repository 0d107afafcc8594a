import Foundation
import SchemaCheck
import Testing
@testable import StowageCLI

/// `stowage solve --json` against Schemas/solve-output.schema.json, for
/// every status it can print, and the command's refusals of bad numbers.
@Suite struct SolveSchemaTests {
    /// Checks each JSON text against the schema with the shared checker
    /// (Tests/Support/SchemaCheck).
    static func validate(_ objects: [String]) throws {
        let check = try JSONSchemaCheck(named: "solve-output.schema.json", root: CommandRunner.root)
        #expect(!objects.isEmpty)
        for (number, text) in objects.enumerated() {
            let document = try JSONDocument.parse(text)
            let violation = check.violation(of: document)
            #expect(violation == nil, "object \(number) (\(text.prefix(300))): \(violation ?? "")")
        }
    }

    static func file(_ name: String, _ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "stowage-schema-\(getpid())-\(UUID().uuidString)-\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// One model per status (optimal, infeasible, unbounded, no solution
    /// within the limit, a backend's refuted claim), both solvers: the
    /// statuses expected, each output a complete object.
    @Test func everyStatusPrintsACompleteObject() throws {
        _ = try Self.outputsOfEveryStatus()
    }

    @Test func everyStatusFitsTheSchema() throws {
        try Self.validate(try Self.outputsOfEveryStatus())
    }

    /// The schema is strict enough to catch the old outputs: `{}`, an
    /// optimum without an objective, a key too many.
    @Test func theSchemaRejectsIncompleteObjects() throws {
        let check = try JSONSchemaCheck(named: "solve-output.schema.json", root: CommandRunner.root)
        let good = #"{"version":1,"name":"m","status":"optimal","objective":3,"bound":3,"gap":0,"seconds":0.1,"solver":"cbc","variables":2,"integerVariables":2,"constraints":1,"nonzeros":2,"message":null}"#
        #expect(check.violation(of: try JSONDocument.parse(good)) == nil)
        let bad = ["{}",
                   good.replacingOccurrences(of: #""objective":3"#, with: #""objective":null"#),
                   good.replacingOccurrences(of: #""status":"optimal""#, with: #""status":"error""#),
                   good.replacingOccurrences(of: #""version":1"#, with: #""version":1,"extra":0"#)]
        for text in bad {
            #expect(check.violation(of: try JSONDocument.parse(text)) != nil, "\(text)")
        }
    }

    static func outputsOfEveryStatus() throws -> [String] {
        let models: [(name: String, text: String, extra: [String], expected: [String: String])] = [
            ("optimal.lp", "Maximize\n obj: 3 x + 2 y\nSubject To\n c1: x + y <= 4\n c2: x + 3 y <= 6\nBounds\n x <= 3\nGenerals\n x y\nEnd\n",
             [], ["cbc": "optimal", "glpk": "optimal"]),
            ("infeasible.lp", "Minimize\n obj: x\nSubject To\n c1: 2 x + 2 y = 3\nBounds\n x <= 10\n y <= 10\nGenerals\n x y\nEnd\n",
             [], ["cbc": "infeasible", "glpk": "infeasible"]),
            ("unbounded.lp", "Maximize\n obj: x + y\nSubject To\n c1: x - y <= 1\nGenerals\n x\nEnd\n",
             [], ["cbc": "unbounded", "glpk": "unbounded"]),
            // Rows that span 1e12: CBC calls it infeasible and GLPK returns a
            // point that breaks r1; both are caught.
            ("wide.lp", "Maximize\n obj: 3 n0 + 4 n1 + 4 n2\nSubject To\n r0: n2 + 10000 n1 + 2 n0 <= 30000\n r1: 5 n2 + 4 n1 + 1000000000000 n0 <= 2000000000000\nBounds\n n0 <= 4\n n1 <= 3\n n2 <= 4\nGenerals\n n0 n1 n2\nEnd\n",
             [], ["cbc": "feasible", "glpk": "error"]),
        ]
        var objects: [String] = []
        for model in models {
            let path = try Self.file(model.name, model.text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            for solver in ["cbc", "glpk"] {
                let outcome = try CommandRunner.run(["solve", path, "--solver", solver, "--json", "--quiet"] + model.extra)
                let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
                #expect(object?["status"] as? String == model.expected[solver], "\(model.name) \(solver): \(outcome.stdout)")
                #expect(object?["version"] as? Int == 1)
                objects.append(outcome.stdout)
            }
        }
        // A time limit too short for a hard MIP: a feasible point or none.
        let samples = "/usr/share/coin/Data/Sample"
        let limited = try CommandRunner.run(["solve", "\(samples)/p0201.mps", "--json", "--quiet", "--time-limit", "0.001"])
        #expect([0, 1].contains(limited.status))
        objects.append(limited.stdout)
        return objects
    }

    /// The LP that made CLP abort the process and GLPK print `{}`.
    @Test(arguments: ["cbc", "glpk"])
    func aCoefficientOf1e30IsBadInputNamingRowAndColumn(_ solver: String) throws {
        let path = try Self.file("huge.lp", "Maximize\n obj: 1e30 x + 2 y\nSubject To\n c2: x + y <= 2\nBinaries\n x y\nEnd\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let outcome = try CommandRunner.run(["solve", path, "--solver", solver, "--json"])
        #expect(outcome.status == 2)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr == "stowage: \(path): objective, column 'x': coefficient 1e+30 is beyond ±1e15\n", "\(outcome.stderr)")
        let row = try Self.file("row.lp", "Minimize\n obj: x + y\nSubject To\n c1: 1e30 x + y >= 3\nBounds\n x <= 10\nEnd\n")
        defer { try? FileManager.default.removeItem(atPath: row) }
        let rowOutcome = try CommandRunner.run(["solve", row, "--solver", solver])
        #expect(rowOutcome.status == 2)
        #expect(rowOutcome.stderr == "stowage: \(row): row 'c1', column 'x': coefficient 1e+30 is beyond ±1e15\n", "\(rowOutcome.stderr)")
    }

    @Test(arguments: ["0", "-1", "nan", "inf", "-inf", "abc", "1e400", ""])
    func theTimeLimitMustBePositiveAndFinite(_ value: String) throws {
        let outcome = try CommandRunner.run(["solve", "/usr/share/coin/Data/Sample/p0033.mps", "--time-limit", value])
        #expect(outcome.status == 2, "\(value): \(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.split(separator: "\n").count >= 1)
    }
}
