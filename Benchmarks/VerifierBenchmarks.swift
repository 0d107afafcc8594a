import Foundation
import MemoryGraph
import ModelImport
import Plan
import Verifier

/// Verification costs (issue 5's acceptance figures): symbolic replay of a
/// synthetic plan with 60,000 tensors (under a second), the same plan with
/// tensors a million times larger (arenas of hundreds of gigabytes: the
/// symbolic cost must not change), and a ResNet-50 plan (milliseconds);
/// JSON decoding of each plan; real-memory replay of the ResNet-50 plan.
///
/// The plans come from a small planner here (load what an operator reads,
/// first-fit outputs, free after the last use, spill every eighth step),
/// so the suite depends on no planner module.
enum VerifierBenchmarks {
    /// Where the repository is, to find Models/ from a benchmark run anywhere.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path

    static func run() {
        let blocks = 15_000
        guard let synthetic = try? syntheticGraph(blocks: blocks, scale: 1),
              let huge = try? syntheticGraph(blocks: blocks, scale: 1 << 24) else {
            print("the synthetic graphs did not build")
            return
        }
        measure("synthetic", synthetic, realMemory: false)
        measure("synthetic, sizes ×2^24", huge, realMemory: false)
        let resnet = repositoryRoot + "/Models/onnx/resnet50.onnx"
        if case .graph(let graph)? = try? ModelFile.load(resnet) {
            measure("resnet50", graph, realMemory: true)
        } else {
            print("\(resnet) did not load; skipping ResNet-50")
        }
    }

    static func measure(_ name: String, _ graph: Graph, realMemory: Bool) {
        var plan = simplePlan(graph)
        plan.metrics = Verifier.verify(plan, against: graph).metrics
        let first = Verifier.verify(plan, against: graph)
        guard first.passed else {
            print("\(name): the benchmark plan does not verify: \(first.failure?.description ?? "")")
            return
        }
        let actions = plan.steps.reduce(0) { $0 + $1.before.count + $1.after.count }
        let height = plan.metrics.heights["scratchpad"] ?? 0
        print("\(name): \(graph.tensors.count) tensors, \(plan.steps.count) steps, \(actions) actions, scratchpad height \(height) B")
        let symbolic = bestTime { _ = Verifier.verify(plan, against: graph) }
        print("  verify, symbolic                               \(formatSeconds(symbolic))")
        let json = PlanCodec.encode(plan)
        let decode = bestTime { _ = try? PlanCodec.decode(json) }
        print("  decode plan JSON (\(json.count / 1024) KiB)                   \(formatSeconds(decode))")
        // What the decoding time is made of: PlanCodec parses twice (a
        // version probe, then the plan), and JSONSerialization alone is the
        // floor for any Foundation-based reader.
        struct VersionOnly: Decodable { var version: Int? }
        let probe = bestTime(repeats: 1) { _ = try? JSONDecoder().decode(VersionOnly.self, from: json) }
        let parse = bestTime(repeats: 1) { _ = try? JSONSerialization.jsonObject(with: json) }
        print("    of which the version probe                   \(formatSeconds(probe)); JSONSerialization alone \(formatSeconds(parse))")
        if realMemory {
            var report: VerificationReport?
            let real = bestTime { report = Verifier.verify(plan, against: graph, mode: .realMemory()) }
            print("  verify, real memory (\(report?.mode.description ?? "?"), \(report?.passed == true ? "passed" : "failed"))          \(formatSeconds(real))")
        }
    }

    /// x → [conv_i(x, w_i) → relu_i → add_i(relu_i, x)] × blocks: four
    /// tensors per block (weight, three activations), so 15,000 blocks make
    /// 60,001 tensors. `scale` multiplies every size: at 2^24 an activation
    /// is 64 GiB and the scratchpad a few hundred gigabytes.
    static func syntheticGraph(blocks: Int, scale: Int) throws -> Graph {
        var tensors = [Tensor(name: "x", kind: .input, bytes: 4096 * scale)]
        var operators: [Operator] = []
        var previous = 0
        for i in 0 ..< blocks {
            let base = tensors.count
            tensors += [
                Tensor(name: "w\(i)", kind: .weight, bytes: (1024 + 64 * (i % 7)) * scale),
                Tensor(name: "c\(i)", kind: .activation, bytes: 4096 * scale),
                Tensor(name: "r\(i)", kind: .activation, bytes: 4096 * scale),
                Tensor(name: "a\(i)", kind: .activation, bytes: 4096 * scale),
            ]
            operators += [
                Operator(name: "conv\(i)", type: "Conv", inputs: [previous, base], outputs: [base + 1]),
                Operator(name: "relu\(i)", type: "Relu", inputs: [base + 1], outputs: [base + 2]),
                Operator(name: "add\(i)", type: "Add", inputs: [base + 2, previous], outputs: [base + 3]),
            ]
            previous = base + 3
        }
        return try Graph(name: "synthetic", tensors: tensors, operators: operators, outputs: [previous])
    }

    /// A valid plan in topological order, without claimed metrics.
    static func simplePlan(_ graph: Graph) -> Plan {
        let s = "scratchpad", h = "host"
        func bytes(_ t: Int) -> Int { graph.tensors[t].bytes ?? 0 }
        let order = graph.topologicalOrder
        var lastUse = [Int](repeating: -1, count: graph.tensors.count)
        for (step, o) in order.enumerated() { for t in graph.operators[o].reads { lastUse[t] = step } }
        let isOutput = Set(graph.outputs)
        var offset: [Int: Int] = [:]
        var live: [(start: Int, end: Int)] = []  // sorted by start, non-empty ranges
        var height = 0
        var inHost = Set(graph.tensors.indices.filter { graph.tensors[$0].kind != .activation })
        func place(_ t: Int, _ actions: inout [PlanAction]) {
            var candidate = 0
            var index = 0
            let size = bytes(t)
            if size > 0 {
                while index < live.count && candidate + size > live[index].start {
                    candidate = max(candidate, live[index].end)
                    index += 1
                }
                live.insert((candidate, candidate + size), at: index)
                height = max(height, candidate + size)
            }
            offset[t] = candidate
            actions.append(.allocate(t, in: s, at: candidate))
        }
        func release(_ t: Int, _ actions: inout [PlanAction]) {
            if let start = offset.removeValue(forKey: t), let i = live.firstIndex(where: { $0.start == start && bytes(t) > 0 }) {
                live.remove(at: i)
            }
            actions.append(.free(t, in: s))
        }
        var steps: [PlanStep] = []
        for (step, o) in order.enumerated() {
            let op = graph.operators[o]
            var before: [PlanAction] = [], after: [PlanAction] = []
            var reads: [Int] = []
            for t in op.reads where !reads.contains(t) { reads.append(t) }
            for t in reads where offset[t] == nil {
                place(t, &before)
                before.append(.copy(t, from: h, to: s))
            }
            for t in op.outputs { place(t, &before) }
            for t in reads + op.outputs where offset[t] != nil && lastUse[t] <= step {
                if isOutput.contains(t) && !inHost.contains(t) {
                    after.append(.copy(t, from: s, to: h))
                    inHost.insert(t)
                }
                release(t, &after)
            }
            if step % 8 == 7, let t = op.outputs.first, offset[t] != nil {  // spill, reloaded when read
                after.append(.copy(t, from: s, to: h))
                inHost.insert(t)
                release(t, &after)
            }
            steps.append(PlanStep(op: o, before: before, after: after))
        }
        return Plan(method: "benchmark-first-fit", graph: GraphIdentity(graph), tensors: PlanTensor.table(for: graph),
                    tiers: [.scratchpad(capacity: height), .host], homeTier: h, computeTier: s,
                    steps: steps, metrics: PlanMetrics())
    }
}
