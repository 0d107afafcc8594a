import MemoryGraph
import Plan

/// A naive model of the scratchpad for tests: one owner per byte, set by
/// every write (a load into the scratchpad, an operator's output). It says
/// whether some read (an operator's input, a copy out of the scratchpad)
/// meets a byte that another tensor wrote last: exactly the overwrites
/// real-memory mode must catch. O(bytes) per action; small plans only.
enum ByteOracle {
    static func firstHarmfulRead(_ plan: Plan, _ graph: Graph) -> (step: Int, tensor: Int)? {
        let scratchpad = plan.computeTier
        let capacity = plan.tier(named: scratchpad)?.capacity ?? 0
        var owner = [Int](repeating: -1, count: max(0, capacity) + 1024)
        var offset: [Int: Int] = [:]
        func bytes(_ t: Int) -> Int { graph.tensors[t].bytes ?? 0 }
        func write(_ t: Int) {
            guard let o = offset[t] else { return }
            for b in o ..< o + bytes(t) where b < owner.count { owner[b] = t }
        }
        func intact(_ t: Int) -> Bool {
            guard let o = offset[t] else { return true }
            return (o ..< o + bytes(t)).allSatisfy { $0 < owner.count && owner[$0] == t }
        }
        for (s, step) in plan.steps.enumerated() {
            func apply(_ a: PlanAction) -> Bool {
                switch a.kind {
                case .allocate where a.tier == scratchpad: offset[a.tensor] = a.offset
                case .free where a.tier == scratchpad: offset[a.tensor] = nil
                case .copy where a.tier == scratchpad: write(a.tensor)
                case .copy where a.from == scratchpad: return intact(a.tensor)
                default: break
                }
                return true
            }
            for a in step.before where !apply(a) { return (s, a.tensor) }
            let op = graph.operators[step.op]
            for t in op.reads where !intact(t) { return (s, t) }
            op.outputs.forEach(write)
            for a in step.after where !apply(a) { return (s, a.tensor) }
        }
        return nil
    }
}
