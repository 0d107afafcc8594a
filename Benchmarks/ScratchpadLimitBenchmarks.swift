import Foundation
import MILP
import MemoryGraph
import ModelImport
import Plan
import Scratchpad
import Verifier

/// Wall time against the time limit for the scratchpad planners, with every
/// core kept busy by spinning processes (issue 13): what `stowage plan`
/// does between its start and its output (import, planning, verification,
/// the plan's JSON), under one `Deadline` made before the import. Cases: a
/// 612-operator DenseNet at M_H with the fixed-order ILP (60 s), a
/// 2,000-operator chain with skip connections at M_H (fixed-order ILP and
/// the baseline, 5 s), and a 100,000-operator one with the order free
/// (5 s). Prints the wall time, the limit, the answer and its gap, and the
/// process's peak resident memory after each case (cases run smallest
/// first, so growth belongs to the case that caused it).
enum ScratchpadLimitBenchmarks {
    enum Planner { case baseline, fixed, free }

    static func run() {
        let busy = (0 ..< ProcessInfo.processInfo.activeProcessorCount).compactMap { _ -> Process? in
            let spin = Process()
            spin.executableURL = URL(fileURLWithPath: "/bin/sh")
            spin.arguments = ["-c", "while :; do :; done"]
            return (try? spin.run()).map { spin }
        }
        defer {
            for process in busy { process.terminate() }
            for process in busy { process.waitUntilExit() }
        }
        print("\(busy.count) busy processes on \(ProcessInfo.processInfo.activeProcessorCount) cores")
        var rows: [[String]] = [["case", "planner", "limit", "wall", "wall / limit", "traffic", "bound", "gap", "peak RSS"]]
        let cases: [(name: String, planner: Planner, limit: Double, graph: () throws -> Graph)] = [
            ("chain, 2,000 operators, M_H", .baseline, 5, { try chain(operators: 2000, seed: 1) }),
            ("chain, 2,000 operators, M_H", .fixed, 5, { try chain(operators: 2000, seed: 1) }),
            ("densenet201 (612 operators), M_H", .fixed, 60, { try onnx("Models/vision/densenet201.onnx") }),
            ("chain, 100,000 operators, M_H", .free, 5, { try chain(operators: 100_000, seed: 2) }),
        ]
        for item in cases {
            let deadline = Deadline(seconds: item.limit)
            var row = [item.name, "\(item.planner)", String(format: "%.0f s", item.limit)]
            do {
                let graph = try item.graph()
                let probe = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 0)
                let problem = probe.with(capacity: ScratchpadBudgets(probe).half)
                let plan: Plan
                switch item.planner {
                case .baseline:
                    plan = try BaselinePlanner().plan(problem, deadline: deadline)
                case .fixed:
                    plan = try ILPPlanner().plan(problem, deadline: deadline).plan
                case .free:
                    plan = try FreeSchedulePlanner().plan(problem, deadline: deadline).plan
                }
                let verified = Verifier.verify(plan, against: graph).passed
                let json = try JSONEncoder().encode(plan)
                let wall = deadline.elapsed
                let traffic = plan.metrics.nonCompulsoryBytes
                row += [String(format: "%.2f s", wall), String(format: "%.2f", wall / item.limit),
                        "\(traffic)" + (verified ? "" : " NOT VERIFIED") + (json.isEmpty ? " (no JSON)" : ""),
                        plan.metrics.bound.map { String(format: "%.0f", $0) } ?? "-",
                        plan.metrics.bound.map { String(format: "%.4f%%", relativeGap(Double(traffic), $0) * 100) } ?? "-"]
            } catch {
                row += [String(format: "%.2f s", deadline.elapsed), String(format: "%.2f", deadline.elapsed / item.limit),
                        "no plan: \(error)", "-", "-"]
            }
            row.append(peakResidentMemory())
            rows.append(row)
            FileHandle.standardOutput.write(Data((row.joined(separator: "  ") + "\n").utf8))  // unbuffered
        }
        print(ScratchpadVisionBenchmarks.align(rows))
    }

    static func onnx(_ path: String) throws -> Graph {
        guard case .graph(let graph) = try ModelFile.load(path) else { throw CocoaError(.fileReadCorruptFile) }
        return try graph.resizingFloatingPoint(toBytes: 1)
    }

    /// A chain of `operators` steps, each reading the previous output, the
    /// output from three steps back and a weight of its own; activations
    /// of 4, 8, 16, 32 or 64 KiB, weights from 64 B to 4 KiB (seeded), so
    /// that replacement has choices and addresses can fragment.
    static func chain(operators: Int, seed: UInt64) throws -> Graph {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: (state >> 33) % 1024)
        }
        func activation() -> Int { 4096 << (next() % 5) }
        var tensors: [Tensor] = [Tensor(name: "x", kind: .input, bytes: activation())]
        var ops: [Operator] = []
        var outputs: [Int] = [0]
        for i in 1 ... operators {
            let weight = tensors.count
            tensors.append(Tensor(name: "w\(i)", kind: .weight, bytes: 64 * (next() % 64 + 1)))
            let output = tensors.count
            tensors.append(Tensor(name: "t\(i)", kind: .activation, bytes: activation()))
            var inputs = [outputs[i - 1], weight]
            if i >= 3 { inputs.append(outputs[i - 3]) }
            ops.append(Operator(name: "op\(i)", type: "Op", inputs: inputs, outputs: [output]))
            outputs.append(output)
        }
        return try Graph(name: "chain-\(operators)", tensors: tensors, operators: ops, outputs: [outputs[operators]])
    }

    static func peakResidentMemory() -> String {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)  // ru_maxrss in KiB
        return String(format: "%.0f MB", Double(usage.ru_maxrss) / 1024)
        #else
        getrusage(RUSAGE_SELF, &usage)  // ru_maxrss in bytes
        return String(format: "%.0f MB", Double(usage.ru_maxrss) / 1_048_576)
        #endif
    }
}
