import MILP
import MemoryGraph

/// Schedule and replacement together as one ILP against a capacity in bytes
/// (shared/specs/scratchpad-ilp.md, the per-step form without addresses).
///
/// Variables, each only inside its window (``ScheduleWindows``):
/// - `x[o,s]`: operator `o` runs at step `s` (a constant for fixed ones);
/// - `r[a,s]`: tensor `a` is resident while step `s` runs;
/// - `l[a,s]` (continuous, integral at any vertex with integral `x` and `r`):
///   `a` is loaded from host memory before step `s`;
/// - `stored[a]`: activation `a` is stored to host memory (right after it is
///   produced, which is never worse), for activations that are not graph
///   outputs (those are stored anyway).
///
/// Rows: one operator per step and one step per operator; precedence in
/// cumulative form (`Σ_{s'≤s} x[c,s'] ≤ Σ_{s'<s} x[p,s']`, much tighter than
/// comparing step numbers); residency at every step a user runs, aggregated
/// over users (one operator per step makes the sum a valid lower bound);
/// no residency before production, nor before the first or after the last
/// use (never useful, and it removes symmetric solutions); a load wherever
/// residency starts other than by production; reloads of an activation only
/// if it was stored; at least one load of every input and weight; the
/// capacity at every step. The objective is exactly the non-compulsory
/// traffic, so the solver's bound is a lower bound on it over every order
/// the windows allow (addresses ignored: placement can only add traffic).
///
/// Size: Σ window widths binaries for the schedule, Σ tensor spans for
/// residency and loads; rows of the same order.
struct FreeScheduleILP {
    let problem: ScratchpadProblem
    let windows: ScheduleWindows
    var formulation = FreeScheduleFormulation()

    struct Built {
        var model: Model
        /// `schedule[o]`: (step, variable) pairs of a free operator.
        var schedule: [[(step: Int, variable: Variable)]]
        /// `resident[a]`: the first step of `a`'s span and one variable per step.
        var resident: [Int: (first: Int, variables: [Variable])]
        var loads: [Int: [Variable]]
        var stored: [Int: Variable]
        /// Bytes of inputs and weights every plan loads once.
        var compulsoryLoads: Double
    }

    private var graph: Graph { problem.graph }

    /// The model for a capacity in bytes. O(variables + nonzeros).
    ///
    /// `frozen` tensors get no variables: they keep a residency decided
    /// elsewhere, whose bytes per step `frozenBytes` takes from the capacity
    /// and whose traffic is left out of the objective. Large-neighbourhood
    /// search freezes every tensor whose uses all lie outside the window it
    /// re-orders, which keeps each window's model small on large graphs.
    func build(capacity: Int, frozen: Set<Int> = [], frozenBytes: [Int] = []) -> Built {
        var model = Model(name: "scratchpad-free-schedule")
        let n = windows.stepCount
        var schedule = [[(step: Int, variable: Variable)]](repeating: [], count: n)
        for o in 0 ..< n where !windows.isFixed(o) {
            schedule[o] = windows.steps(of: o).map { s in (s, model.addBinary(name: "x \(o)@\(s)")) }
        }
        /// `o` runs at `s`.
        func runs(_ o: Int, _ s: Int) -> LinearExpression {
            if windows.isFixed(o) { return LinearExpression(constant: windows.earliest[o] == s ? 1 : 0) }
            guard windows.steps(of: o).contains(s) else { return LinearExpression() }
            return LinearExpression(schedule[o][s - windows.earliest[o]].variable)
        }
        /// `o` has run at or before `s`.
        func done(_ o: Int, by s: Int) -> LinearExpression {
            if s < windows.earliest[o] { return LinearExpression() }
            if s >= windows.latest[o] { return LinearExpression(constant: 1) }
            return LinearExpression(sum: schedule[o][0 ... (s - windows.earliest[o])].map(\.variable))
        }

        for o in 0 ..< n where !windows.isFixed(o) {
            model.add(LinearExpression(sum: schedule[o].map(\.variable)) == 1)
        }
        var atStep = [[Int]](repeating: [], count: n)
        for o in 0 ..< n where !windows.isFixed(o) { for s in windows.steps(of: o) { atStep[s].append(o) } }
        var fixedAt = [Bool](repeating: false, count: n)
        for o in 0 ..< n where windows.isFixed(o) { fixedAt[windows.earliest[o]] = true }
        for s in 0 ..< n where !atStep[s].isEmpty {
            let fixedHere = fixedAt[s]
            let free = LinearExpression(sum: atStep[s].map { schedule[$0][s - windows.earliest[$0]].variable })
            model.add(free == (fixedHere ? 0 : 1))
        }
        for c in 0 ..< n {
            for p in windows.predecessors[c] where windows.earliest[c] <= windows.latest[p] {
                for s in windows.earliest[c] ... windows.latest[p] {
                    model.add(done(c, by: s) <= done(p, by: s - 1))
                }
            }
        }

        var resident: [Int: (first: Int, variables: [Variable])] = [:]
        var loads: [Int: [Variable]] = [:]
        var stored: [Int: Variable] = [:]
        var compulsoryLoads = 0.0
        var objective = LinearExpression()
        var capacityRows = [LinearExpression](repeating: LinearExpression(), count: n)
        for a in graph.tensors.indices where problem.bytes(a) > 0 && !frozen.contains(a) {
            let producer = graph.producers[a]
            let consumers = Array(Set(graph.consumers(of: a))).sorted()
            let users = (producer.map { [$0] } ?? []) + consumers.filter { $0 != producer }
            guard !users.isEmpty else { continue }
            let first = producer.map { windows.earliest[$0] } ?? users.map { windows.earliest[$0] }.min()!
            let last = users.map { windows.latest[$0] }.max()!
            let bytes = Double(problem.bytes(a))
            let r = (first ... last).map { s in model.addBinary(name: "r \(a)@\(s)") }
            let l = (first ... last).map { s in model.addVariable(lower: 0, upper: 1, name: "l \(a)@\(s)") }
            resident[a] = (first, r)
            loads[a] = l
            let storable = producer != nil && !problem.isGraphOutput[a]
            if storable {
                let store = model.addBinary(name: "store \(a)")
                stored[a] = store
                objective += bytes * store
            }
            for (i, s) in (first ... last).enumerated() {
                // Resident whenever a user runs.
                if formulation.aggregatedNeeds {
                    var needed = LinearExpression()
                    for u in users { needed += runs(u, s) }
                    if !needed.terms.isEmpty || needed.constant > 0 { model.add(r[i] >= needed) }
                } else {
                    for u in users {
                        let needed = runs(u, s)
                        if !needed.terms.isEmpty || needed.constant > 0 { model.add(r[i] >= needed) }
                    }
                }
                // Not before production or first use; not after the last use.
                var before = LinearExpression()
                for u in producer.map({ [$0] }) ?? users { before += done(u, by: s) }
                if producer != nil || formulation.residencyBetweenUses, before.constant < 1 { model.add(r[i] <= before) }
                var after = LinearExpression(constant: Double(users.count))
                for u in users { after -= done(u, by: s - 1) }
                if formulation.residencyBetweenUses, after.constant < 1 { model.add(r[i] <= after) }
                // A load where residency starts without the producer running.
                var start = LinearExpression(r[i])
                if i > 0 { start -= r[i - 1] }
                if let producer { start -= runs(producer, s) }
                model.add(l[i] >= start)
                if let store = stored[a] { model.add(l[i] <= store) }
                objective += bytes * l[i]
                capacityRows[s] += bytes * r[i]
            }
            if producer == nil {
                model.add(LinearExpression(sum: l) >= 1)
                compulsoryLoads += bytes
            }
        }
        for s in 0 ..< n where !capacityRows[s].terms.isEmpty {
            let left = capacity - (frozenBytes.isEmpty ? 0 : frozenBytes[s])
            model.add(capacityRows[s] <= Double(left), name: "capacity@\(s)")
        }
        objective -= compulsoryLoads
        model.minimize(objective)
        return Built(model: model, schedule: schedule, resident: resident, loads: loads, stored: stored,
                     compulsoryLoads: compulsoryLoads)
    }

    /// The order a solution chooses.
    func order(from values: [Double], built: Built) -> [Int] {
        var order = [Int](repeating: -1, count: windows.stepCount)
        for o in 0 ..< windows.stepCount {
            if windows.isFixed(o) {
                order[windows.earliest[o]] = o
            } else if let chosen = built.schedule[o].max(by: { values[$0.variable.index] < values[$1.variable.index] }) {
                order[chosen.step] = o
            }
        }
        return order
    }

    /// A warm start from a plan in an order the windows admit: its
    /// residencies (in that order's steps, clipped to each tensor's uses) and
    /// stored activations. Feasible whenever the plan respects the capacity.
    func warmStart(order: [Int], residencies: [Residency], stored: Set<Int>, built: Built) -> [Double] {
        var values = [Double](repeating: 0, count: built.model.variableCount)
        var stepOf = [Int](repeating: 0, count: order.count)
        for (s, o) in order.enumerated() { stepOf[o] = s }
        for o in built.schedule.indices {
            for (s, v) in built.schedule[o] where s == stepOf[o] { values[v.index] = 1 }
        }
        var useSteps = [[Int]](repeating: [], count: graph.tensors.count)
        for (s, o) in order.enumerated() {
            for a in graph.operators[o].reads + graph.operators[o].outputs { useSteps[a].append(s) }
        }
        for residency in residencies {
            let a = residency.tensor
            guard let (first, r) = built.resident[a], let firstUse = useSteps[a].min(), let lastUse = useSteps[a].max() else { continue }
            let from = max(residency.first, firstUse), to = min(residency.last, lastUse)
            guard from <= to else { continue }
            for s in from ... to where s - first >= 0 && s - first < r.count { values[r[s - first].index] = 1 }
        }
        for (a, (first, r)) in built.resident {
            guard let l = built.loads[a] else { continue }
            let producedAt = graph.producers[a].map { stepOf[$0] }
            for i in r.indices {
                let now = values[r[i].index], before = i > 0 ? values[r[i - 1].index] : 0
                if now > 0.5, before < 0.5, producedAt != first + i { values[l[i].index] = 1 }
            }
        }
        for (a, v) in built.stored where stored.contains(a) { values[v.index] = 1 }
        return values
    }
}
