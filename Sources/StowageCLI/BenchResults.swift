import Foundation
import OutputFiles
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One finished run: its inputs, how it ended, and what it measured. A row
/// is one line of PREFIX.jsonl and of PREFIX.csv. Fields a run did not
/// produce are absent from the JSON and empty in the CSV.
struct BenchRow: Codable, Equatable, Sendable {
    enum Status: String, Codable, Sendable {
        /// A plan (or an offload policy) was found.
        case ok
        /// The tool answered "no plan" (exit 1): too small a budget, no
        /// solution within the limit, or a model that does not fit.
        case infeasible
        /// Bad input (exit 2) or output that could not be read.
        case failed
        /// Terminated after exceeding the per-run wall limit.
        case timeout
        /// Killed by a signal it did not get from `stowage bench`.
        case crashed

        /// Did the run end without an answer for a reason outside the model?
        var isFailure: Bool { self == .failed || self == .timeout || self == .crashed }
    }

    var key: String
    var kind: String
    var model: String
    var budget: String?
    var method: String
    var solver: String?
    var dtypeBytes: Int?
    var hardware: String?
    var gpuMem: String?
    var cpuMem: String?
    var disk: String?
    var prompt: Int?
    var gen: Int?
    var repeatIndex: Int

    var status: Status
    var exitCode: Int32?
    var signal: Int32?
    var message: String?

    var capacity: Int?
    var nonCompulsoryBytes: Int?
    var compulsoryBytes: Int?
    var peakBytes: Int?
    var bound: Double?
    /// "order" or "all-orders": which plans the bound covers.
    var boundScope: String?
    var gap: Double?
    var optimal: Bool?
    /// Schedule runs: the arena of the chosen order, its bound over every
    /// order, and the given order packed by the offset allocator.
    var height: Int?
    var lowerBound: Int?
    var fileOrderPeak: Int?
    var fileOrderHeight: Int?
    var throughput: Double?
    var gbs: Int?
    var nb: Int?

    /// Seconds the child reported for its own solve.
    var solveSeconds: Double?
    /// Seconds from spawning the child to reaping it.
    var wallSeconds: Double
    /// The child's peak resident set (`wait4`'s `ru_maxrss`, per child).
    var maxRSSBytes: Int?
    var version: String
    var timestamp: String

    init(run: BenchRun, status: Status, wallSeconds: Double) {
        key = run.key
        kind = run.kind.rawValue
        model = run.model
        budget = run.budget
        method = run.method
        solver = run.solver
        dtypeBytes = run.dtypeBytes
        hardware = run.hardware
        gpuMem = run.gpuMem
        cpuMem = run.cpuMem
        disk = run.disk
        prompt = run.prompt
        gen = run.gen
        repeatIndex = run.repeatIndex
        self.status = status
        self.wallSeconds = wallSeconds
        version = StowageVersion.current
        timestamp = ISO8601DateFormatter().string(from: Date())
    }

    /// The CSV columns, in order.
    static let columns = [
        "key", "kind", "model", "budget", "method", "solver", "dtypeBytes", "hardware", "gpuMem", "cpuMem", "disk", "prompt", "gen",
        "repeatIndex", "status", "exitCode", "signal", "capacity", "nonCompulsoryBytes", "compulsoryBytes", "peakBytes", "bound", "boundScope", "gap",
        "optimal", "height", "lowerBound", "fileOrderPeak", "fileOrderHeight", "throughput", "gbs", "nb", "solveSeconds", "wallSeconds", "maxRSSBytes", "version", "timestamp", "message",
    ]

    var csvFields: [String] {
        func text(_ value: CustomStringConvertible?) -> String { value.map(\.description) ?? "" }
        return [
            key, kind, model, text(budget), method, text(solver), text(dtypeBytes), text(hardware), text(gpuMem), text(cpuMem), text(disk),
            text(prompt), text(gen), text(repeatIndex), status.rawValue, text(exitCode), text(signal), text(capacity),
            text(nonCompulsoryBytes), text(compulsoryBytes), text(peakBytes), text(bound), text(boundScope), text(gap), text(optimal),
            text(height), text(lowerBound), text(fileOrderPeak), text(fileOrderHeight), text(throughput),
            text(gbs), text(nb), text(solveSeconds), text(wallSeconds), text(maxRSSBytes), version, timestamp, text(message),
        ]
    }

    var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Reading, writing and combining result files.
enum BenchResults {
    /// `PREFIX` or `PREFIX.jsonl` → `PREFIX`.
    static func prefix(of path: String) -> String {
        path.hasSuffix(".jsonl") ? String(path.dropLast(6)) : path
    }

    /// The rows of a JSONL file, in file order. A line that does not parse
    /// (the half-written last line of an interrupted run) is skipped, and
    /// counted, so the rerun repeats that run.
    static func load(_ path: String) throws -> (rows: [BenchRow], skipped: Int) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], 0) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure.badInput("\(path): cannot read the results file")
        }
        let decoder = JSONDecoder()
        var rows: [BenchRow] = []
        var skipped = 0
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
            if let row = try? decoder.decode(BenchRow.self, from: Data(line)) { rows.append(row) } else { skipped += 1 }
        }
        return (rows, skipped)
    }

    /// One row per key: the last one, except that an answer (ok, infeasible)
    /// is never replaced by a failure. Sorted by key.
    static func deduplicate(_ rows: [BenchRow]) -> [BenchRow] {
        var byKey: [String: BenchRow] = [:]
        for row in rows {
            if let kept = byKey[row.key], !kept.status.isFailure, row.status.isFailure { continue }
            byKey[row.key] = row
        }
        return byKey.values.sorted { $0.key < $1.key }
    }

    static func csv(_ rows: [BenchRow]) -> String {
        func quoted(_ field: String) -> String {
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var text = BenchRow.columns.joined(separator: ",") + "\n"
        for row in rows { text += row.csvFields.map(quoted).joined(separator: ",") + "\n" }
        return text
    }

    /// Writes PREFIX.jsonl (deduplicated) and PREFIX.csv.
    static func write(_ rows: [BenchRow], prefix: String, jsonl: Bool) throws {
        do {
            if jsonl {
                let lines = rows.map(\.jsonLine).joined(separator: "\n") + (rows.isEmpty ? "" : "\n")
                try OutputFile.write(lines, to: prefix + ".jsonl")
            }
            try OutputFile.write(csv(rows), to: prefix + ".csv")
        } catch {
            throw CommandFailure.badInput("cannot write results: \(error)")
        }
    }
}

/// PREFIX.jsonl opened for appending: each finished run's row is written
/// with one `write(2)` as soon as it arrives, so an interrupt loses at most
/// the runs in flight. Shared by the worker threads behind a mutex.
final class BenchLog: Sendable {
    private let descriptor: Mutex<Int32>
    let path: String

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw CommandFailure.badInput("\(path): cannot open for appending (\(String(cString: strerror(errno))))") }
        // An interrupted run may have left a last line without its newline;
        // start on a fresh line so the next row stays readable.
        if let data = FileManager.default.contents(atPath: path), let last = data.last, last != UInt8(ascii: "\n") {
            _ = "\n".withCString { write(fd, $0, 1) }
        }
        descriptor = Mutex(fd)
    }

    func append(_ row: BenchRow) {
        let line = Array((row.jsonLine + "\n").utf8)
        descriptor.withLock { fd in
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 { if errno == EINTR { continue } else { break } }
                    offset += written
                }
            }
        }
    }

    deinit {
        descriptor.withLock { fd in _ = close(fd) }
    }
}
