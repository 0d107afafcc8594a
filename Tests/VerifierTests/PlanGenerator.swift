import MemoryGraph
import Plan
@testable import Verifier

/// A tiny planner for tests, written independently of the verifier: runs
/// operators in a given order on a scratchpad, loads what an operator reads
/// when it is not resident, allocates outputs first-fit, frees after the
/// last use, sometimes spills an activation (and reloads it when needed),
/// stores graph outputs right after they are made or at the end, and
/// counts its own metrics.
struct PlanGenerator {
    static let scratchpad = "scratchpad"
    static let host = "host"

    let graph: Graph
    let order: [Int]
    let alignment: Int
    var random: SplitMix64

    private var resident: [Int: Int] = [:]  // tensor → offset in the scratchpad
    private var validInHost: Set<Int> = []
    private var used = 0, peak = 0, height = 0
    private var moved: [String: Int] = [:]
    private var compulsory = 0, total = 0
    private var loaded: Set<Int> = [], stored: Set<Int> = []

    init(graph: Graph, order: [Int], alignment: Int, seed: UInt64) {
        self.graph = graph
        self.order = order
        self.alignment = alignment
        random = SplitMix64(seed: seed)
    }

    private func bytes(_ t: Int) -> Int { graph.tensors[t].bytes ?? 0 }

    /// The lowest aligned offset where `size` bytes fit between the
    /// resident tensors.
    private func firstFit(_ size: Int) -> Int {
        guard size > 0 else { return 0 }
        var candidate = 0
        for (start, end) in resident.map({ ($0.value, $0.value + bytes($0.key)) }).filter({ $0.1 > $0.0 }).sorted(by: { $0.0 < $1.0 }) {
            if candidate + size <= start { break }
            candidate = max(candidate, (end + alignment - 1) / alignment * alignment)
        }
        return candidate
    }

    private mutating func allocate(_ t: Int, into actions: inout [PlanAction]) {
        let offset = firstFit(bytes(t))
        resident[t] = offset
        used += bytes(t)
        peak = max(peak, used)
        height = max(height, offset + bytes(t))
        actions.append(.allocate(t, in: Self.scratchpad, at: offset))
    }

    private mutating func free(_ t: Int, into actions: inout [PlanAction]) {
        resident[t] = nil
        used -= bytes(t)
        actions.append(.free(t, in: Self.scratchpad))
    }

    private mutating func copy(_ t: Int, from: String, to: String, into actions: inout [PlanAction]) {
        moved[PlanMetrics.link(from: from, to: to), default: 0] += bytes(t)
        total += bytes(t)
        let isRead = !graph.consumers(of: t).isEmpty
        if to == Self.scratchpad && graph.tensors[t].kind != .activation && isRead && loaded.insert(t).inserted {
            compulsory += bytes(t)
        } else if to == Self.host && graph.outputs.contains(t) && stored.insert(t).inserted {
            compulsory += bytes(t)
        }
        if to == Self.host { validInHost.insert(t) }
        actions.append(.copy(t, from: from, to: to))
    }

    /// A valid plan, with the scratchpad's capacity at its height plus the
    /// largest tensor (room for the offset-shifting mutations).
    mutating func make() -> Plan {
        var lastUse = [Int](repeating: -1, count: graph.tensors.count)
        for (s, o) in order.enumerated() { for t in graph.operators[o].reads { lastUse[t] = s } }
        let isOutput = Set(graph.outputs)
        validInHost = Set(graph.tensors.indices.filter { graph.tensors[$0].kind != .activation })
        var steps: [PlanStep] = []
        for (s, o) in order.enumerated() {
            let op = graph.operators[o]
            var before: [PlanAction] = [], after: [PlanAction] = []
            var reads: [Int] = []  // each once, in order (a Set's order varies between runs)
            for t in op.reads where !reads.contains(t) { reads.append(t) }
            for t in reads where resident[t] == nil {
                allocate(t, into: &before)
                copy(t, from: Self.host, to: Self.scratchpad, into: &before)
            }
            for t in op.outputs { allocate(t, into: &before) }
            for t in op.outputs where isOutput.contains(t) && random.next() % 2 == 0 {
                copy(t, from: Self.scratchpad, to: Self.host, into: &after)
            }
            for t in reads + op.outputs where resident[t] != nil && lastUse[t] <= s {
                if isOutput.contains(t) && !validInHost.contains(t) { continue }  // stored at the end
                free(t, into: &after)
            }
            // Now and then, spill a resident tensor whose next use is later.
            if random.next() % 4 == 0 {
                let candidates = resident.keys.filter { lastUse[$0] > s + 1 }.sorted()
                if !candidates.isEmpty {
                    let t = candidates[Int(random.next() % UInt64(candidates.count))]
                    if !validInHost.contains(t) { copy(t, from: Self.scratchpad, to: Self.host, into: &after) }
                    free(t, into: &after)
                }
            }
            if s == order.count - 1 {
                for t in graph.outputs where !validInHost.contains(t) {
                    copy(t, from: Self.scratchpad, to: Self.host, into: &after)
                }
            }
            steps.append(PlanStep(op: o, before: before, after: after))
        }
        let maxSize = graph.tensors.map { $0.bytes ?? 0 }.max() ?? 0
        let capacity = (height + maxSize + alignment - 1) / alignment * alignment
        return Plan(
            method: "test-first-fit", graph: GraphIdentity(graph), tensors: PlanTensor.table(for: graph),
            tiers: [.scratchpad(capacity: capacity, alignment: alignment), .host],
            homeTier: Self.host, computeTier: Self.scratchpad, steps: steps,
            metrics: PlanMetrics(peakBytes: [Self.scratchpad: peak, Self.host: 0], heights: [Self.scratchpad: height],
                                 bytesMoved: moved, compulsoryBytes: compulsory, nonCompulsoryBytes: total - compulsory))
    }

    /// A valid plan for a random graph, order and alignment.
    static func randomCase(seed: UInt64) throws -> (Graph, Plan) {
        var random = SplitMix64(seed: seed)
        let graph = try RandomGraphs.make(seed: random.next(), operators: 3 + Int(random.next() % 30))
        let order = RandomGraphs.randomOrder(graph, seed: random.next())
        let alignment = [1, 4, 16][Int(random.next() % 3)]
        var generator = PlanGenerator(graph: graph, order: order, alignment: alignment, seed: random.next())
        return (graph, generator.make())
    }
}
