import Foundation
import Testing
@testable import MILP

/// Solver output never lands on the host's standard output: a host thread
/// prints numbered lines while CBC and GLPK solve with their log and
/// progress reports on (MILPStdoutProbe, run as a child process so that its
/// stdout can be read whole).
@Suite struct StandardOutputTests {
    @Test func aHostsOwnLinesAllArriveAndNothingElse() throws {
        let probe = try #require(Self.product("MILPStdoutProbe"), "MILPStdoutProbe is built beside the tests")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stowage-stdout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A hard MIP (time limit, incumbents, progress), an infeasible one
        // and an unbounded one (probes, CBC's other exits).
        var infeasible = Model(name: "infeasible")
        let a = infeasible.addInteger(lower: 0, upper: 10)
        let b = infeasible.addInteger(lower: 0, upper: 10)
        infeasible.add(2 * a + 2 * b == 3)
        infeasible.minimize(a + b)
        var unbounded = Model(name: "unbounded")
        let x = unbounded.addInteger(lower: 0)
        let y = unbounded.addVariable(lower: 0)
        unbounded.add(x - y <= 1)
        unbounded.maximize(x + y)
        var paths: [String] = []
        for model in [HardInstances.marketSplit(rows: 4, columns: 36, seed: 7), infeasible, unbounded] {
            let path = folder.appendingPathComponent("\(model.name).mps").path
            try model.write(to: path, format: .mps)
            paths.append(path)
        }

        let process = Process()
        process.executableURL = probe
        process.arguments = ["1.0"] + paths
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errReader = PipeText(err)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let stderr = errReader.text()
        #expect(process.terminationStatus == 0, "\(stderr)")

        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let total = try #require(lines.last.flatMap { $0.hasPrefix("host end ") ? Int($0.dropFirst(9)) : nil },
                                 "the probe finished: \(lines.suffix(3))")
        #expect(lines.count == total + 1, "\(lines.count - 1) lines besides the end line, \(total) printed")
        let expected = (1 ... total).map { "host \($0)" }
        let firstStray = zip(lines, expected).first { $0 != $1 }
        #expect(firstStray == nil, "stdout holds \(String(describing: firstStray)) where a host line belongs")
        #expect(lines.dropLast().allSatisfy { $0.hasPrefix("host ") }, "solver output on stdout")

        // The solvers did run, with their log and progress on standard error.
        let during = stderr.split(separator: "\n").first { $0.hasPrefix("during-solves ") }.flatMap { Int($0.dropFirst(14)) }
        #expect((during ?? 0) > 100, "the host printed while the solvers ran: \(during ?? 0) lines")
        #expect(stderr.contains("Cbc0"), "CBC's log arrives through its message handler")
        #expect(stderr.contains("progress "), "progress reports work")
        #expect(stderr.contains("result cbc market-split-4x36 feasible") || stderr.contains("result cbc market-split-4x36 optimal"))
        #expect(stderr.contains("result cbc infeasible infeasible") && stderr.contains("result glpk infeasible infeasible"))
        #expect(stderr.contains("result cbc unbounded unbounded") && stderr.contains("result glpk unbounded unbounded"))
    }

    /// A build product beside the test bundle (both live in the products folder).
    static func product(_ name: String) -> URL? {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0 ..< 4 {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        return nil
    }
}

/// Reads a pipe to its end on another thread, so that neither pipe of a
/// child process fills up while the other is read.
final class PipeText: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ pipe: Pipe) {
        Thread.detachNewThread { [self] in
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
