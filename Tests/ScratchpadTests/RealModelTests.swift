import Foundation
import MemoryGraph
import ModelImport
import Plan
import Testing
@testable import Scratchpad
import Verifier

/// Every model in Models/onnx at M_R, M_H and M_P with 1-byte elements (the
/// 8-bit accelerators of the spec's evaluation).
@Suite struct RealModelTests {
    static let models = ["resnet50", "resnext50", "mobilenet_v2", "vgg16", "vit_b_16", "fcn_resnet50",
                         "deeplabv3_resnet50", "lraspp_mobilenet_v3", "r2plus1d_18", "bert_base", "gpt2"]

    static func graph(_ name: String) throws -> Graph {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard case .graph(let graph) = try ModelFile.load(root.appendingPathComponent("Models/onnx/\(name).onnx").path) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return try graph.resizingFloatingPoint(toBytes: 1)
    }

    @Test(arguments: models)
    func ilpIsNeverWorseThanBeladyAndReachesItsBound(_ name: String) throws {
        let graph = try Self.graph(name)
        let schedule = Schedule.default(for: graph)
        let budgets = ScratchpadBudgets(ScratchpadProblem(graph: graph, schedule: schedule, capacity: 0))
        for capacity in [budgets.minimum, budgets.half, budgets.noSpill] {
            let problem = ScratchpadProblem(graph: graph, schedule: schedule, capacity: capacity)
            let outcome = try ILPPlanner().plan(problem)
            let report = Verifier.verify(outcome.plan, against: graph)
            #expect(report.passed, "\(name) at \(capacity): \(report.failure?.description ?? "")")
            for policy in ReplacementPolicy.allCases {
                let baseline = try BaselinePlanner(policy: policy).plan(problem)
                let replay = Verifier.verify(baseline, against: graph)
                #expect(replay.passed, "\(name) \(policy) at \(capacity): \(replay.failure?.description ?? "")")
            }
            let traffic = outcome.plan.metrics.nonCompulsoryBytes
            #expect(Double(traffic) >= outcome.bound - 0.5, "\(name) at \(capacity)")
            if let baseline = outcome.baselineTraffic { #expect(traffic <= baseline, "\(name) at \(capacity)") }
            #expect(outcome.plan.metrics.heights["scratchpad"]! <= capacity)
            if capacity == budgets.noSpill { #expect(outcome.bound == 0, "\(name): no spill is needed at M_P") }
        }
    }
}
