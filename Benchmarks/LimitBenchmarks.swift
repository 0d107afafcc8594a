import Foundation
import Synchronization

/// `swift run -c release Benchmarks limits`: wall time against `--time-limit`
/// for whole `stowage` commands, with every core kept busy by spinning
/// threads, on the cases where limits used to be overrun (a 2,000-operator
/// chain through the fixed-order ILP, a 100k-operator chain through the
/// free schedule, large allocation traces, a DenseNet-style ONNX graph when
/// Models/ has one). A command passes when it ends within the limit plus
/// max(2 s, 10 %) with exit 0 or 1.
///
/// Needs the release `stowage` beside this executable:
/// `swift build -c release --product stowage` first.
enum LimitBenchmarks {
    struct Case {
        var name: String
        var arguments: [String]
        var limit: Double
    }

    static func run() {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let stowage = folder.appendingPathComponent("stowage").path
        guard FileManager.default.isExecutableFile(atPath: stowage) else {
            print("no stowage at \(stowage): run `swift build -c release --product stowage` first")
            return
        }
        let scratch = NSTemporaryDirectory() + "stowage-limits-\(getpid())"
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        var cases: [Case] = []
        let chain2k = "\(scratch)/chain-2000.json", chain100k = "\(scratch)/chain-100000.json"
        write(chainGraph(operators: 2_000, seed: 1), to: chain2k)
        write(chainGraph(operators: 100_000, seed: 2), to: chain100k)
        cases.append(Case(name: "plan ilp, 2,000-op chain", arguments: ["plan", chain2k, "--scratchpad", "M_H", "--method", "ilp", "--time-limit", "5", "--quiet"], limit: 5))
        cases.append(Case(name: "plan ilp free, 100k-op chain", arguments: ["plan", chain100k, "--scratchpad", "M_H", "--method", "ilp", "--schedule", "free", "--time-limit", "5", "--quiet"], limit: 5))
        for (buffers, limit) in [(62_185, 10.0), (200_000, 3.0)] {
            let csv = "\(scratch)/trace-\(buffers).csv"
            write(trace(buffers: buffers, seed: UInt64(buffers)), to: csv)
            cases.append(Case(name: "alloc, \(buffers) buffers", arguments: ["alloc", csv, "--time-limit", String(limit), "--json"], limit: limit))
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        for (model, folder) in [("densenet201", "vision"), ("vit_b_16", "onnx")] {
            let path = root.appendingPathComponent("Models/\(folder)/\(model).onnx").path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            cases.append(Case(name: "plan ilp, \(model) M_H", arguments: ["plan", path, "--scratchpad", "M_H", "--dtype-bytes", "1", "--method", "ilp", "--time-limit", "60", "--quiet"], limit: 60))
            cases.append(Case(name: "plan ilp free, \(model) M_R", arguments: ["plan", path, "--scratchpad", "M_R", "--dtype-bytes", "1", "--method", "ilp", "--schedule", "free", "--time-limit", "20", "--quiet"], limit: 20))
        }

        let load = CoreLoad(threads: ProcessInfo.processInfo.activeProcessorCount)
        print("every core busy with \(load.threads) spinning threads; pass = exit 0/1 within limit + max(2 s, 10 %)")
        print("case                                   limit     wall   over   exit  verdict")
        for c in cases {
            let (status, wall) = runTimed(stowage, c.arguments)
            let allowed = c.limit + max(2, 0.1 * c.limit)
            let verdict = wall <= allowed && (status == 0 || status == 1) ? "pass" : "FAIL"
            print(c.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                  + String(format: " %6.1f s %7.1f s %5.2f× %5d  %@", c.limit, wall, wall / c.limit, status, verdict))
        }
        load.stop()
    }

    /// Busy threads on every core, until stopped.
    final class CoreLoad: Sendable {
        let threads: Int
        private let running = Atomic<Bool>(true)

        init(threads: Int) {
            self.threads = threads
            for _ in 0 ..< threads {
                Thread { [self] in
                    var x: UInt64 = 1
                    while running.load(ordering: .relaxed) {
                        for _ in 0 ..< 100_000 { x = x &* 6364136223846793005 &+ 1442695040888963407 }
                    }
                    if x == 42 { print("") }
                }.start()
            }
        }

        func stop() { running.store(false, ordering: .relaxed) }
    }

    static func runTimed(_ executable: String, _ arguments: [String]) -> (status: Int32, seconds: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = ContinuousClock.now
        do { try process.run() } catch { return (-1, 0) }
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        return (process.terminationStatus, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    static func write(_ text: String, to path: String) {
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A chain of operators, each reading the previous activation, its own
    /// weight and (every few steps) an activation from further back, so that
    /// replacement has real choices. Sizes vary with a seeded generator.
    static func chainGraph(operators n: Int, seed: UInt64) -> String {
        var rng = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next(_ range: ClosedRange<Int>) -> Int {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            return range.lowerBound + Int(rng % UInt64(range.count))
        }
        var tensors = [#"{"name": "x", "kind": "input", "bytes": 4096}"#]
        var operators: [String] = []
        for i in 0 ..< n {
            tensors.append(#"{"name": "w\#(i)", "kind": "weight", "bytes": \#(next(1 ... 8) * 1024)}"#)
            tensors.append(#"{"name": "a\#(i)", "bytes": \#(next(1 ... 16) * 1024)}"#)
            var inputs = [i == 0 ? "x" : "a\(i - 1)", "w\(i)"]
            if i >= 4, i % 3 == 0 { inputs.append("a\(i - next(2 ... 4))") }
            operators.append(#"{"name": "op\#(i)", "type": "Conv", "inputs": [\#(inputs.map { "\"\($0)\"" }.joined(separator: ", "))], "outputs": ["a\#(i)"]}"#)
        }
        return #"{"format": "stowage-graph", "version": 1, "name": "chain-\#(n)", "tensors": [\#(tensors.joined(separator: ",\n"))], "operators": [\#(operators.joined(separator: ",\n"))], "outputs": ["a\#(n - 1)"]}"#
    }

    /// A buffer trace like a training program's: many short lifetimes with a
    /// long tail, few distinct sizes. CSV `id,lower,upper,size`.
    static func trace(buffers: Int, seed: UInt64) -> String {
        var rng = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next(_ n: Int) -> Int {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            return Int(rng % UInt64(n))
        }
        let sizes = (0 ..< 40).map { _ in (1 + next(64)) << (10 + next(12)) }
        let horizon = buffers
        var lines = ["id,lower,upper,size"]
        lines.reserveCapacity(buffers + 1)
        for i in 0 ..< buffers {
            let lower = next(horizon)
            let length = next(10) == 0 ? 1 + next(horizon / 4) : 1 + next(6)
            lines.append("\(i),\(lower),\(min(horizon + 1, lower + length)),\(sizes[next(sizes.count)])")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
