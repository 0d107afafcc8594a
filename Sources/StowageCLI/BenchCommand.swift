import ArgumentParser
import Foundation
import OutputFiles
#if canImport(Glibc)
import Glibc
#endif

/// `stowage bench`: batch experiments over models × budgets × methods ×
/// solvers (or, for offloading, models × hardware × memory sizes).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run an experiment file's cross product, one isolated process per run; merge shards; report.",
        discussion: """
            stowage bench EXPERIMENT.json --output results/run   (writes run.jsonl, run.csv)
            stowage bench merge results/all results/shard-0 results/shard-1
            stowage bench report results/all.jsonl -o results/charts
            See Examples/experiments/README.md for the experiment format.
            """,
        subcommands: [BenchRunCommand.self, BenchMergeCommand.self, BenchReportCommand.self,
                      BenchTestSleepCommand.self, BenchTestCrashCommand.self],
        defaultSubcommand: BenchRunCommand.self
    )
}

/// `stowage bench EXPERIMENT.json`: the runner.
struct BenchRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment; rows already in PREFIX.jsonl are skipped (resume).",
        discussion: """
            Each run is a child `stowage plan` or `stowage offload` process, \
            terminated (SIGTERM, then SIGKILL) after timeLimit + slack seconds \
            and recorded as a timeout. Every finished run appends one line to \
            PREFIX.jsonl at once; PREFIX.csv is rewritten at the end. Progress \
            goes to standard error.
            """
    )

    @Argument(help: "The experiment file (JSON).")
    var experiment: String

    @Option(name: .shortAndLong, help: "Results prefix: writes PREFIX.jsonl and PREFIX.csv (default: the experiment's name in the working directory).")
    var output: String?

    @Option(name: .shortAndLong, help: "Runs at a time (default: the core count).")
    var jobs: Int?

    @Option(help: "I/N: run only the I-th (from 0) of N disjoint slices. Default: SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT when set.")
    var shard: String?

    @Flag(name: .customLong("retry-failed"), help: "Run again the keys whose rows are failed, timeout or crashed.")
    var retryFailed = false

    @Flag(name: .customLong("dry-run"), help: "List the runs this invocation would do, and stop.")
    var dryRun = false

    @Flag(help: "No progress lines.")
    var quiet = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let shard, BenchShard(shard) == nil { throw ValidationError("--shard expects I/N with 0 <= I < N, got '\(shard)'") }
    }

    func run() throws {
        let plan = try BenchExperiment.load(experiment)
        let all = plan.runs()
        let slice = shard.flatMap(BenchShard.init) ?? BenchShard.fromSlurm(ProcessInfo.processInfo.environment)
        let mine = slice?.select(all, timeLimit: plan.timeLimit) ?? all
        let prefix = BenchResults.prefix(of: output ?? ((experiment as NSString).lastPathComponent as NSString).deletingPathExtension)
        let folder = (prefix as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let (previous, unreadable) = try BenchResults.load(prefix + ".jsonl")
        let done = Set(BenchResults.deduplicate(previous).filter { !(retryFailed && $0.status.isFailure) }.map(\.key))
        let todo = mine.filter { !done.contains($0.key) }
        let shardText = slice.map { " (shard \($0.index)/\($0.count))" } ?? ""
        let note = "\(mine.count) runs\(shardText), \(mine.count - todo.count) already in \(prefix).jsonl"
            + (unreadable > 0 ? " (\(unreadable) unreadable lines ignored)" : "") + ", \(todo.count) to do"
        if dryRun {
            print(note)
            for run in todo { print(run.key) }
            return
        }
        if !quiet { FileHandle.standardError.write(Data("stowage bench: \(note)\n".utf8)) }
        let log = try BenchLog(path: prefix + ".jsonl")
        let runner = BenchRunner(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                                 wallLimit: plan.wallLimit, timeLimit: plan.timeLimit, quiet: quiet)
        let rows = try runner.run(todo, log: log)
        let (everything, _) = try BenchResults.load(prefix + ".jsonl")
        try BenchResults.write(BenchResults.deduplicate(everything), prefix: prefix, jsonl: false)
        let failures = rows.filter(\.status.isFailure).count
        print("\(rows.count) runs finished, \(failures) failed; results in \(prefix).jsonl and \(prefix).csv")
    }
}

/// `stowage bench merge OUT PREFIX...`: joins shards' results.
struct BenchMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join result files (PREFIX or PREFIX.jsonl) into OUT.jsonl and OUT.csv, one row per run key."
    )

    @Argument(help: "The output prefix.")
    var output: String

    @Argument(help: "The shards' prefixes or .jsonl files.")
    var inputs: [String]

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("merge needs at least one input") }
    }

    func run() throws {
        var rows: [BenchRow] = []
        for input in inputs {
            let path = BenchResults.prefix(of: input) + ".jsonl"
            guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure.badInput("\(path): no such results file") }
            rows += try BenchResults.load(path).rows
        }
        let merged = BenchResults.deduplicate(rows)
        let prefix = BenchResults.prefix(of: output)
        try BenchResults.write(merged, prefix: prefix, jsonl: true)
        print("\(merged.count) runs (\(rows.count - merged.count) duplicates dropped) in \(prefix).jsonl and \(prefix).csv")
    }
}

/// `stowage bench report RESULTS.jsonl`: a table and SVG charts.
struct BenchReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print a summary table of a results file and write SVG charts."
    )

    @Argument(help: "A results file (PREFIX.jsonl, or PREFIX).")
    var results: String

    @Option(name: .shortAndLong, help: "Folder for the SVG charts (default: PREFIX-charts).")
    var output: String?

    func run() throws {
        let prefix = BenchResults.prefix(of: results)
        let path = prefix + ".jsonl"
        guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure.badInput("\(path): no such results file") }
        let rows = BenchResults.deduplicate(try BenchResults.load(path).rows)
        guard !rows.isEmpty else { throw CommandFailure.badInput("\(path): no rows") }
        let report = BenchReport(rows: rows)
        print(report.table())
        let folder = output ?? prefix + "-charts"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (name, svg) in BenchCharts(rows: rows).charts() {
                let file = (folder as NSString).appendingPathComponent(name)
                try OutputFile.write(svg, to: file)
                print("wrote \(file)")
            }
        } catch let error as OutputFile.Error {
            throw CommandFailure.badInput("cannot write charts: \(error)")
        } catch {
            throw CommandFailure.badInput("\(folder): cannot write charts (\(error.localizedDescription))")
        }
    }
}

/// A child that hangs: the test suite's stand-in for a solver stuck past its limit.
struct BenchTestSleepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test-sleep", shouldDisplay: false)

    @Argument var seconds: Double = 3600

    func run() throws {
        Thread.sleep(forTimeInterval: seconds)
    }
}

/// A child that crashes: the test suite's stand-in for a solver killed mid-run.
struct BenchTestCrashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test-crash", shouldDisplay: false)

    func run() throws {
        kill(getpid(), SIGKILL)
    }
}
