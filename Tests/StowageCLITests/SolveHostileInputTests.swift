import Foundation
import InputMutation
import Testing
@testable import StowageCLI

/// `stowage solve` and `stowage convert` on seeded mutations of MPS and LP
/// files (bytes flipped, lines dropped, duplicated or swapped, numbers
/// replaced by huge, tiny, negative, NaN or garbage values, files cut
/// short), with both solvers: every run ends with exit 0, 1 or 2, a failure
/// says so in one line on standard error, nothing crashes, and no file is
/// left behind but a complete output.
@Suite struct SolveHostileInputTests {
    static let sources: [(name: String, text: String)] = {
        let samples = "/usr/share/coin/Data/Sample"
        let files = ["\(samples)/p0033.mps", "\(samples)/exmip1.lp",
                     CommandRunner.root.appendingPathComponent("Examples/mps/alloc12.mps").path]
        return files.compactMap { path in
            (try? String(contentsOfFile: path, encoding: .utf8)).map { (URL(fileURLWithPath: path).lastPathComponent, $0) }
        }
    }()

    static let replacements = ["1e30", "-1e30", "1e300", "-1e300", "1e400", "nan", "NaN", "inf", "-inf", "-7", "0",
                               "1e-300", "garbage", "1e15", "1.0000001e15", "9e99999", "-0", "0x1p3", ""]

    /// A mutant: `text` changed in one to three of the ways above.
    static func mutate(_ text: String, _ rng: inout InputMutator) -> String {
        // Half the mutants get the shared byte-level damage (Tests/Support/InputMutation).
        if rng.below(2) == 0 { return String(decoding: rng.mutate(Array(text.utf8), text: true), as: UTF8.self) }
        var lines = text.components(separatedBy: "\n")
        for _ in 0 ..< Int.random(in: 1 ... 3, using: &rng) where !lines.isEmpty {
            let at = Int.random(in: 0 ..< lines.count, using: &rng)
            switch Int.random(in: 0 ..< 6, using: &rng) {
            case 0:
                var bytes = Array(lines[at].utf8)
                if !bytes.isEmpty { bytes[Int.random(in: 0 ..< bytes.count, using: &rng)] = UInt8.random(in: 0 ... 255, using: &rng) }
                lines[at] = String(decoding: bytes, as: UTF8.self)
            case 1:
                lines.remove(at: at)
            case 2:
                lines.insert(lines[at], at: at)
            case 3:
                lines.swapAt(at, Int.random(in: 0 ..< lines.count, using: &rng))
            case 4:
                var tokens = lines[at].split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                let numeric = tokens.indices.filter { Double(tokens[$0]) != nil }
                if let slot = numeric.randomElement(using: &rng) { tokens[slot] = replacements.randomElement(using: &rng)! }
                lines[at] = tokens.joined(separator: " ")
            default:
                let joined = lines.joined(separator: "\n")
                let cut = Int.random(in: 0 ... joined.utf8.count, using: &rng)
                lines = String(decoding: Array(joined.utf8.prefix(cut)), as: UTF8.self).components(separatedBy: "\n")
            }
        }
        return lines.joined(separator: "\n")
    }

    struct Run: Sendable {
        var label: String
        var outcome: CommandRunner.Outcome
        var output: String?
    }

    @Test func mutatedModelFilesNeverCrashAndFailInOneLine() throws {
        #expect(Self.sources.count == 3)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stowage-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var rng = InputMutator(seed: 13)
        var jobs: [(label: String, path: String, arguments: [String], output: String?)] = []
        // The runs of a case keep their temporary files in its folder (TMPDIR), where
        // anything left but the mutant and a complete output is a leftover.
        for (name, text) in Self.sources {
            for index in 0 ..< 10 {
                let mutant = Self.mutate(text, &rng)
                let caseFolder = folder.appendingPathComponent("\(name)-\(index)")
                try FileManager.default.createDirectory(at: caseFolder, withIntermediateDirectories: true)
                let path = caseFolder.appendingPathComponent(name).path
                try mutant.write(toFile: path, atomically: true, encoding: .utf8)
                for solver in ["cbc", "glpk"] {
                    jobs.append(("\(name) #\(index) \(solver)", path,
                                 ["solve", path, "--solver", solver, "--json", "--quiet", "--time-limit", "10"], nil))
                }
                let converted = caseFolder.appendingPathComponent("converted.lp").path
                jobs.append(("\(name) #\(index) convert", path, ["convert", path, converted], converted))
            }
        }
        let runs = Results<Run>(count: jobs.count)
        let allJobs = jobs
        DispatchQueue.concurrentPerform(iterations: allJobs.count) { i in
            let job = allJobs[i]
            let caseFolder = URL(fileURLWithPath: job.path).deletingLastPathComponent().path
            let outcome = (try? CommandRunner.run(job.arguments, environment: ["TMPDIR": caseFolder]))
                ?? CommandRunner.Outcome(status: -1, stdout: "", stderr: "could not run")
            runs.set(i, Run(label: job.label, outcome: outcome, output: job.output))
        }
        // Once every run of a case has ended (they share its folder, so one
        // run's temporary files are not another's leftovers while it works).
        for path in Set(allJobs.map(\.path)).sorted() {
            let caseFolder = URL(fileURLWithPath: path).deletingLastPathComponent()
            let expected: Set<String> = [URL(fileURLWithPath: path).lastPathComponent, "converted.lp"]
            let files = (try? FileManager.default.contentsOfDirectory(atPath: caseFolder.path)) ?? []
            let left = files.filter { !expected.contains($0) }
            #expect(left.isEmpty, "\(caseFolder.lastPathComponent): left \(left)")
        }
        var reports: [String] = []
        var statuses: [Int32: Int] = [:]
        for run in runs.values.compactMap({ $0 }) {
            let outcome = run.outcome, label = run.label
            statuses[outcome.status, default: 0] += 1
            #expect([0, 1, 2].contains(outcome.status), "\(label): exit \(outcome.status)\n\(outcome.stderr.prefix(600))")
            let errorLines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if outcome.status == 0 {
                #expect(outcome.stderr.isEmpty, "\(label): \(outcome.stderr)")
            } else {
                #expect(errorLines.count == 1 && outcome.stderr.hasPrefix("stowage: "), "\(label): \(outcome.stderr)")
            }
            if let output = run.output {
                // convert: a complete file on success, none on failure.
                let exists = FileManager.default.fileExists(atPath: output)
                #expect(exists == (outcome.status == 0), "\(label): exit \(outcome.status), output \(exists ? "present" : "absent")")
            } else if outcome.status == 2 {
                #expect(outcome.stdout.isEmpty, "\(label): \(outcome.stdout)")
            } else {
                #expect(outcome.stdout.split(separator: "\n").count == 1, "\(label): \(outcome.stdout)")
                reports.append(outcome.stdout)
            }
        }
        // Every object printed validates against the schema.
        try SolveSchemaTests.validate(reports)
        // The mutations reach every outcome.
        #expect(statuses[0, default: 0] > 0 && statuses[2, default: 0] > 0, "\(statuses)")
    }
}

extension InputMutator: RandomNumberGenerator {}

/// Values written from several threads, read once all are done.
final class Results<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Value?]
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Value) { lock.withLock { storage[i] = value } }
    var values: [Value?] { lock.withLock { storage } }
}
