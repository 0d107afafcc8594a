import MemoryGraph
import Plan

/// Replays a plan against its graph and reports the first violation of the
/// semantics documented on ``Plan``, in execution order.
///
/// The verifier knows plans and graphs, never how a plan was made. It
/// trusts nothing in the plan: indices, offsets and sizes may be anything.
///
/// Order of checks: the plan belongs to the graph (counts, tensor table,
/// fingerprint) and its tiers make sense; then each step's before-actions,
/// its operator, its after-actions; then that every operator ran, that
/// every graph output ends valid in the home tier, and that each claimed
/// metric equals the measured one.
///
/// Cost, symbolic mode: expected O(A log L + S + E + T·K) time for A actions,
/// at most L ranges held at once in any addressed tier, S steps, E tensor
/// reads and writes by operators, T tensors and K tiers; memory O(T·K + L).
/// Neither depends on addresses or capacities. Real-memory mode adds
/// O(bytes) per range read or written and the arenas themselves.
public enum Verifier {
    public static func verify(_ plan: Plan, against graph: Graph, mode: VerificationMode = .symbolic) -> VerificationReport {
        verify(plan, against: graph, mode: mode, checksOverlaps: true)
    }

    /// `checksOverlaps: false` turns off the interval bookkeeping's overlap
    /// check; tests use it to show that real memory catches harmful
    /// overlaps on its own.
    static func verify(_ plan: Plan, against graph: Graph, mode: VerificationMode, checksOverlaps: Bool) -> VerificationReport {
        func report(_ failure: VerificationFailure?, _ metrics: PlanMetrics, used: VerificationMode, note: String?, steps: Int)
            -> VerificationReport {
            VerificationReport(failure: failure, metrics: metrics, requestedMode: mode, mode: used, note: note, stepsReplayed: steps)
        }
        if let failure = PlanPreflight.checkIdentity(plan, against: graph) ?? PlanPreflight.checkStructure(plan) {
            return report(failure, PlanMetrics(), used: mode, note: nil, steps: 0)
        }

        var used = mode
        var note: String?
        var arenaSizes: [Int]?
        if case .realMemory(let limit) = mode {
            let sizes = arenaExtents(plan, graph)
            let total = sizes.reduce(into: Optional(0)) { sum, size in
                guard let s = sum else { return }
                let (next, overflow) = s.addingReportingOverflow(size)
                sum = overflow ? nil : next
            }
            if let total, total <= limit {
                arenaSizes = sizes
            } else {
                used = .symbolic
                note = "the arenas would need \(total.map { "\($0) bytes" } ?? "more than Int.max bytes"), over the real-memory limit of \(limit) bytes; verified symbolically"
            }
        }

        var replay = Replay(plan: plan, graph: graph, arenaSizes: arenaSizes, checksOverlaps: checksOverlaps)
        var steps = 0
        do {
            try replay.run(stepsDone: &steps)
            return report(nil, replay.measuredMetrics, used: used, note: note, steps: steps)
        } catch {
            return report(error, replay.measuredMetrics, used: used, note: note, steps: steps)
        }
    }

    /// Per tier, the bytes a real arena needs: the largest end of any
    /// allocation the plan makes there that could pass the checks (known
    /// tensor, offset not negative, end within the capacity); 0 for tiers
    /// without addresses. O(actions).
    static func arenaExtents(_ plan: Plan, _ graph: Graph) -> [Int] {
        var index: [String: Int] = [:]
        for (i, tier) in plan.tiers.enumerated() where tier.addressed { index[tier.name] = i }
        var extents = [Int](repeating: 0, count: plan.tiers.count)
        for step in plan.steps {
            for action in step.before + step.after where action.kind == .allocate {
                guard let i = index[action.tier], let offset = action.offset, offset >= 0,
                      action.tensor >= 0, action.tensor < graph.tensors.count else { continue }
                let (end, overflow) = offset.addingReportingOverflow(graph.tensors[action.tensor].bytes ?? 0)
                guard !overflow, end <= plan.tiers[i].capacity ?? Int.max else { continue }
                extents[i] = max(extents[i], end)
            }
        }
        return extents
    }
}
