import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs one child `stowage` process under a wall-clock limit.
///
/// `posix_spawn` and `wait4` rather than Foundation's `Process`, because
/// `wait4` returns the resource usage of that one child (its peak resident
/// set), where `getrusage(RUSAGE_CHILDREN)` only gives the maximum over all
/// children so far. Standard output and error go to temporary files, so a
/// chatty child never blocks on a full pipe.
struct BenchChild {
    struct Outcome: Sendable {
        var exitCode: Int32?
        var signal: Int32?
        var timedOut: Bool
        var stdout: String
        var stderr: String
        var wallSeconds: Double
        var maxRSSBytes: Int?
    }

    let executable: String
    let scratch: String

    /// The running `stowage` binary: `/proc/self/exe`, else `Bundle.main`,
    /// else argv[0].
    static var currentExecutable: String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
           FileManager.default.isExecutableFile(atPath: path) { return path }
        if let path = Bundle.main.executablePath { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// Runs `arguments`; after `limit` seconds sends SIGTERM, and SIGKILL
    /// two seconds later if the child is still there.
    func run(_ arguments: [String], limit: Double, tag: Int) -> Outcome {
        let outPath = "\(scratch)/run-\(tag).out", errPath = "\(scratch)/run-\(tag).err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let start = ContinuousClock.now
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        if spawned == 0 { BenchInterrupt.live.withLock { _ = $0.insert(pid) } }
        defer { BenchInterrupt.live.withLock { _ = $0.remove(pid) } }
        guard spawned == 0 else {
            return Outcome(exitCode: nil, signal: nil, timedOut: false, stdout: "",
                           stderr: "cannot start \(executable): \(String(cString: strerror(spawned)))", wallSeconds: 0, maxRSSBytes: nil)
        }
        var status: Int32 = 0
        var usage = rusage()
        var terminatedAt: ContinuousClock.Instant?
        var killed = false
        var reaped = false
        while !reaped {
            let result = wait4(pid, &status, WNOHANG, &usage)
            if result == pid { reaped = true; break }
            if result < 0 && errno != EINTR { break }
            let now = ContinuousClock.now
            if terminatedAt == nil, seconds(start.duration(to: now)) > limit {
                kill(pid, SIGTERM)
                terminatedAt = now
            } else if let terminatedAt, !killed, seconds(terminatedAt.duration(to: now)) > 2 {
                kill(pid, SIGKILL)
                killed = true
            }
            usleep(20_000)
        }
        let wall = seconds(start.duration(to: .now))
        let read = { (path: String) in FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "" }
        // Linux reports ru_maxrss in KiB.
        let rss = reaped && usage.ru_maxrss > 0 ? Int(usage.ru_maxrss) * 1024 : nil
        let low = status & 0x7f
        return Outcome(exitCode: reaped && low == 0 ? (status >> 8) & 0xff : nil,
                       signal: reaped && low != 0 && low != 0x7f ? low : nil,
                       timedOut: terminatedAt != nil,
                       stdout: read(outPath), stderr: read(errPath), wallSeconds: wall, maxRSSBytes: rss)
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

/// What a child printed with `--json`: the union of `stowage plan`,
/// `stowage offload` and `stowage schedule` fields that a row keeps.
private struct ChildReport: Decodable {
    var feasible: Bool?
    var capacity: Int?
    var peakBytes: Int?
    var compulsoryBytes: Int?
    var nonCompulsoryBytes: Int?
    var bound: Double?
    var boundScope: String?
    var gap: Double?
    var optimal: Bool?
    var height: Int?
    var lowerBound: Int?
    var fileOrderPeak: Int?
    var fileOrderHeight: Int?
    var seconds: Double?
    var message: String?
    var throughput: Double?
    var gbs: Int?
    var nb: Int?
}

extension BenchRow {
    /// The row for a child's outcome.
    init(run: BenchRun, outcome: BenchChild.Outcome) {
        let lastLine = outcome.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let report = try? JSONDecoder().decode(ChildReport.self, from: Data(lastLine.utf8))
        let errorLine = outcome.stderr.split(separator: "\n").last.map(String.init)
        let status: Status
        if outcome.timedOut {
            status = .timeout
        } else if outcome.signal != nil {
            status = .crashed
        } else if outcome.exitCode == 0, report != nil, report?.feasible != false {
            status = .ok
        } else if outcome.exitCode == 1 {
            status = .infeasible
        } else {
            status = .failed
        }
        self.init(run: run, status: status, wallSeconds: outcome.wallSeconds)
        exitCode = outcome.exitCode
        signal = outcome.signal
        maxRSSBytes = outcome.maxRSSBytes
        if let report {
            capacity = report.capacity
            peakBytes = report.peakBytes
            compulsoryBytes = report.compulsoryBytes
            nonCompulsoryBytes = report.nonCompulsoryBytes
            bound = report.bound
            boundScope = report.boundScope
            gap = report.gap
            optimal = report.optimal
            height = report.height
            lowerBound = report.lowerBound
            fileOrderPeak = report.fileOrderPeak
            fileOrderHeight = report.fileOrderHeight
            throughput = report.throughput
            gbs = report.gbs
            nb = report.nb
            solveSeconds = report.seconds
        }
        switch status {
        case .ok: message = nil
        case .timeout: message = "terminated after \(String(format: "%.1f", outcome.wallSeconds)) s"
        case .crashed: message = "killed by signal \(outcome.signal ?? 0)" + (errorLine.map { ": \($0)" } ?? "")
        default: message = report?.message ?? errorLine
        }
    }
}

/// Runs a list of runs on a bounded pool of worker threads, each of which
/// drives one child process at a time, appending every finished row to the
/// log and reporting progress on standard error.
struct BenchRunner {
    var jobs: Int
    var wallLimit: Double
    var timeLimit: Double?
    var quiet: Bool

    /// Returns the rows of the runs, in completion order.
    func run(_ runs: [BenchRun], log: BenchLog) throws -> [BenchRow] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("stowage-bench-\(getpid())").path
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.badInput("\(scratch): cannot create a scratch folder (\(error.localizedDescription))")
        }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let child = BenchChild(executable: BenchChild.currentExecutable, scratch: scratch)
        let interrupt = BenchInterrupt(scratch: scratch)
        let progress = BenchProgress(total: runs.count, quiet: quiet)
        let next = Mutex(0)
        let group = DispatchGroup()
        let workers = max(1, min(jobs, runs.count))
        let limit = wallLimit, timeLimit = timeLimit
        for _ in 0 ..< workers {
            group.enter()
            let thread = Thread {
                while true {
                    let index: Int? = next.withLock { value in
                        guard value < runs.count else { return nil }
                        defer { value += 1 }
                        return value
                    }
                    guard let index else { break }
                    let run = runs[index]
                    let outcome = child.run(run.arguments(timeLimit: timeLimit), limit: limit, tag: index)
                    let row = BenchRow(run: run, outcome: outcome)
                    log.append(row)
                    progress.finished(row, label: run.label)
                }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        interrupt.cancel()
        return progress.rows
    }
}

/// Done / total, failures, elapsed and estimated time left, one line per
/// finished run on standard error.
final class BenchProgress: Sendable {
    private struct State {
        var done = 0
        var failures = 0
        var rows: [BenchRow] = []
    }

    private let state = Mutex(State())
    private let start = ContinuousClock.now
    let total: Int
    let quiet: Bool

    init(total: Int, quiet: Bool) {
        self.total = total
        self.quiet = quiet
    }

    var rows: [BenchRow] { state.withLock { $0.rows } }

    func finished(_ row: BenchRow, label: String) {
        let line: String = state.withLock { state in
            state.done += 1
            if row.status.isFailure { state.failures += 1 }
            state.rows.append(row)
            let elapsed = start.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let left = Double(total - state.done) * seconds / Double(state.done)
            return "[\(state.done)/\(total)] \(row.status.rawValue) \(label) (\(String(format: "%.1f", row.wallSeconds)) s)"
                + " · \(state.failures) failed · elapsed \(Self.clock(seconds)) · ETA \(Self.clock(left))"
        }
        // write(2), not FileHandle: with SIGPIPE ignored, a closed stderr
        // (`| head`) makes this fail quietly instead of ending the experiment.
        if !quiet { BenchInterrupt.standardError(line + "\n") }
    }

    /// `1h02m`, `3m05s`, `12s`.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 3600 { return String(format: "%dh%02dm", total / 3600, total % 3600 / 60) }
        if total >= 60 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return "\(total)s"
    }
}

/// On SIGINT or SIGTERM (Ctrl-C, `scancel`, `kill`), passes SIGTERM on to
/// the children still running, removes the scratch folder and exits with
/// 128 + the signal: the rows already written stay, and a rerun resumes.
/// Without this, a terminated `stowage bench` would leave its solvers
/// running as orphans for up to their whole time limit.
struct BenchInterrupt {
    /// The process ids of the children being run.
    static let live = Mutex(Set<pid_t>())

    private let sources: [DispatchSourceSignal]

    init(scratch: String) {
        signal(SIGPIPE, SIG_IGN)
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let children = BenchInterrupt.live.withLock { $0 }
                for pid in children { kill(pid, SIGTERM) }
                BenchInterrupt.standardError("stowage bench: interrupted; \(children.count) runs in flight stopped, finished rows kept (rerun to resume)\n")
                try? FileManager.default.removeItem(atPath: scratch)
                _exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// One `write(2)` to standard error; failures (a closed pipe) are ignored.
    static func standardError(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
