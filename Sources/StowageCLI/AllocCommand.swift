import Allocation
import ArgumentParser
import Foundation
import MILP
import OutputFiles
import Units

/// `stowage alloc`: give every buffer of a fixed-lifetime problem an offset.
struct AllocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alloc",
        abstract: "Assign offsets to buffers with fixed lifetimes, as low as possible or within a capacity.",
        discussion: """
            PROBLEM.csv has the columns id,lower,upper,size (lifetimes are \
            half-open [lower, upper)) and optionally alignment and offset (a \
            fixed offset); minimalloc's header buffer,start,end,size is read \
            too. The output is the same rows with an offset column (header \
            id,lower,upper,size,offset; an alignment column is kept when some \
            alignment is not 1), on standard output or in -o FILE, written \
            atomically. Every answer is checked by an independent validator \
            before it is written. Exit codes: 0 the buffers fit (or no \
            capacity was given); 1 no fit proven, or none found within the \
            time limit; 2 bad input (a malformed file, or pins that overlap \
            or exceed the capacity).
            """
    )

    @Argument(help: "The buffer CSV.")
    var problem: String

    // `.unconditional`: `--capacity -5` is a (bad) size, not a missing value.
    @Option(parsing: .unconditional, help: "Arena capacity: \(ByteCount.grammar).")
    var capacity: String?

    @Option(help: "auto, greedy, search or ilp.")
    var method: AllocationMethod = .auto

    @Option(name: .customLong("time-limit"),
            help: "Wall-clock seconds for the whole command (reading, allocating, checking, writing); the best answer found by then is written.")
    var timeLimit: Double = 10

    @Option(help: "The ILP backend (with --method ilp): glpk or cbc.")
    var solver: SolverChoice = .cbc

    @Option(name: .shortAndLong, help: "Write the CSV with offsets here instead of standard output.")
    var output: String?

    @Flag(help: "Print one JSON object (Schemas/alloc-report.schema.json: feasible, height, lowerBound, optimal, method, seconds, offsets, ...) instead of the CSV.")
    var json = false

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    func validate() throws {
        if !(timeLimit > 0) || !timeLimit.isFinite { throw ValidationError("--time-limit must be a positive number of seconds") }
        if let capacity {
            do { _ = try ByteCount.parse(capacity) } catch { throw ValidationError("--capacity: \(error)") }
        }
    }

    func run() throws {
        let deadline = Deadline(seconds: ProcessAge.remaining(of: timeLimit))
        let limit = capacity.flatMap(ByteCount.value)
        if let output {
            do { try OutputFile.check(output) } catch { throw CommandFailure.badInput(error.description) }
        }
        let input: AllocationProblem
        let reading = Stopwatch()
        do {
            input = try BufferCSV.read(contentsOf: problem, capacity: limit, deadline: deadline)
            Self.keptUntilExit = input
        } catch {
            if error.timeLimitPassed { throw CommandFailure.noAnswer(error.description) }
            throw CommandFailure.badInput(error.description)
        }
        var options = PortfolioOptions(method: method, timeLimit: nil)
        // Checking and writing the answer take O(n log n): keep time for
        // them, and let no pass run into that time.
        options.deadline = deadline.capped(at: max(0, (deadline.remaining ?? 0) - PortfolioOptions.outputReserve(readSeconds: reading.seconds)))
        options.cheapGrace = 0
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
            // The reader validated the problem.
            report = try Portfolio(options: options).allocate(validated: input)
        } catch {
            throw CommandFailure.badInput("\(problem): \(error.description)")
        }
        // Nothing leaves unchecked: the validator shares no code with the methods.
        if report.feasible, let solution = report.solution {
            let measured: Int
            do {
                measured = try Validator.height(of: solution.offsets, for: input)
            } catch {
                throw CommandFailure.noAnswer("internal error: the \(report.method) allocation failed validation: \(error)")
            }
            guard measured == solution.height else {
                throw CommandFailure.noAnswer("internal error: \(report.method) claimed height \(solution.height), the validator measured \(measured)")
            }
        }
        let summary = AllocSummary(report: report, problem: input)
        if report.feasible, let solution = report.solution {
            let csv = BufferCSV.write(input, offsets: solution.offsets)
            if let output {
                do { try OutputFile.write(csv, to: output) } catch { throw CommandFailure.badInput(error.description) }
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

    /// The problem read, held until the process exits: leaving `run` (by a
    /// return or an error) would otherwise free every buffer's id, about
    /// 0.09 s at 196,673 buffers under two spinning threads, after the
    /// answer or the message and so past the limit. The process's exit
    /// frees it at no cost.
    nonisolated(unsafe) static var keptUntilExit: AllocationProblem?
}

extension AllocationMethod: ExpressibleByArgument {}

/// What `stowage alloc --json` prints.
/// Schemas/alloc-report.schema.json describes it; `version` changes with it.
struct AllocSummary: Encodable {
    let version = 1
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
    /// One offset per buffer, in the order of the input's rows; `null`
    /// without a fit.
    let offsets: [Int]?

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
        offsets = report.feasible ? report.solution?.offsets : nil
    }

    enum CodingKeys: String, CodingKey {
        case version, feasible, status, height, lowerBound, optimal, gap, method, seconds, buffers, capacity, offsets
    }

    /// Absent values are written as `null`, so every key is always present.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
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
        try c.encode(offsets, forKey: .offsets)
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
        default:
            if let height {
                return "\(problem): no allocation within capacity \(capacity ?? 0) found before the time limit (best height \(height), lower bound \(lowerBound))"
            }
            return "\(problem): no allocation found before the time limit" + (lowerBound > 0 ? " (lower bound \(lowerBound))" : "")
        }
    }
}
