import Foundation
import MILP
import MemoryGraph
import ModelImport
import Scratchpad

/// What each strengthening of the free-schedule ILP is worth: the ILP over
/// every order on the models where the order matters, with all of them and
/// with one switched off at a time (size, CBC seconds, traffic, bound), plus
/// the windows' effect on the model's size. `SCRATCHPAD_LIMIT` sets the
/// seconds per solve (default 60).
enum ScratchpadBenchmarks {
    static func run() {
        let limit = Double(ProcessInfo.processInfo.environment["SCRATCHPAD_LIMIT"] ?? "") ?? 60
        let cases: [(model: String, budget: String)] = [
            ("resnet50", "M_R"), ("resnext50", "M_R"), ("r2plus1d_18", "M_R"), ("vit_b_16", "M_H"),
        ]
        var variants: [(String, FreeScheduleFormulation)] = [("all", FreeScheduleFormulation())]
        var variant = FreeScheduleFormulation()
        variant.warmStart = false
        variants.append(("no warm start", variant))
        variant = FreeScheduleFormulation()
        variant.residencyBetweenUses = false
        variants.append(("residency anywhere", variant))
        variant = FreeScheduleFormulation()
        variant.aggregatedNeeds = false
        variants.append(("a row per user", variant))
        variant = FreeScheduleFormulation()
        variant.windows = false
        variants.append(("no windows", variant))
        print("model        budget  variant              variables     rows   seconds    traffic      bound  scope")
        for (name, budget) in cases {
            let path = "Models/onnx/\(name).onnx"
            guard case .graph(let imported)? = try? ModelFile.load(path),
                  let graph = try? imported.resizingFloatingPoint(toBytes: 1) else {
                print("\(path): not readable (run from the repository root)")
                continue
            }
            let probe = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 0)
            let problem = probe.with(capacity: ScratchpadBudgets(probe).named(budget)!)
            for (label, formulation) in variants {
                var planner = FreeSchedulePlanner(solver: CBCSolver(), options: SolveOptions(timeLimit: limit))
                planner.formulation = formulation
                if !formulation.windows {
                    // Too large to solve (ResNet-50: no answer in 13 minutes);
                    // built only, to show the size windows save.
                    guard graph.operators.count <= 200 else { continue }
                    let start = ContinuousClock.now
                    let size = planner.wholeModelSize(problem)
                    let built = ContinuousClock.now - start
                    print("\(name.padding(toLength: 12, withPad: " ", startingAt: 0))  \(budget.padding(toLength: 6, withPad: " ", startingAt: 0))  "
                        + "\(label.padding(toLength: 19, withPad: " ", startingAt: 0))  \(String(format: "%10d", size.variables))  \(String(format: "%8d", size.rows))"
                        + "  not solved: \(size.nonzeros) nonzeros, built in \(built)")
                    continue
                }
                planner.wholeGraphPairs = .max
                guard let outcome = try? planner.plan(problem) else {
                    print("\(name) \(budget) \(label): failed")
                    continue
                }
                let line = [
                    name.padding(toLength: 12, withPad: " ", startingAt: 0), budget.padding(toLength: 6, withPad: " ", startingAt: 0),
                    label.padding(toLength: 19, withPad: " ", startingAt: 0),
                    String(format: "%10d", outcome.wholeVariables ?? 0), String(format: "%8d", outcome.wholeRows ?? 0),
                    String(format: "%9.2f", outcome.wholeSeconds ?? 0),
                    String(format: "%10d", outcome.plan.metrics.nonCompulsoryBytes), String(format: "%10.0f", outcome.bound),
                    outcome.boundCoversAllOrders ? "all" : "order",
                ]
                print(line.joined(separator: "  "))
            }
        }
    }
}
