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
///
/// The model falls apart into independent *components*: gaps interact only
/// through a capacity row they both span, or through their tensor's store.
/// Each component is its own small ILP (``build(component:capacity:)``), so
/// a solver proves each optimal on its own instead of branching over all
/// of them at once. Memory: O(gaps + Σ gap lengths + steps).
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
    /// `gapsOf[t]`: the gaps of tensor `t` (indices into `gaps`).
    let gapsOf: [Int: [Int]]

    init(problem: ScratchpadProblem) {
        self.problem = problem
        var gaps: [Gap] = []
        var storable: [Int] = []
        var gapsOf: [Int: [Int]] = [:]
        for (t, uses) in problem.uses.enumerated() where uses.count >= 2 && problem.bytes(t) > 0 {
            var any = false
            for i in 0 ..< uses.count - 1 where uses[i + 1] - uses[i] >= 2 {
                gapsOf[t, default: []].append(gaps.count)
                gaps.append(Gap(tensor: t, from: uses[i], to: uses[i + 1]))
                any = true
            }
            if any, !problem.startsInHost(t), !problem.isGraphOutput[t] { storable.append(t) }
        }
        self.gaps = gaps
        self.storable = storable
        self.gapsOf = gapsOf
    }

    func isStorable(_ t: Int) -> Bool { !problem.startsInHost(t) && !problem.isGraphOutput[t] }

    /// One independent part of the model: its gaps, the tensors they
    /// belong to, and the steps whose capacity rows it carries with the
    /// bytes those rows must free.
    struct Component {
        var gaps: [Int]
        var tensors: [Int]
        var rows: [(step: Int, excess: Int)]
        /// The steps it covers, for reports.
        var steps: ClosedRange<Int>
    }

    /// The components at a byte capacity: gaps joined by union-find over
    /// the capacity rows they span and their tensor. Components without a
    /// row are left out (keeping everything is optimal there, at cost 0).
    /// O(Σ gap lengths · α), ordered by first step.
    func components(capacity: Int) -> [Component] {
        components(capacities: [Int](repeating: capacity, count: problem.need.count))
    }

    /// The same with a byte budget per step (the repair of fragmentation
    /// lowers it only where the addresses did not fit).
    func components(capacities: [Int]) -> [Component] {
        let steps = problem.need.count
        var spanning = [[Int]](repeating: [], count: steps)
        var kept = [Int](repeating: 0, count: steps)
        for (g, gap) in gaps.enumerated() where gap.to - gap.from >= 2 {
            for s in gap.from + 1 ..< gap.to {
                spanning[s].append(g)
                kept[s] += problem.bytes(gap.tensor)
            }
        }
        var parent = Array(gaps.indices)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        func union(_ a: Int, _ b: Int) {
            let (ra, rb) = (find(a), find(b))
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        var rowSteps: [(step: Int, excess: Int)] = []
        for s in 0 ..< steps where !spanning[s].isEmpty {
            let excess = problem.footprint(atStep: s) + kept[s] - capacities[s]
            guard excess > 0 else { continue }
            rowSteps.append((s, excess))
            for g in spanning[s].dropFirst() { union(spanning[s][0], g) }
        }
        for (_, list) in gapsOf { for g in list.dropFirst() { union(list[0], g) } }
        var byRoot: [Int: Int] = [:]
        var result: [Component] = []
        for (s, excess) in rowSteps {
            let root = find(spanning[s][0])
            if let c = byRoot[root] {
                result[c].rows.append((s, excess))
            } else {
                byRoot[root] = result.count
                result.append(Component(gaps: [], tensors: [], rows: [(s, excess)], steps: s ... s))
            }
        }
        for (g, gap) in gaps.enumerated() {
            guard let c = byRoot[find(g)] else { continue }
            result[c].gaps.append(g)
            let range = result[c].steps
            result[c].steps = min(range.lowerBound, gap.from) ... max(range.upperBound, gap.to)
        }
        for c in result.indices {
            var seen = Set<Int>()
            result[c].tensors = result[c].gaps.map { gaps[$0].tensor }.filter { seen.insert($0).inserted }
        }
        return result.sorted { $0.steps.lowerBound < $1.steps.lowerBound }
    }

    struct Built {
        var model: Model
        /// Gap index → its "evicted" variable.
        var evicted: [Int: Variable]
        var stored: [Int: Variable]
        /// The bytes each variable stands for, to round bounds with.
        var sizes: [Int]
    }

    /// The model of one component (or several, merged). O(its gaps + rows).
    func build(component: Component) -> Built {
        var model = Model(name: "scratchpad-replacement")
        var evicted: [Int: Variable] = [:]
        var stored: [Int: Variable] = [:]
        var sizes: [Int] = []
        var objective = LinearExpression()
        for g in component.gaps {
            let gap = gaps[g]
            let v = model.addBinary(name: "evict \(gap.tensor)@\(gap.from)-\(gap.to)")
            evicted[g] = v
            sizes.append(problem.bytes(gap.tensor))
            objective += Double(problem.bytes(gap.tensor)) * v
        }
        for t in component.tensors where isStorable(t) {
            let v = model.addBinary(name: "store \(t)")
            stored[t] = v
            sizes.append(problem.bytes(t))
            objective += Double(problem.bytes(t)) * v
        }
        for g in component.gaps {
            if let store = stored[gaps[g].tensor], let v = evicted[g] { model.add(v <= store) }
        }
        var spanning: [Int: [Int]] = [:]
        let rowAt = Set(component.rows.map(\.step))
        for g in component.gaps where gaps[g].to - gaps[g].from >= 2 {
            for s in gaps[g].from + 1 ..< gaps[g].to where rowAt.contains(s) { spanning[s, default: []].append(g) }
        }
        for (s, excess) in component.rows {
            var freed = LinearExpression()
            for g in spanning[s] ?? [] { freed += Double(problem.bytes(gaps[g].tensor)) * evicted[g]! }
            model.add(freed >= Double(excess), name: "capacity@\(s)")
        }
        model.minimize(objective)
        return Built(model: model, evicted: evicted, stored: stored, sizes: sizes)
    }

    /// The whole model at a byte capacity: every component in one model.
    func build(capacity: Int) -> Built {
        let parts = components(capacity: capacity)
        if parts.isEmpty {
            var model = Model(name: "scratchpad-replacement")
            model.minimize(LinearExpression())
            return Built(model: model, evicted: [:], stored: [:], sizes: [])
        }
        return build(component: merged(parts))
    }

    /// A warm start for `built` from residencies (see ``evictions(from:)``).
    func warmStart(from residencies: [Residency], built: Built) -> [Double] {
        warmStart(evicted: evictions(from: residencies), built: built)
    }

    /// Several components as one model (they stay independent inside it).
    func merged(_ parts: [Component]) -> Component {
        var all = Component(gaps: [], tensors: [], rows: [], steps: parts[0].steps)
        for part in parts {
            all.gaps += part.gaps
            all.tensors += part.tensors
            all.rows += part.rows
            all.steps = min(all.steps.lowerBound, part.steps.lowerBound) ... max(all.steps.upperBound, part.steps.upperBound)
        }
        return all
    }

    /// Per gap, whether residencies (Belady's, say) leave the tensor out of
    /// the scratchpad somewhere inside it. Evicting those whole gaps (and
    /// storing their activations) is feasible whenever the residencies
    /// respect the capacity, since a whole gap frees at least as much.
    func evictions(from residencies: [Residency]) -> [Bool] {
        var stretches = [[(Int, Int)]](repeating: [], count: problem.graph.tensors.count)
        for r in residencies { stretches[r.tensor].append((r.first, r.last)) }
        return gaps.map { gap in !stretches[gap.tensor].contains { $0.0 <= gap.from + 1 && gap.to - 1 <= $0.1 } }
    }

    /// A warm start for `built` from per-gap evictions.
    func warmStart(evicted flags: [Bool], built: Built) -> [Double] {
        var values = [Double](repeating: 0, count: built.model.variableCount)
        for (g, v) in built.evicted where flags[g] {
            values[v.index] = 1
            if let store = built.stored[gaps[g].tensor] { values[store.index] = 1 }
        }
        return values
    }

    /// Per-gap evictions from a solution of `built`, written into `flags`.
    func read(_ values: [Double], built: Built, into flags: inout [Bool]) {
        for (g, v) in built.evicted { flags[g] = values[v.index] > 0.5 }
    }

    /// The non-compulsory traffic of per-gap evictions: each evicted gap
    /// reloads its tensor, and an activation with any evicted gap is stored
    /// once. O(gaps).
    func traffic(evicted flags: [Bool]) -> Int {
        var total = 0
        var stored = Set<Int>()
        for (g, gap) in gaps.enumerated() where flags[g] {
            total += problem.bytes(gap.tensor)
            if isStorable(gap.tensor), stored.insert(gap.tensor).inserted { total += problem.bytes(gap.tensor) }
        }
        return total
    }

    /// Residency stretches and stored tensors from per-gap evictions.
    /// O(Σ uses).
    func decode(evicted flags: [Bool]) -> (residencies: [Residency], stored: Set<Int>) {
        var evictedAfter = [Int: Set<Int>]()
        for (g, gap) in gaps.enumerated() where flags[g] { evictedAfter[gap.tensor, default: []].insert(gap.from) }
        var residencies: [Residency] = []
        var stored = Set<Int>()
        for (t, uses) in problem.uses.enumerated() where !uses.isEmpty {
            var start = uses[0]
            var loaded = problem.startsInHost(t)
            if let after = evictedAfter[t] {
                for i in 0 ..< uses.count - 1 where after.contains(uses[i]) {
                    residencies.append(Residency(tensor: t, first: start, last: uses[i], loaded: loaded))
                    start = uses[i + 1]
                    loaded = true
                }
                if isStorable(t) { stored.insert(t) }
            }
            residencies.append(Residency(tensor: t, first: start, last: uses[uses.count - 1], loaded: loaded))
        }
        return (residencies, stored)
    }
}
