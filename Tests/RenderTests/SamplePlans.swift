import MemoryGraph
import Plan

/// Plans built by hand, so every expected rectangle and mark is known.
enum SamplePlans {
    static let oddName = "odd <name> & \"quoted\" 'too'"

    /// Four steps in a 16 KiB scratchpad: `x` and `w` loaded for step 0,
    /// `a` spilled after step 1 and reloaded (elsewhere) for step 3, the
    /// oddly named output stored after step 3, a zero-byte tensor that must
    /// not be drawn. Six residency intervals, three loads, two spills.
    static var small: Plan {
        let tensors = [
            PlanTensor(name: "x", bytes: 1024, kind: .input),
            PlanTensor(name: "w", bytes: 2048, kind: .weight),
            PlanTensor(name: "a", bytes: 4096, kind: .activation),
            PlanTensor(name: "b", bytes: 4096, kind: .activation),
            PlanTensor(name: oddName, bytes: 512, kind: .activation),
            PlanTensor(name: "empty", bytes: 0, kind: .activation),
        ]
        let sp = "scratchpad", host = "host"
        let steps = [
            PlanStep(op: 0,
                     before: [.allocate(0, in: sp, at: 0), .copy(0, from: host, to: sp),
                              .allocate(1, in: sp, at: 1024), .copy(1, from: host, to: sp),
                              .allocate(2, in: sp, at: 4096)],
                     after: [.free(0, in: sp), .free(1, in: sp)]),
            PlanStep(op: 1, before: [.allocate(3, in: sp, at: 8192)],
                     after: [.copy(2, from: sp, to: host), .free(2, in: sp)]),
            PlanStep(op: 2, before: [.allocate(4, in: sp, at: 0)], after: [.free(3, in: sp)]),
            PlanStep(op: 3,
                     before: [.allocate(2, in: sp, at: 1024), .copy(2, from: host, to: sp),
                              .allocate(5, in: sp, at: 0)],
                     after: [.copy(4, from: sp, to: host), .free(4, in: sp), .free(2, in: sp)]),
        ]
        return Plan(method: "hand <made>", graph: identity(name: "tiny & small", tensors: tensors.count, operators: 4),
                    tensors: tensors, tiers: [.scratchpad(capacity: 16384), .host], homeTier: host,
                    computeTier: sp, steps: steps,
                    metrics: PlanMetrics(peakBytes: [sp: 11264], compulsoryBytes: 3584, nonCompulsoryBytes: 8192))
    }

    /// A plan shaped like a real network's: `count` steps, each loading a
    /// weight and producing an activation that lives for five steps, in a
    /// scratchpad of `capacity` bytes; every fifth activation is spilled
    /// after its step and reloaded three steps later. Used for size and
    /// speed: `2 * count + count / 5` intervals, about.
    static func chain(count: Int, capacity: Int = 64 << 20) -> Plan {
        var tensors: [PlanTensor] = []
        let sp = "scratchpad", host = "host"
        let slot = capacity / 8
        for i in 0 ..< count {
            tensors.append(PlanTensor(name: "w\(i)", bytes: 4096 + (i % 7) * 1000, kind: .weight))
            tensors.append(PlanTensor(name: "act\(i)", bytes: slot / 2 + (i % 5) * 512, kind: .activation))
        }
        var steps = (0 ..< count).map { PlanStep(op: $0) }
        for i in 0 ..< count {
            let w = 2 * i, act = 2 * i + 1, at = (i % 6) * slot
            steps[i].before += [.allocate(w, in: sp, at: 7 * slot), .copy(w, from: host, to: sp),
                                .allocate(act, in: sp, at: at)]
            steps[i].after.append(.free(w, in: sp))
            if i % 5 == 0 && i + 3 < count {
                steps[i].after += [.copy(act, from: sp, to: host), .free(act, in: sp)]
                steps[i + 3].before += [.allocate(act, in: sp, at: at), .copy(act, from: host, to: sp)]
            }
            if i + 4 < count { steps[i + 4].after.append(.free(act, in: sp)) }
        }
        return Plan(method: "synthetic", graph: identity(name: "chain", tensors: tensors.count, operators: count),
                    tensors: tensors, tiers: [.scratchpad(capacity: capacity), .host], homeTier: host,
                    computeTier: sp, steps: steps, metrics: PlanMetrics())
    }

    static func identity(name: String, tensors: Int, operators: Int) -> GraphIdentity {
        // GraphIdentity is made from a graph; an empty graph gives a valid
        // value whose fields are then set by hand.
        var identity = GraphIdentity((try? Graph(name: name, tensors: [], operators: [], outputs: []))!)
        identity.name = name
        identity.tensors = tensors
        identity.operators = operators
        return identity
    }
}
