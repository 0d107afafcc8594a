import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import StowageCLI

/// `stowage bench` driven as a user would: experiment files in a fresh
/// folder, the built binary run as a subprocess.
@Suite struct BenchCommandTests {
    static let graphs = CommandRunner.root.appendingPathComponent("Examples/graphs").path

    /// A fresh folder for one test's files.
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func experiment(in folder: String, _ object: [String: Any]) throws -> String {
        let path = "\(folder)/experiment.json"
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The tiny experiment: 2 graphs × 2 budgets × 2 methods.
    static func tiny(in folder: String) throws -> String {
        try experiment(in: folder, [
            "models": ["\(graphs)/mlp.json", "\(graphs)/attention_block.json"],
            "budgets": ["M_R", "M_P"], "methods": ["baseline", "lru"], "timeLimit": 10, "dtypeBytes": 1, "dims": ["batch": 2],
        ])
    }

    /// Runs `stowage` with extra environment variables (the hidden test
    /// methods need `STOWAGE_BENCH_TESTING=1`; shards read Slurm's).
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandRunner.Outcome {
        try CommandRunner.run(arguments, environment: environment)
    }

    static func rows(_ path: String) throws -> [BenchRow] {
        try BenchResults.load(path).rows
    }

    @Test func tinyExperimentWritesOneRowPerRunAndResumes() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Self.tiny(in: dir)
        let first = try Self.run(["bench", file, "--output", "\(dir)/r", "--jobs", "2"])
        #expect(first.status == 0, "\(first.stderr)")
        let rows = try Self.rows("\(dir)/r.jsonl")
        #expect(rows.count == 8)
        #expect(Set(rows.map(\.key)).count == 8)
        #expect(rows.allSatisfy { $0.status == .ok && $0.nonCompulsoryBytes != nil && $0.capacity != nil && $0.version == StowageVersion.current })
        #expect(rows.allSatisfy { ($0.maxRSSBytes ?? 0) > 1 << 20 })
        #expect(first.stderr.contains("[8/8]"))
        let csv = try String(contentsOfFile: "\(dir)/r.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 9)
        #expect(csv.hasPrefix("key,kind,model,budget,method"))

        let again = try Self.run(["bench", file, "--output", "\(dir)/r", "--jobs", "2"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("8 already in"))
        #expect(again.stdout.contains("0 runs finished"))
        #expect(try Self.rows("\(dir)/r.jsonl").count == 8)
    }

    @Test func aHangIsATimeoutAndACrashIsACrashedRowNotTheEndOfTheRun() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Self.experiment(in: dir, [
            "models": ["\(Self.graphs)/diamond.json"], "budgets": ["M_P"],
            "methods": ["test-sleep", "test-crash", "baseline"], "timeLimit": 0.5, "slack": 2.5,
        ])
        let start = Date()
        let outcome = try Self.run(["bench", file, "-o", "\(dir)/r", "--jobs", "2"], environment: ["STOWAGE_BENCH_TESTING": "1"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(Date().timeIntervalSince(start) < 60)  // the sleeper (an hour) was cut short
        let rows = try Self.rows("\(dir)/r.jsonl")
        #expect(rows.count == 3)
        let byMethod = Dictionary(uniqueKeysWithValues: rows.map { ($0.method, $0) })
        #expect(byMethod["test-sleep"]?.status == .timeout)
        #expect(byMethod["test-crash"]?.status == .crashed)
        #expect(byMethod["test-crash"]?.signal == 9)
        #expect(byMethod["baseline"]?.status == .ok)
        #expect(outcome.stderr.contains("2 failed"))

        // Failed keys are kept on a plain rerun, and retried on request.
        let rerun = try Self.run(["bench", file, "-o", "\(dir)/r", "--dry-run", "--retry-failed"], environment: ["STOWAGE_BENCH_TESTING": "1"])
        #expect(rerun.stdout.contains("1 already in"), "\(rerun.stdout)")
    }

    @Test func testMethodsNeedTheTestingSwitch() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Self.experiment(in: dir, ["models": ["\(Self.graphs)/diamond.json"], "budgets": ["M_P"], "methods": ["test-sleep"]])
        let outcome = try Self.run(["bench", file, "-o", "\(dir)/r"], environment: ["STOWAGE_BENCH_TESTING": "0"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("\"methods\""))
    }

    @Test func shardsPartitionTheRunsAndSlurmVariablesPickOne() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Self.tiny(in: dir)
        func keys(_ arguments: [String], environment: [String: String] = [:]) throws -> [String] {
            let outcome = try Self.run(["bench", file, "-o", "\(dir)/r", "--dry-run"] + arguments, environment: environment)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return outcome.stdout.split(separator: "\n").dropFirst().map(String.init)
        }
        let all = try keys([])
        #expect(all.count == 8)
        let shards = try (0 ..< 3).map { try keys(["--shard", "\($0)/3"]) }
        #expect(shards.map(\.count).reduce(0, +) == 8)
        #expect(Set(shards.flatMap { $0 }) == Set(all))
        #expect(shards.allSatisfy { !$0.isEmpty })
        let slurm = try keys([], environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"])
        #expect(slurm == shards[1])
        let bad = try Self.run(["bench", file, "--shard", "3/3"])
        #expect(bad.status == 2)
    }

    @Test func mergeJoinsShardsAndDropsDuplicates() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Self.tiny(in: dir)
        for shard in 0 ..< 2 {
            let outcome = try Self.run(["bench", file, "-o", "\(dir)/shard-\(shard)", "--shard", "\(shard)/2", "--jobs", "2", "--quiet"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
        #expect(try Self.rows("\(dir)/shard-0.jsonl").count == 4)
        let merged = try Self.run(["bench", "merge", "\(dir)/all", "\(dir)/shard-0", "\(dir)/shard-1.jsonl", "\(dir)/shard-0"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("4 duplicates dropped"))
        let rows = try Self.rows("\(dir)/all.jsonl")
        #expect(rows.count == 8)
        #expect(Set(rows.map(\.key)).count == 8)
        #expect(FileManager.default.fileExists(atPath: "\(dir)/all.csv"))
    }

    @Test func reportPrintsATableAndWritesSVGThatParses() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Self.tiny(in: dir)
        let outcome = try Self.run(["bench", file, "-o", "\(dir)/r", "--jobs", "2", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Self.run(["bench", "report", "\(dir)/r.jsonl", "-o", "\(dir)/charts"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("belady traffic"))
        #expect(report.stdout.contains("attention_block"))
        for name in ["traffic.svg", "solve-time.svg"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/charts/\(name)"))
            let document = try XMLDocument(data: data)
            #expect(document.rootElement()?.name == "svg")
        }
    }

    /// The reduction figure: averaged over the models where Belady moves
    /// something, per budget and method.
    @Test func reportAveragesTheReductionOverModelsWhereBeladyMovesData() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func row(_ model: String, _ method: String, _ solver: String?, _ traffic: Int) -> String {
            let solverField = solver.map { "\"solver\":\"\($0)\"," } ?? ""
            return "{\"budget\":\"M_R\",\"capacity\":100,\"key\":\"\(model)|\(method)\",\"kind\":\"scratchpad\",\"method\":\"\(method)\","
                + "\"model\":\"\(model).onnx\",\"nonCompulsoryBytes\":\(traffic),\"repeatIndex\":0,\(solverField)\"solveSeconds\":0.1,"
                + "\"status\":\"ok\",\"timestamp\":\"2026-11-27T00:00:00Z\",\"version\":\"0\",\"wallSeconds\":0.2}"
        }
        // a: 100 -> 40 (60 %); b: Belady moves nothing (left out); c: 200 -> 200 (0 %).
        let lines = [row("a", "baseline", nil, 100), row("a", "ilp-free", "cbc", 40),
                     row("b", "baseline", nil, 0), row("b", "ilp-free", "cbc", 0),
                     row("c", "baseline", nil, 200), row("c", "ilp-free", "cbc", 200)]
        try lines.joined(separator: "\n").write(toFile: "\(dir)/r.jsonl", atomically: true, encoding: .utf8)
        let report = try Self.run(["bench", "report", "\(dir)/r.jsonl", "-o", "\(dir)/charts"])
        #expect(report.status == 0, "\(report.stderr)")
        let line = report.stdout.split(separator: "\n").first { $0.hasPrefix("M_R") && $0.contains("%") }
        #expect(line.map { $0.split(separator: " ", omittingEmptySubsequences: true) } == ["M_R", "30%", "2"], "\(report.stdout)")
    }

    @Test func offloadRowsAndThroughputChart() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let root = CommandRunner.root.path
        let file = try Self.experiment(in: dir, [
            "kind": "offload", "models": ["\(root)/Models/llm/opt-6.7b.json"], "hardware": ["\(root)/Profiles/t4.json"],
            "gpuMem": ["16GB", "8GB"], "prompt": 512, "gen": 32,
        ])
        let outcome = try Self.run(["bench", file, "-o", "\(dir)/r", "--jobs", "2", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let rows = try Self.rows("\(dir)/r.jsonl")
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.status == .ok && ($0.throughput ?? 0) > 0 })
        let report = try Self.run(["bench", "report", "\(dir)/r", "-o", "\(dir)/charts"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("token/s"))
        _ = try XMLDocument(data: Data(contentsOf: URL(fileURLWithPath: "\(dir)/charts/throughput.svg")))
    }

    @Test(arguments: [
        (#"{"budgets": ["M_R"]}"#, "\"models\""),
        (#"{"models": ["nope/*.onnx"], "budgets": ["M_R"]}"#, "matches no file"),
        (#"{"models": ["EXAMPLE"], "budgets": ["3 parsecs"]}"#, "\"budgets\""),
        (#"{"models": ["EXAMPLE"], "budgets": ["M_R"], "methods": ["magic"]}"#, "unknown method"),
        (#"{"models": ["EXAMPLE"], "budgets": ["M_R"], "timelimit": 3}"#, "unknown key"),
        (#"{"models": ["EXAMPLE"], "budgets": ["M_R"], "repeat": 0}"#, "\"repeat\""),
        (#"[1, 2]"#, "JSON object"),
    ])
    func badExperimentsNameTheFileAndKey(text: String, expected: String) throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/bad.json"
        try Data(text.replacingOccurrences(of: "EXAMPLE", with: "\(Self.graphs)/mlp.json").utf8).write(to: URL(fileURLWithPath: path))
        let outcome = try Self.run(["bench", path, "-o", "\(dir)/r"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains(path) && outcome.stderr.contains(expected), "\(outcome.stderr)")
    }

    @Test func runKeysAreStableAndShardsRoundRobin() {
        let runs = (0 ..< 7).map { BenchRun(kind: .scratchpad, model: "m\($0)", budget: "M_R", method: "baseline", repeatIndex: 0) }
        #expect(runs[0].key == "kind=scratchpad|model=m0|budget=M_R|method=baseline|repeat=0")
        let parts = (0 ..< 3).map { BenchShard(index: $0, count: 3).select(runs) }
        #expect(parts.map(\.count) == [3, 2, 2])
        #expect(BenchShard("1/0") == nil && BenchShard("-1/2") == nil && BenchShard("1/2") == BenchShard(index: 1, count: 2))
    }

    /// Shards get a fair share of the slow runs: round-robin over sorted keys
    /// gave one shard of scratchpad-all.json all 33 ILP runs.
    @Test(arguments: [2, 3, 4, 7])
    func shardsShareTheSlowRuns(_ count: Int) throws {
        let file = CommandRunner.root.appendingPathComponent("Examples/experiments/scratchpad-all.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        // Model paths are relative to the repository; the tests may run elsewhere.
        object["models"] = (object["models"] as? [String] ?? []).map { CommandRunner.root.appendingPathComponent($0).path }
        let experiment = try BenchExperiment.parse(object, file: file.path)
        let runs = experiment.runs()
        let ilp = runs.filter { $0.method.hasPrefix("ilp") }.count
        #expect(ilp == 33)
        let shards = (0 ..< count).map { BenchShard(index: $0, count: count).select(runs, timeLimit: experiment.timeLimit) }
        #expect(Set(shards.flatMap { $0.map(\.key) }) == Set(runs.map(\.key)))
        #expect(shards.map(\.count).reduce(0, +) == runs.count)
        let ilpCounts = shards.map { $0.filter { $0.method.hasPrefix("ilp") }.count }
        #expect(ilpCounts.max()! - ilpCounts.min()! <= 1, "\(ilpCounts)")
        let costs = shards.map { $0.reduce(0) { $0 + $1.expectedCost(timeLimit: experiment.timeLimit) } }
        let dearest = runs.map { $0.expectedCost(timeLimit: experiment.timeLimit) }.max()!
        #expect(costs.max()! - costs.min()! <= dearest, "\(costs)")
        #expect(shards.allSatisfy { shard in shard.contains { !$0.method.hasPrefix("ilp") } })
    }
}
