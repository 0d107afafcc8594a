// A Swift program that builds a graph in code and plans it through
// StowageKit, the facade for Swift callers.
//
//     swift run PlanGraphExample          # from the repository root
//
// The graph is a small U-Net-like encoder/decoder: each decoder level reads
// the encoder output of the same level (a skip connection), so at a
// scratchpad smaller than M_P those outputs must wait somewhere. The
// program plans it with the Belady baseline and with the ILP, prints one
// line per plan, the first steps of the ILP plan, and exits 1 if anything
// is off (the ILP worse than Belady, or an error).

import Foundation
import StowageKit

let kib = 1 << 10

var builder = GraphBuilder(name: "unet_tiny")
var x = builder.input("image", .float16, shape: [1, 8, 64, 64])  // 64 KiB
var skips: [GraphBuilder.TensorID] = []
for level in 1 ... 3 {
    let w = builder.weight("enc\(level).w", bytes: 16 * kib)
    x = builder.op("enc\(level)", type: "Conv", inputs: [x, w], output: "e\(level)", bytes: 64 * kib)
    skips.append(x)
}
for level in (1 ... 3).reversed() {
    let w = builder.weight("dec\(level).w", bytes: 16 * kib)
    x = builder.op("dec\(level)", type: "Conv", inputs: [x, skips[level - 1], w], output: "d\(level)", bytes: 64 * kib)
}
builder.markOutput(x)

do {
    let graph = try builder.build()
    let budgets = try Planner().budgets(for: graph)
    print("\(graph.name): \(graph.operators.count) operators, M_R \(budgets.minimum) B, M_H \(budgets.half) B, M_P \(budgets.noSpill) B")

    let baseline = try Planner().plan(graph, capacity: .half)
    let ilp = try Planner(options: PlanningOptions(method: .ilp, solver: .glpk, timeLimit: 30, alignment: 64))
        .plan(graph, capacity: .half)
    for result in [baseline, ilp] {
        let optimal = result.isOptimal.map { $0 ? "optimal" : "gap to bound" } ?? "no bound"
        print("\(result.plan.method): nonCompulsoryBytes=\(result.nonCompulsoryBytes) (\(optimal)), \(result.stepsVerified) steps verified")
    }
    for (s, step) in ilp.plan.steps.prefix(3).enumerated() {
        let actions = step.before.map { "\($0.kind.rawValue) \(graph.tensors[$0.tensor].name)" }
        print("step \(s) \(graph.operators[step.op].name): \(actions.joined(separator: ", "))")
    }
    guard ilp.nonCompulsoryBytes <= baseline.nonCompulsoryBytes else {
        print("FAILED: the ILP moved more than Belady")
        exit(1)
    }
    print("ok")
} catch {
    print("FAILED: \(error)")
    exit(1)
}
