import Allocation
import ArgumentParser
import Foundation
import MILP

/// `stowage alloc`: give every buffer of a fixed-lifetime problem an offset.
struct AllocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alloc",
        abstract: "Assign offsets to buffers with fixed lifetimes, as low as possible or within a capacity.",
        discussion: """
            PROBLEM.csv has the columns id,lower,upper,size (lifetimes are \
            half-open [lower, upper)) and optionally alignment and offset (a \
            fixed offset). The output is the same rows with an offset column \
            (header id,lower,upper,size,offset; an alignment column is kept \
            when some alignment is not 1), on standard output or in -o FILE, \
            written atomically. Exit codes: 0 the buffers fit (or no capacity \
            was given); 1 no fit proven, or none found within the time limit; \
            2 bad input.
            """
    )

    @Argument(help: "The buffer CSV.")
    var problem: String

    @Option(help: "Arena capacity in bytes (suffixes K, M, G, KiB, MiB, GiB accepted).")
    var capacity: String?

    @Option(help: "auto, greedy, search or ilp.")
    var method: AllocationMethod = .auto

    @Option(name: .customLong("time-limit"), help: "Seconds for the search or ILP after the heuristics.")
    var timeLimit: Double = 10

    @Option(help: "The ILP backend (with --method ilp): glpk or cbc.")
    var solver: SolverChoice = .cbc

    @Option(name: .shortAndLong, help: "Write the CSV with offsets here instead of standard output.")
    var output: String?

    @Flag(help: "Print one JSON object (feasible, height, lowerBound, optimal, method, seconds, ...) instead of the CSV.")
    var json = false

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    func validate() throws {
        if !(timeLimit > 0) { throw ValidationError("--time-limit must be a positive number of seconds") }
        if let capacity, ByteCount.parse(capacity) == nil {
            throw ValidationError("--capacity '\(capacity)' is not a byte count (e.g. 1048576, 512K, 2MiB)")
        }
    }

    func run() throws {
        let limit = capacity.flatMap(ByteCount.parse)
        let input: AllocationProblem
        do {
            input = try BufferCSV.read(contentsOf: problem, capacity: limit)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        var options = PortfolioOptions(method: method, timeLimit: timeLimit)
        options.solver = solver.solver
        if !quiet {
            let started = ContinuousClock.now
            options.progress = { line in
                guard ContinuousClock.now - started >= .seconds(1) else { return }
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
        let report: AllocationReport
        do {
            report = try Portfolio(options: options).allocate(input)
        } catch {
            throw CommandFailure.badInput("\(problem): \(error.description)")
        }
        let summary = AllocSummary(report: report, problem: input)
        if report.feasible, let solution = report.solution {
            let csv = BufferCSV.write(input, offsets: solution.offsets)
            if let output {
                do {
                    try Data(csv.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw CommandFailure.badInput("cannot write \(output): \(error.localizedDescription)")
                }
            } else if !json {
                print(csv, terminator: "")
            }
        }
        if json { print(summary.json) }
        if !report.feasible { throw CommandFailure.noAnswer(summary.failureLine(problem: problem)) }
        // With the CSV in a file, a one-line summary for people.
        if !quiet && output != nil && !json {
            FileHandle.standardError.write(Data((summary.line + "\n").utf8))
        }
    }
}

extension AllocationMethod: ExpressibleByArgument {}

/// `--capacity 2MiB`: a byte count with an optional binary or decimal suffix.
enum ByteCount {
    static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let suffixes: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
            ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
            ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40), ("B", 1),
        ]
        for (suffix, scale) in suffixes where t.hasSuffix(suffix) {
            guard let n = Int(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), n >= 0 else { return nil }
            let (v, overflow) = n.multipliedReportingOverflow(by: scale)
            return overflow ? nil : v
        }
        guard let n = Int(t), n >= 0 else { return nil }
        return n
    }
}

/// What `stowage alloc --json` prints.
struct AllocSummary: Encodable {
    let feasible: Bool
    let status: String
    let height: Int?
    let lowerBound: Int
    let optimal: Bool
    let gap: Double?
    let method: String
    let seconds: Double
    let buffers: Int
    let capacity: Int?

    init(report: AllocationReport, problem: AllocationProblem) {
        feasible = report.feasible
        status = report.status.rawValue
        height = report.height
        lowerBound = report.lowerBound
        optimal = report.optimal
        gap = report.gap
        method = report.method
        seconds = (report.seconds * 1_000).rounded() / 1_000
        buffers = problem.count
        capacity = problem.capacity
    }

    enum CodingKeys: String, CodingKey {
        case feasible, status, height, lowerBound, optimal, gap, method, seconds, buffers, capacity
    }

    /// Absent values are written as `null`, so every key is always present.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(feasible, forKey: .feasible)
        try c.encode(status, forKey: .status)
        try c.encode(height, forKey: .height)
        try c.encode(lowerBound, forKey: .lowerBound)
        try c.encode(optimal, forKey: .optimal)
        try c.encode(gap, forKey: .gap)
        try c.encode(method, forKey: .method)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(buffers, forKey: .buffers)
        try c.encode(capacity, forKey: .capacity)
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    var line: String {
        let h = height.map(String.init) ?? "-"
        let g = gap.map { String(format: "%.2f%%", $0 * 100) } ?? "-"
        return "\(buffers) buffers: height \(h), lower bound \(lowerBound), gap \(g)\(optimal ? " (optimal)" : ""), \(method), \(String(format: "%.3f", seconds)) s"
    }

    func failureLine(problem: String) -> String {
        switch status {
        case "noFit": return "\(problem): no allocation fits capacity \(capacity ?? 0) (proved by \(method); lower bound \(lowerBound))"
        default: return "\(problem): no allocation within capacity \(capacity ?? 0) found before the time limit (best height \(height.map(String.init) ?? "-"), lower bound \(lowerBound))"
        }
    }
}
