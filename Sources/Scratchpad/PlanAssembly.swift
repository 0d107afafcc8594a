import Plan

/// Turns residencies with offsets and the replacement's action lists into a
/// ``Plan`` on two tiers (an addressed scratchpad and unlimited host memory),
/// with the metrics it claims computed from the actions. O(actions).
struct PlanAssembly {
    let problem: ScratchpadProblem
    let outcome: ReplacementSimulation.Outcome
    let offsets: [Int]
    let method: String

    static let scratchpad = "scratchpad"
    static let host = "host"

    func plan() -> Plan {
        let scratchpad = Self.scratchpad, host = Self.host
        func actions(_ pending: [PendingAction]) -> [PlanAction] {
            pending.map { action in
                switch action {
                case .store(let t): return .copy(t, from: scratchpad, to: host)
                case .free(let r): return .free(outcome.residencies[r].tensor, in: scratchpad)
                case .allocate(let r): return .allocate(outcome.residencies[r].tensor, in: scratchpad, at: offsets[r])
                case .load(let r): return .copy(outcome.residencies[r].tensor, from: host, to: scratchpad)
                }
            }
        }
        let steps = problem.schedule.order.enumerated().map { s, op in
            PlanStep(op: op, before: actions(outcome.before[s]), after: actions(outcome.after[s]))
        }
        // Peak bytes and height over time from the residencies.
        let count = problem.need.count
        var delta = [Int](repeating: 0, count: count + 1)
        var height = 0
        for (r, residency) in outcome.residencies.enumerated() {
            let bytes = problem.bytes(residency.tensor)
            delta[residency.first] += bytes
            delta[residency.last + 1] -= bytes
            if bytes > 0 { height = max(height, offsets[r] + bytes) }
        }
        var running = 0, peak = 0
        for s in 0 ..< count {
            running += delta[s]
            peak = max(peak, running)
        }
        let compulsory = problem.compulsoryBytes
        let moved = outcome.loadedBytes + outcome.storedBytes
        var bytesMoved: [String: Int] = [:]
        bytesMoved[PlanMetrics.link(from: host, to: scratchpad)] = outcome.loadedBytes
        bytesMoved[PlanMetrics.link(from: scratchpad, to: host)] = outcome.storedBytes
        let metrics = PlanMetrics(
            peakBytes: [scratchpad: peak, host: 0], heights: [scratchpad: height], bytesMoved: bytesMoved,
            compulsoryBytes: compulsory, nonCompulsoryBytes: moved - compulsory
        )
        return Plan(
            method: method, graph: GraphIdentity(problem.graph), tensors: PlanTensor.table(for: problem.graph),
            tiers: [.scratchpad(capacity: problem.capacity, alignment: problem.alignment), .host],
            homeTier: host, computeTier: scratchpad, steps: steps, metrics: metrics
        )
    }
}
