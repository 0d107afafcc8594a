import Foundation
import SchemaCheck
import Testing

/// Every `--json` output and file format has a JSON Schema in Schemas/ with
/// a version field; real outputs of the commands conform to them.
@Suite struct SchemaConformanceTests {
    static let model = CommandRunner.root.appendingPathComponent("Models/onnx/resnet50.onnx").path
    static let mlp = CommandRunner.root.appendingPathComponent("Examples/graphs/mlp.json").path

    func expectConforms(_ text: String, to schema: String, _ what: String) throws {
        let check = try JSONSchemaCheck(named: schema, root: CommandRunner.root)
        let document = try JSONDocument.parse(text)
        let violation = check.violation(of: document)
        #expect(violation == nil, "\(what) against \(schema): \(violation ?? "")")
    }

    @Test func planReportsAndPlansConform() throws {
        let plan = NSTemporaryDirectory() + "stowage-schema-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: plan) }
        let made = try CommandRunner.run(["plan", Self.model, "--scratchpad", "M_H", "--dtype-bytes", "1", "--method", "ilp",
                                          "--json", "--quiet", "-o", plan])
        #expect(made.status == 0, "\(made.stderr)")
        try expectConforms(made.stdout, to: "plan-report.schema.json", "plan --json")
        try expectConforms(try String(contentsOfFile: plan, encoding: .utf8), to: "plan.schema.json", "plan -o")
        let failed = try CommandRunner.run(["plan", Self.model, "--scratchpad", "1KiB", "--json"])
        #expect(failed.status == 1)
        try expectConforms(failed.stdout, to: "plan-report.schema.json", "plan --json without a plan")
        let verified = try CommandRunner.run(["verify", Self.model, plan, "--dtype-bytes", "1", "--json"])
        #expect(verified.status == 0)
        try expectConforms(verified.stdout, to: "verify-report.schema.json", "verify --json")
        // Against the wrong element size the plan fails verification: a failure object.
        let rejected = try CommandRunner.run(["verify", Self.model, plan, "--dtype-bytes", "2", "--json"])
        #expect(rejected.status == 1)
        try expectConforms(rejected.stdout, to: "verify-report.schema.json", "verify --json of a failing plan")
    }

    @Test func inspectReportsConform() throws {
        let one = try CommandRunner.run(["inspect", Self.model, "--json"])
        try expectConforms(one.stdout, to: "inspect-report.schema.json", "inspect --json")
        let config = CommandRunner.root.appendingPathComponent("Models/llm/opt-6.7b.json").path
        let several = try CommandRunner.run(["inspect", Self.model, config, "--json"])
        #expect(several.status == 0, "\(several.stderr)")
        try expectConforms(several.stdout, to: "inspect-report.schema.json", "inspect --json of two files")
    }

    @Test func bundledFilesConform() throws {
        let root = CommandRunner.root
        let folders: [(String, String)] = [("Examples/experiments", "experiment.schema.json"), ("Examples/graphs", "graph.schema.json"),
                                          ("Models/training", "graph.schema.json")]
        for (folder, schema) in folders {
            let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
                .filter { $0.hasSuffix(".json") }
            #expect(!files.isEmpty)
            for file in files {
                let text = try String(contentsOfFile: root.appendingPathComponent("\(folder)/\(file)").path, encoding: .utf8)
                try expectConforms(text, to: schema, "\(folder)/\(file)")
            }
        }
    }

    @Test func benchRowsConform() throws {
        let folder = NSTemporaryDirectory() + "stowage-schema-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let experiment = folder + "/tiny.json"
        try """
            {"version": 1, "models": ["\(Self.mlp)"], "dims": {"batch": 1}, "budgets": ["M_H", "1B"], "methods": ["baseline", "ilp"], "solvers": ["glpk"], "timeLimit": 20}
            """.write(toFile: experiment, atomically: true, encoding: .utf8)
        try expectConforms(try String(contentsOfFile: experiment, encoding: .utf8), to: "experiment.schema.json", "the test experiment")
        let run = try CommandRunner.run(["bench", experiment, "--output", folder + "/run", "--jobs", "2", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try String(contentsOfFile: folder + "/run.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        for line in lines { try expectConforms(String(line), to: "bench-row.schema.json", "a bench row") }
    }

    /// FlexGen mode, exact mode (placement, bound, simulation) and --simulate.
    @Test func offloadReportsConform() throws {
        let model = CommandRunner.root.appendingPathComponent("Models/llm/opt-30b.json").path
        let runs: [(String, [String])] = [
            ("offload --json", []),
            ("offload --simulate --json", ["--simulate"]),
            ("offload --mode exact --json", ["--hardware", "rtx4090", "--mode", "exact", "--time-limit", "20"]),
        ]
        for (what, extra) in runs {
            let outcome = try CommandRunner.run(["offload", "--model", model, "--json"] + extra)
            #expect(outcome.status == 0, "\(what): \(outcome.stderr)")
            try expectConforms(outcome.stdout, to: "offload-report.schema.json", what)
            if extra.contains("exact") {
                #expect(outcome.stdout.contains("\"placement\""), "exact mode prints its placement, so the schema's nested part is checked")
            }
        }
    }

    /// The checker itself catches what it should, so that the tests above can fail.
    @Test func theCheckerRejectsWhatTheSchemaForbids() throws {
        let check = try JSONSchemaCheck(named: "plan-report.schema.json", root: CommandRunner.root)
        let good = #"{"version":1,"feasible":false,"graph":null,"method":"baseline","capacity":null,"peakBytes":null,"height":null,"compulsoryBytes":null,"nonCompulsoryBytes":null,"budgets":null,"bound":null,"boundScope":null,"gap":null,"orderBound":null,"orderGap":null,"optimal":null,"assumedZeroBytes":[],"stepsVerified":null,"seconds":0.1,"message":"x"}"#
        #expect(check.violation(of: try JSONDocument.parse(good)) == nil)
        let mutations = [(#""version":1,"#, #""version":2,"#), (#""boundScope":null"#, #""boundScope":"some""#),
                         (#""seconds":0.1"#, #""seconds":"fast""#), (#""message":"x""#, #""message":"x","extra":1"#),
                         (#""graph":null,"#, "")]
        for (from, to) in mutations {
            let bad = good.replacingOccurrences(of: from, with: to)
            #expect(bad != good)
            #expect(check.violation(of: try JSONDocument.parse(bad)) != nil, "accepted \(to)")
        }
    }
}
