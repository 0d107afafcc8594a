import Foundation
import MILP
import MemoryGraph
import ModelImport
import Plan
import Scratchpad
import Verifier

/// The free-schedule planner on the six vision graphs of Models/vision
/// (issue 15) at M_R and M_H, 1-byte elements, CBC: per graph and budget,
/// the decomposition (segments, those with a free order, the largest
/// segment's every-order ILP), the bound each method contributed, the
/// traffic against Belady and the file order's optimum, and the time until
/// the bound met the traffic. `SCRATCHPAD_LIMIT` sets the seconds per run
/// (default 60); `SCRATCHPAD_MODELS` a comma-separated subset.
enum ScratchpadVisionBenchmarks {
    static let models = ["densenet201", "efficientnet_b0", "googlenet", "convnext_tiny", "squeezenet1_1", "swin_t"]

    static func run() {
        let environment = ProcessInfo.processInfo.environment
        let limit = Double(environment["SCRATCHPAD_LIMIT"] ?? "") ?? 60
        let names = environment["SCRATCHPAD_MODELS"].map { $0.split(separator: ",").map(String.init) } ?? models
        var rows: [[String]] = [["model", "budget", "ops", "segments (free)", "largest segment: ops, pairs, vars x rows",
                                 "bound by method", "belady", "file order", "traffic", "bound", "scope", "certified after", "wall"]]
        var certified = 0, runs = 0
        for name in names {
            let path = "Models/vision/\(name).onnx"
            guard case .graph(let imported)? = try? ModelFile.load(path),
                  let graph = try? imported.resizingFloatingPoint(toBytes: 1) else {
                print("\(path): not readable (run from the repository root)")
                continue
            }
            let probe = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 0)
            for budget in ["M_R", "M_H"] {
                let problem = probe.with(capacity: ScratchpadBudgets(probe).named(budget)!)
                let deadline = Deadline(seconds: limit)
                let planner = FreeSchedulePlanner(solver: CBCSolver(), options: SolveOptions())
                let outcome: FreeSchedulePlanner.Outcome
                do {
                    outcome = try planner.plan(problem, deadline: deadline)
                } catch {
                    rows.append([name, budget, "\(graph.operators.count)", "failed: \(error)"])
                    continue
                }
                let wall = deadline.elapsed
                let verified = Verifier.verify(outcome.plan, against: graph).passed
                let traffic = outcome.plan.metrics.nonCompulsoryBytes
                runs += 1
                let isCertified = outcome.boundCoversAllOrders && outcome.bound >= Double(traffic)
                if isCertified { certified += 1 }
                let largest = outcome.largestSegment
                let methods = outcome.boundByMethod.sorted { $0.key < $1.key }
                    .map { "\($0.key) \($0.value) B (\(outcome.segmentsByMethod[$0.key] ?? 0))" }.joined(separator: "; ")
                rows.append([
                    name, budget, "\(graph.operators.count)", "\(outcome.segments) (\(outcome.freeSegments))",
                    largest.operators == 0 ? "-" : "\(largest.operators), \(largest.pairs), \(largest.variables) x \(largest.rows)",
                    methods.isEmpty ? "-" : methods, outcome.baselineTraffic.map(String.init) ?? "-", "\(outcome.fileOrderTraffic)",
                    "\(traffic)" + (verified ? "" : " NOT VERIFIED"), String(format: "%.0f", outcome.bound),
                    outcome.boundCoversAllOrders ? "all orders" : "order",
                    outcome.certifiedAfter.map { String(format: "%.2f s", $0) } ?? String(format: "gap %.4f%%", relativeGap(Double(traffic), outcome.bound) * 100),
                    String(format: "%.1f s", wall),
                ])
                FileHandle.standardOutput.write(Data((rows.last!.joined(separator: "  ") + "\n").utf8))  // unbuffered
            }
        }
        print(align(rows))
        print("\(certified) of \(runs) runs certified over every order (limit \(limit) s, CBC)")
    }

    static func align(_ rows: [[String]]) -> String {
        let widths = (0 ..< (rows.map(\.count).max() ?? 0)).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
