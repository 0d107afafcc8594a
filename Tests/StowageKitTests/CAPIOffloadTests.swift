import Foundation
import MILP
import ModelImport
import Offload
import SchemaCheck
@testable import StowageC
import Testing
@testable import StowageKit

/// `Planner.offload` and `stowage_offload`: the policy of `stowage offload`
/// through the facade and the C API.
extension CAPITests {
    static func config(_ name: String) throws -> String {
        try String(contentsOfFile: Fixtures.path("Models/llm/\(name).json"), encoding: .utf8)
    }

    /// The answer's JSON object.
    static func object(_ answer: Answer) throws -> [String: Any] {
        let text = try #require(answer.json, "\(answer.error ?? "")")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The report as a dictionary without its wall time (the only key that differs between runs).
    static func figures(_ json: Data) throws -> NSDictionary {
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        return object.filter { $0.key != "seconds" } as NSDictionary
    }

    @Test("offload: FlexGen's fixed OPT-30B policy on a T4 gives FlexGen's figures, the same through the C API as the facade")
    func offloadFixedPolicy() throws {
        let profile = Fixtures.path("Profiles/t4.json")
        let options = #"{"hardware": "\#(profile)", "gbs": 48, "nb": 3, "percent": [20, 80, 0, 100, 0, 100], "name": "opt-30b"}"#
        let answer = call(stowage_offload, try Self.config("opt-30b"), options)
        #expect(answer.status == 0, "\(answer.error ?? "")")
        let json = Data(try #require(answer.json).utf8)
        let report = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        // FlexGen's own figures for this policy (its paper's Table, as OffloadCommandTests check).
        let throughput = try #require(report["throughput"] as? Double)
        #expect(abs(throughput - 7.136) < 0.005 * 7.136)
        #expect(report["gbs"] as? Int == 48 && report["nb"] as? Int == 3)
        for triple in [["wg", "wc", "wn"], ["cg", "cc", "cn"], ["hg", "hc", "hn"]] {
            let sum = triple.compactMap { report[$0] as? Double }.reduce(0, +)
            #expect(abs(sum - 1) < 1e-9, "\(triple): \(sum)")
        }
        let facade = try Planner().offload(configAt: Fixtures.path("Models/llm/opt-30b.json"), options: OffloadOptions(
            hardware: profile, gbs: 48, nb: 3, percent: [20, 80, 0, 100, 0, 100]))
        #expect(try Self.figures(json) == Self.figures(facade.json()))
        #expect(facade.bound == nil && facade.gap == nil && facade.prefillPlan == nil)
    }

    @Test("offload: exact mode hands back the bound and, with \"plans\", the verified block plans over the report's tiers")
    func offloadExactWithPlans() throws {
        let answer = call(stowage_offload, try Self.config("opt-6.7b"),
                          #"{"mode": "exact", "gbs": 4, "nb": 2, "gpuMem": "8GiB", "cpuMem": 68719476736, "plans": true}"#)
        #expect(answer.status == 0, "\(answer.error ?? "")")
        let object = try Self.object(answer)
        let report = try #require(object["report"] as? [String: Any])
        let throughput = try #require(report["throughput"] as? Double)
        let bound = try #require(report["bound"] as? Double)
        #expect(throughput > 0 && throughput <= bound * (1 + 1e-9))
        let tiers = try #require(report["tiers"] as? [String])
        let peaks = try #require(report["peakBytes"] as? [Double])
        #expect(peaks[0] <= 8 * Double(1 << 30))
        let reportText = String(decoding: try JSONSerialization.data(withJSONObject: report), as: UTF8.self)
        #expect(try JSONSchemaCheck(named: "offload-report.schema.json", root: Fixtures.root).violation(of: JSONDocument.parse(reportText)) == nil)
        for key in ["prefillPlan", "decodePlan"] {
            let data = try JSONSerialization.data(withJSONObject: try #require(object[key]))
            let violation = try JSONSchemaCheck(named: "plan.schema.json", root: Fixtures.root).violation(of: JSONDocument.parse(String(decoding: data, as: UTF8.self)))
            #expect(violation == nil, "\(key): \(violation ?? "")")
            let plan = try PlanCodec.decode(data)
            #expect(plan.tiers.map(\.name) == tiers, "\(key)")
            #expect(!plan.steps.isEmpty)
        }
    }

    @Test("offload: placements passed over because their check would not fit are counted in the report, its text and its schema")
    func offloadReportCountsUnvalidated() throws {
        // As ValidationBudgetTests: checks priced so that only blocks of about half the best shape's batches fit.
        var search = PlacementSearch(shape: .opt30b, hardware: .t4, workload: .reference(alpha: 0.8),
                                     sizes: .exact(.opt30b, weights: .fp16, cache: .fp16))
        search.maximumBatchSize = 16
        let free = search.run()
        let unlimited = try #require(free.best)
        let freeReport = OffloadReport(placement: unlimited, sizes: search.sizes, outcome: free, seconds: 1)
        #expect(freeReport.unvalidated == nil && freeReport.smallestUnvalidatedSeconds == nil)
        search.validationSecondsPerOperator = 540 / (Double(search.shape.layers * unlimited.nb) / 2 * search.validationMargin)
        search.deadline = Deadline(seconds: 600)
        let outcome = search.run()
        let best = try #require(outcome.best)
        try #require(outcome.unvalidated > 0)
        let report = OffloadReport(placement: best, sizes: search.sizes, outcome: outcome, seconds: 1)
        #expect(report.unvalidated == outcome.unvalidated)
        #expect(report.smallestUnvalidatedSeconds == outcome.smallestUnvalidatedEstimate)
        #expect(report.text(model: "opt-30b", hardware: "t4").contains("\(outcome.unvalidated) placement"))
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(try JSONSchemaCheck(named: "offload-report.schema.json", root: Fixtures.root).violation(of: JSONDocument.parse(json)) == nil)
        #expect(json.contains("\"unvalidated\""))
    }

    @Test("offload: bad input is status 2 naming the place, a machine too small status 1 naming the tier")
    func offloadErrors() throws {
        let opt = try Self.config("opt-30b")
        let cases: [(String?, String?, String)] = [
            (nil, nil, "config_json is NULL"),
            ("{\"num_hidden_layers\": ", nil, "config_json"),
            ("{\"model_type\": \"opt\"}", nil, "config_json"),
            (opt, #"{"gbs": 0}"#, "options: gbs: must be 1 to 16384"),
            (opt, #"{"nb": 2}"#, "options: nb: needs gbs"),
            (opt, #"{"gpuMem": "16G"}"#, "options: gpuMem"),
            (opt, #"{"gpuMem": -1}"#, "options: gpuMem"),
            (opt, #"{"gpuMem": 1.5}"#, "options: gpuMem: expected an integer"),
            (opt, #"{"percent": [20, 80]}"#, "options: percent"),
            (opt, #"{"mode": "fast"}"#, "options: mode: 'fast' is not one of flexgen, exact"),
            (opt, #"{"hardware": "/nonexistent.json"}"#, "/nonexistent.json"),
            (opt, #"{"gpuMemory": 1}"#, "options: gpuMemory: unknown key"),
            (opt, #"{"compressCache": true}"#, "options: compressCache: needs mode exact"),
        ]
        for (config, options, expected) in cases {
            let answer = call(stowage_offload, config, options)
            #expect(answer.status == 2 && answer.json == nil, "\(expected): \(answer.status) \(answer.error ?? "")")
            #expect(answer.error?.contains(expected) == true, "\(answer.error ?? "nil") lacks \(expected)")
        }
        let small = call(stowage_offload, try Self.config("opt-175b"), #"{"cpuMem": "10GB", "disk": "20GB", "name": "opt-175b"}"#)
        #expect(small.status == 1, "\(small.error ?? "")")
        #expect(small.error?.contains("opt-175b does not fit on") == true && small.error?.contains("disk short by") == true,
                "\(small.error ?? "")")
    }

    @Test("offload: 150 mutated configs and options give status 0, 1 or 2, one line, and exactly one of answer and error")
    func offloadMutatedInputs() throws {
        let config = try Self.config("opt-6.7b")
        let options = [#"{"gbs": 8, "nb": 2, "gpuMem": 16e9}"#, #"{"gbs": 4, "nb": 2, "percent": [20, 80, 0, 100, 0, 100]}"#,
                       #"{"gbs": 2, "nb": 2, "simulate": true, "timeLimit": 10}"#, #"{"gbs": 16, "prompt": 128, "gen": 8, "cpuMem": "64GiB"}"#]
        var statuses: [Int32: Int] = [:]
        for i in 0 ..< 150 {
            var rng = SplitMix(seed: 19 &+ UInt64(i) &* 7919)
            let mutated = MutationTests.mutate(config, count: 1 + Int(rng.next() % 2), using: &rng)
            let pick = options[Int(rng.next() % UInt64(options.count))]
            let option = rng.next() % 3 == 0 ? MutationTests.mutate(pick, count: 1, using: &rng) : pick
            let answer = call(stowage_offload, mutated, option)
            statuses[answer.status, default: 0] += 1
            #expect([0, 1, 2].contains(answer.status), "\(option): \(answer.error ?? "")")
            #expect((answer.json == nil) != (answer.error == nil), "\(option)")
            if let error = answer.error { #expect(!error.isEmpty && !error.contains("\n"), "\(error)") }
            if answer.status == 2 { #expect(error(answer).hasPrefix("config_json") || error(answer).hasPrefix("options"), "\(error(answer))") }
        }
        // Both outcomes occur: the mutations are not all harmless, nor all fatal.
        #expect(statuses[0, default: 0] > 0 && statuses[2, default: 0] > 0, "\(statuses)")
    }

    private func error(_ answer: Answer) -> String { answer.error ?? "" }

    @Test("offload: a FlexGen policy that is not a placement within its capacities is refused by the facade's check")
    func offloadCheckRefusesBadPolicies() throws {
        let config = try TransformerConfig.load(contentsOf: Fixtures.path("Models/llm/opt-30b.json"))
        let profile = try HardwareProfile.load("t4")
        let workload = OffloadWorkload(gpuBytes: Double(profile.gpuMemory), cpuBytes: Double(profile.cpuMemory),
                                       diskBytes: Double(profile.disk), alpha: 0.8)
        let search = PolicySearch(shape: TransformerShape(config), hardware: profile, workload: workload)
        let estimate = try #require(search.evaluate(gbs: 8, nb: 2, pinned: nil))
        #expect(OffloadCheck.problem(estimate, workload: workload) == nil)
        var shares = estimate
        shares.policy.wg += 0.01
        #expect(OffloadCheck.problem(shares, workload: workload)?.contains("weights shares sum to") == true)
        var negative = estimate
        negative.policy.hg = -0.5
        negative.policy.hc += 0.5
        #expect(OffloadCheck.problem(negative, workload: workload)?.contains("activations share") == true)
        var peak = estimate
        peak.gpuPeakBytes = workload.gpuBytes  // above 0.8 of it
        #expect(OffloadCheck.problem(peak, workload: workload)?.contains("GPU peak") == true)
    }

    /// Issue 19: the C API read `1.0` as the integer 1, so a budget of the
    /// whole keep-everything peak became 1 byte. A fraction stays a
    /// fraction however it is written; an integer stays bytes.
    @Test("remat budget: 1.0, 1e0 and 10E-1 are the whole keep-all peak; 1 is one byte")
    func fractionsStayFractions() throws {
        var keepAll: Int?
        for budget in ["1.0", "1e0", "10E-1", "1.00"] {
            let answer = call(stowage_remat, Self.trainingChainJSON, #"{"budget": \#(budget), "method": "chen", "report": true}"#)
            #expect(answer.status == 0, "\(budget): \(answer.error ?? "")")
            let object = try Self.object(answer)
            let report = try #require(object["report"] as? [String: Any])
            let bytes = try #require(report["budgetBytes"] as? Int)
            #expect(bytes == report["keepAllPeakBytes"] as? Int, "\(budget)")
            keepAll = bytes
        }
        let seven = call(stowage_remat, Self.trainingChainJSON, #"{"budget": 0.75, "method": "chen", "report": true}"#)
        let object = try Self.object(seven)
        let report = try #require(object["report"] as? [String: Any])
        let whole = try #require(keepAll)
        #expect(report["budgetBytes"] as? Int == Int((0.75 * Double(whole)).rounded(.down)))
        let oneByte = call(stowage_remat, Self.trainingChainJSON, #"{"budget": 1, "method": "chen"}"#)
        #expect(oneByte.status == 1, "\(oneByte.error ?? "")")
        #expect(oneByte.error?.contains("infeasible at 1 bytes") == true, "\(oneByte.error ?? "")")
    }

    @Test("the C API's JSON reader: integers and fractions as written, strings with escapes, and its refusals")
    func jsonReader() throws {
        let value = try JSONReader.parse(#" {"a": 1.0, "b": 1e0, "c": 0.7, "d": 1, "e": -20, "f": 10E-1, "g": 9223372036854775807, "#
            + #""h": 18446744073709551616, "i": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "j": [true, false, null, {}], "k": -0} "#)
        let expected: JSONValue = .object([
            "a": .double(1), "b": .double(1), "c": .double(0.7), "d": .int(1), "e": .int(-20), "f": .double(1),
            "g": .int(Int.max), "h": .double(18446744073709551616), "i": .string("q\"\\/\u{8}\u{c}\n\r\té😀"),
            "j": .array([.bool(true), .bool(false), .null, .object([:])]), "k": .int(0),
        ])
        #expect(value == expected)
        for bad in ["", "[1,]", "{\"a\" 1}", "01", "1.", ".5", "1e", "-", "\"\\x\"", "\"\u{1}\"", "\"\\ud800\"", "1E400", "[1] 2",
                    "tru", String(repeating: "[", count: 600) + String(repeating: "]", count: 600)] {
            #expect(throws: JSONReader.Failure.self, "\(bad.prefix(20))") { try JSONReader.parse(bad) }
        }
        // Integer-valued fractions still do where an integer is asked for (a Python float of whole bytes).
        let reader = try JSONObjectReader(try JSONValue.parse(#"{"n": 1024.0, "m": 0.5}"#, source: "t"), source: "t", allowed: ["n", "m"])
        #expect(try reader.int("n") == 1024)
        #expect(throws: CAPIError.self) { try reader.int("m") }
    }
}
