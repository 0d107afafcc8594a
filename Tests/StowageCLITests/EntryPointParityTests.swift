import Foundation
import Plan
import StowageC
import StowageKit
import Testing

/// `stowage plan`, StowageKit and the C API are three doors to one planner:
/// the same request gives the same plan (actions, residency table, metrics)
/// through each, and the same bad request the same refusal.
@Suite struct EntryPointParityTests {
    struct Case: CustomStringConvertible, Sendable {
        var model: String
        var scratchpad: String
        /// CLI flags and the C API's JSON members for the same options.
        var flags: [String]
        var json: [String: String]
        var dtypeBytes: Int?

        var description: String { "\((model as NSString).lastPathComponent) \(scratchpad) \(flags.joined(separator: " "))" }

        var options: PlanningOptions {
            var o = PlanningOptions(dtypeBytes: dtypeBytes)
            if let m = json["method"] { o.method = PlanningOptions.Method(rawValue: m)! }
            o.policy = json["policy"].flatMap(PlanningOptions.Policy.init)
            o.schedule = json["schedule"].flatMap(PlanningOptions.Schedule.init)
            o.solver = json["solver"].flatMap(PlanningOptions.SolverKind.init)
            o.timeLimit = json["timeLimit"].flatMap(Double.init)
            return o
        }

        var optionsJSON: String {
            var members = ["\"scratchpad\": \"\(scratchpad)\""]
            for (key, value) in json.sorted(by: { $0.key < $1.key }) {
                members.append(Double(value) != nil ? "\"\(key)\": \(value)" : "\"\(key)\": \"\(value)\"")
            }
            if let dtypeBytes { members.append("\"dtypeBytes\": \(dtypeBytes)") }
            return "{" + members.joined(separator: ", ") + "}"
        }
    }

    static func path(_ relative: String) -> String { CommandRunner.root.appendingPathComponent(relative).path }

    static let cases: [Case] = {
        var cases: [Case] = []
        let variants: [([String], [String: String])] = [
            (["--method", "baseline"], ["method": "baseline"]),
            (["--method", "baseline", "--policy", "lru"], ["method": "baseline", "policy": "lru"]),
            (["--method", "ilp", "--solver", "glpk", "--time-limit", "60"], ["method": "ilp", "solver": "glpk", "timeLimit": "60"]),
            (["--method", "ilp", "--schedule", "free", "--time-limit", "60"], ["method": "ilp", "schedule": "free", "timeLimit": "60"]),
        ]
        for (flags, json) in variants {
            cases.append(Case(model: path("Examples/graphs/attention_block.json"), scratchpad: "M_H", flags: flags, json: json))
            cases.append(Case(model: path("Models/onnx/resnet50.onnx"), scratchpad: "M_R", flags: flags, json: json, dtypeBytes: 1))
        }
        return cases
    }()

    @Test(arguments: cases)
    func theSameRequestGivesTheSamePlan(_ c: Case) throws {
        let file = NSTemporaryDirectory() + "stowage-parity-\(getpid())-\(UInt32.random(in: 0 ... .max)).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        var arguments = ["plan", c.model, "--scratchpad", c.scratchpad, "--quiet", "-o", file] + c.flags
        if let d = c.dtypeBytes { arguments += ["--dtype-bytes", String(d)] }
        let cli = try CommandRunner.run(arguments)
        #expect(cli.status == 0, "\(cli.stderr)")
        let fromCLI = try PlanCodec.read(contentsOf: file)

        let fromKit = try Planner(options: c.options).plan(modelAt: c.model, capacity: try Capacity.parse(c.scratchpad)).plan

        var out: UnsafeMutablePointer<CChar>?
        var error: UnsafeMutablePointer<CChar>?
        let status = c.model.withCString { m in c.optionsJSON.withCString { o in stowage_plan_file(m, o, &out, &error) } }
        defer { stowage_free(out); stowage_free(error) }
        #expect(status == 0, "\(error.map { String(cString: $0) } ?? "")")
        let fromC = try PlanCodec.decode(Data(String(cString: try #require(out)).utf8))

        if c.json["schedule"] == "free" {
            // The free-schedule planner splits its wall-clock budget over
            // segments and stops each at a deadline, so on a busy machine
            // two runs may settle on different plans of the same cost: the
            // three doors must agree on the method and the traffic, and
            // each plan must verify.
            for (name, plan) in [("CLI", fromCLI), ("C API", fromC)] {
                #expect(plan.method == fromKit.method, "\(name) and StowageKit differ in method")
                #expect(plan.metrics.nonCompulsoryBytes == fromKit.metrics.nonCompulsoryBytes, "\(name) and StowageKit differ in traffic")
                #expect(plan.metrics.compulsoryBytes == fromKit.metrics.compulsoryBytes, "\(name) and StowageKit differ in compulsory traffic")
                let planFile = file + "." + name.filter(\.isLetter) + ".json"
                defer { try? FileManager.default.removeItem(atPath: planFile) }
                try PlanCodec.encode(plan).write(to: URL(fileURLWithPath: planFile))
                let report = try Planner.verify(planAt: planFile, modelAt: c.model, options: VerificationOptions(dtypeBytes: c.dtypeBytes))
                #expect(report.passed, "\(name)'s plan fails the verifier")
            }
        } else {
            #expect(fromCLI == fromKit, "CLI and StowageKit differ")
            #expect(fromC == fromKit, "C API and StowageKit differ")
        }
        #expect(!fromKit.residencies.isEmpty)
    }

    /// The same mistakes, refused by each door with the same reason.
    @Test(arguments: [
        (["--method", "ilp", "--policy", "lru"], #""method": "ilp", "policy": "lru""#, "applies to method baseline only"),
        (["--schedule", "free"], #""schedule": "free""#, "applies to method ilp only"),
        (["--method", "ilp", "--time-limit", "-1"], #""method": "ilp", "timeLimit": -1"#, "positive number of seconds"),
        (["--alignment", "0"], #""alignment": 0"#, "must be between 1 and 2^40"),
    ] as [([String], String, String)])
    func theSameMistakeIsRefusedTheSameWay(_ flags: [String], _ json: String, _ reason: String) throws {
        let model = Self.path("Examples/graphs/diamond.json")
        let cli = try CommandRunner.run(["plan", model, "--scratchpad", "M_H"] + flags)
        #expect(cli.status == 2 && cli.stderr.contains(reason), "\(cli.stderr)")
        var out: UnsafeMutablePointer<CChar>?
        var error: UnsafeMutablePointer<CChar>?
        let options = #"{"scratchpad": "M_H", "# + json + "}"
        let status = model.withCString { m in options.withCString { o in stowage_plan_file(m, o, &out, &error) } }
        defer { stowage_free(out); stowage_free(error) }
        #expect(status == 2 && out == nil)
        #expect(error.map { String(cString: $0) }?.contains(reason) == true)
    }

    @Test func sizesMeanTheSameEverywhere() throws {
        // 1GB is 10^9 bytes and 1GiB 2^30, for the CLI, StowageKit and the C API alike.
        let model = Self.path("Examples/graphs/diamond.json")
        for (text, bytes) in [("1GB", 1_000_000_000), ("1GiB", 1 << 30), ("2.5kB", 2500), ("4096", 4096), ("3.5KiB", 3584)] {
            #expect(try Capacity.parse(text) == .bytes(bytes))
            let cli = try CommandRunner.run(["plan", model, "--scratchpad", text, "--json"])
            #expect(cli.stdout.contains("\"capacity\":\(bytes)"), "\(text): \(cli.stdout)\(cli.stderr)")
            var out: UnsafeMutablePointer<CChar>?
            var error: UnsafeMutablePointer<CChar>?
            let options = #"{"scratchpad": "\#(text)"}"#
            let status = model.withCString { m in options.withCString { o in stowage_plan_file(m, o, &out, &error) } }
            defer { stowage_free(out); stowage_free(error) }
            #expect(status == 0)
            let plan = try PlanCodec.decode(Data(String(cString: try #require(out)).utf8))
            #expect(plan.tier(named: plan.computeTier)?.capacity == bytes)
        }
    }
}
