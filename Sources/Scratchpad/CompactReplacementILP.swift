import MILP

/// Replacement for a fixed operator order as a small ILP, ignoring
/// addresses (shared/specs/scratchpad-ilp.md, "compact form").
///
/// Only two kinds of decision matter once the order is fixed:
/// - for each gap between two consecutive uses of a tensor, whether it is
///   evicted for the whole gap (then reloaded for the next use; evicting
///   for part of a gap is never better);
/// - for each activation used again later, whether it is stored to host
///   memory (right after it is produced, which is never worse).
/// Capacity holds at each step over the tensors the step needs plus the
/// gaps that span it and are not evicted. Written with "evicted" binaries,
/// so the objective is exactly the non-compulsory traffic and relative gaps
/// mean something. Size: one binary per gap of two or more steps and per
/// storable activation; one row per step whose capacity is at risk.
struct CompactReplacementILP {
    struct Gap {
        var tensor: Int
        /// The use before the gap and the use after it (steps).
        var from: Int
        var to: Int
    }

    let problem: ScratchpadProblem
    let gaps: [Gap]
    /// Activations that are not graph outputs and have at least one gap.
    let storable: [Int]

    init(problem: ScratchpadProblem) {
        self.problem = problem
        var gaps: [Gap] = []
        var storable: [Int] = []
        for (t, uses) in problem.uses.enumerated() where uses.count >= 2 && problem.bytes(t) > 0 {
            var any = false
            for i in 0 ..< uses.count - 1 where uses[i + 1] - uses[i] >= 2 {
                gaps.append(Gap(tensor: t, from: uses[i], to: uses[i + 1]))
                any = true
            }
            if any, !problem.startsInHost(t), !problem.isGraphOutput[t] { storable.append(t) }
        }
        self.gaps = gaps
        self.storable = storable
    }

    struct Built {
        var model: Model
        var evicted: [Variable]
        var stored: [Int: Variable]
    }

    /// The model for a capacity (bytes). O(steps + Σ gap lengths).
    func build(capacity: Int) -> Built {
        var model = Model(name: "scratchpad-replacement")
        let evicted = gaps.map { gap in model.addBinary(name: "evict \(gap.tensor)@\(gap.from)-\(gap.to)") }
        var stored: [Int: Variable] = [:]
        for t in storable { stored[t] = model.addBinary(name: "store \(t)") }

        var objective = LinearExpression()
        for (g, gap) in gaps.enumerated() {
            let bytes = Double(problem.bytes(gap.tensor))
            objective += bytes * evicted[g]
            if let store = stored[gap.tensor] { model.add(evicted[g] <= store) }
        }
        for (t, store) in stored { objective += Double(problem.bytes(t)) * store }

        // Spanning gaps per step, through a sweep over gap intervals.
        let steps = problem.need.count
        var spanning = [[Int]](repeating: [], count: steps)
        for (g, gap) in gaps.enumerated() {
            for s in gap.from + 1 ..< gap.to { spanning[s].append(g) }
        }
        for s in 0 ..< steps where !spanning[s].isEmpty {
            let kept = spanning[s].reduce(0) { $0 + problem.bytes(gaps[$1].tensor) }
            let excess = problem.footprint(atStep: s) + kept - capacity
            guard excess > 0 else { continue }
            var freed = LinearExpression()
            for g in spanning[s] { freed += Double(problem.bytes(gaps[g].tensor)) * evicted[g] }
            model.add(freed >= Double(excess), name: "capacity@\(s)")
        }
        model.minimize(objective)
        return Built(model: model, evicted: evicted, stored: stored)
    }

    /// A warm start from residencies (Belady's, say): a gap is evicted when
    /// the tensor is not resident at some step inside it; an activation is
    /// stored when it is evicted anywhere. Feasible whenever the residencies
    /// respect the capacity, since evicting a whole gap frees at least as much.
    func warmStart(from residencies: [Residency], built: Built) -> [Double] {
        var values = [Double](repeating: 0, count: built.model.variableCount)
        var stretches = [[(Int, Int)]](repeating: [], count: problem.graph.tensors.count)
        for r in residencies { stretches[r.tensor].append((r.first, r.last)) }
        for (g, gap) in gaps.enumerated() {
            let resident = stretches[gap.tensor].contains { $0.0 <= gap.from + 1 && gap.to - 1 <= $0.1 }
            if !resident {
                values[built.evicted[g].index] = 1
                if let store = built.stored[gap.tensor] { values[store.index] = 1 }
            }
        }
        return values
    }

    /// Residency stretches and stored tensors from a solution.
    func decode(_ values: [Double], built: Built) -> (residencies: [Residency], stored: Set<Int>) {
        // Per tensor, the steps after which it is evicted.
        var evictedAfter = [Set<Int>](repeating: [], count: problem.graph.tensors.count)
        for (g, gap) in gaps.enumerated() where values[built.evicted[g].index] > 0.5 {
            evictedAfter[gap.tensor].insert(gap.from)
        }
        var residencies: [Residency] = []
        var stored = Set<Int>()
        for (t, uses) in problem.uses.enumerated() where !uses.isEmpty {
            var start = uses[0]
            var loaded = problem.startsInHost(t)
            for i in 0 ..< uses.count - 1 where evictedAfter[t].contains(uses[i]) {
                residencies.append(Residency(tensor: t, first: start, last: uses[i], loaded: loaded))
                start = uses[i + 1]
                loaded = true
            }
            residencies.append(Residency(tensor: t, first: start, last: uses[uses.count - 1], loaded: loaded))
            if let store = built.stored[t], values[store.index] > 0.5 { stored.insert(t) }
        }
        return (residencies, stored)
    }
}
