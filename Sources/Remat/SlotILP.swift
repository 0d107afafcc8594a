import MILP

/// The exact method for small graphs: a MILP over every schedule in which
/// each operator runs at most ``cap`` times, in any order, under the
/// memory model of ``Remat``.
///
/// Slots s = 0 ..< cap·n each run at most one operator (used slots first).
/// Binary x[s,k]: operator k runs in slot s; binary r[s,v]: activation v is
/// resident while slot s runs.
/// - r[s,v] ≤ r[s−1,v] + x[s,producer(v)] (resident only if it was, or is
///   made now; r[−1,·] = 0);
/// - x[s,k] ≤ r[s,v] for every activation k reads or writes;
/// - Σ_v bytes(v)·r[s,v] ≤ budget;
/// - 1 ≤ Σ_s x[s,k] ≤ cap; Σ_k x[s,k] ≤ 1, non-increasing in s;
/// - r[last,v] = 1 for graph outputs;
/// - minimise Σ cost(k)·x[s,k].
/// Strengthening (valid for every schedule, tighter relaxation): x[s,k] = 0
/// while fewer slots precede s than k has ancestors (they all run first);
/// x[s,k] ≤ Σ_{s'<s} x[s',p] for each producer p of what k reads (its
/// producer ran before).
/// With spills (``RematProblem/spill``), per slot and activation also
/// binaries ld[s,v] (v is loaded before slot s's operator), st[s,v] (v is
/// stored after it) and h[s,v] (v has a valid host copy after slot s):
/// - r[s,v] ≤ r[s−1,v] + x[s,producer(v)] + ld[s,v];
/// - ld[s,v] ≤ h[s−1,v]; st[s,v] ≤ r[s,v] (a copy needs its source; the
///   value is resident on the device while it is copied);
/// - h[s,v] ≤ h[s−1,v] + st[s,v]; h[s,v] + x[s,producer(v)] − st[s,v] ≤ 1
///   (a recomputation makes the host copy stale);
/// - the objective adds store and load costs. Recompute, keep and spill
///   are then one choice per value and slot. Slots without an operator
///   may still load (graph outputs brought back at the end).
/// A solution read as the sequence of its slots is a schedule whose
/// earliest-free peak is at most the MILP's, so it fits; every such
/// schedule is a solution, so the MILP's bound holds for all of them
/// (``RematSolution/BoundScope/cappedExecutions``).
///
/// Size: cap·n·(n + activations) binaries (cap·n·(n + 4·activations) with
/// spills) and about as many rows as non-zeros of reads: for tiny graphs
/// (tests) and small ones.
public struct SlotILP: Sendable {
    public var solver: any Solver
    public var options: SolveOptions
    public var cap: Int
    /// Strengthenings, each switchable for the benchmark (`Benchmarks remat`).
    public var fixesAncestors = true
    public var precedenceRows = true

    public static let method = "exact"

    public init(solver: any Solver = CBCSolver(), options: SolveOptions = SolveOptions(), cap: Int = 2) {
        self.solver = solver
        self.options = options
        self.cap = cap
    }

    /// Variables the formulation has for `problem` (to decide whether to try it).
    public static func variableCount(_ problem: RematProblem, cap: Int) -> Int {
        let activations = problem.bytes.indices.filter { problem.producers[$0] != nil }.count
        return cap * problem.operatorCount * (problem.operatorCount + (problem.spill == nil ? 1 : 4) * activations)
    }

    /// Per operator, how many distinct operators it depends on. O(n · edges) worst case.
    static func ancestorCounts(_ problem: RematProblem) -> [Int] {
        var ancestors = [Set<Int>](repeating: [], count: problem.operatorCount)
        for k in problem.order {
            for t in problem.reads[k] {
                guard let p = problem.producers[t] else { continue }
                ancestors[k].insert(p)
                ancestors[k].formUnion(ancestors[p])
            }
        }
        return ancestors.map(\.count)
    }

    public func plan(_ problem: RematProblem, warmStart: RematEvaluation? = nil) throws(RematFailure) -> RematSolution {
        let n = problem.operatorCount
        let slots = cap * n
        let activations = problem.bytes.indices.filter { problem.producers[$0] != nil }
        var model = Model(name: "remat-slots")
        var x = [[Variable]]()
        var r = [[Int: Variable]]()
        // With spills: loads, stores, valid host copies.
        var ld = [[Int: Variable]](), st = [[Int: Variable]](), h = [[Int: Variable]]()
        let spill = problem.spill
        for s in 0 ..< slots {
            x.append((0 ..< n).map { model.addBinary(name: "x_\(s)_\($0)") })
            var row: [Int: Variable] = [:]
            for v in activations { row[v] = model.addBinary(name: "r_\(s)_\(v)") }
            r.append(row)
            if spill != nil {
                var load: [Int: Variable] = [:], store: [Int: Variable] = [:], host: [Int: Variable] = [:]
                for v in activations {
                    load[v] = model.addBinary(name: "ld_\(s)_\(v)")
                    store[v] = model.addBinary(name: "st_\(s)_\(v)")
                    host[v] = model.addBinary(name: "h_\(s)_\(v)")
                }
                ld.append(load)
                st.append(store)
                h.append(host)
            }
        }
        for s in 0 ..< slots {
            for v in activations {
                guard let p = problem.producers[v], let rv = r[s][v] else { continue }
                var carry = LinearExpression(rv) - LinearExpression(x[s][p])
                if s > 0, let previous = r[s - 1][v] { carry -= LinearExpression(previous) }
                if spill != nil, let load = ld[s][v], let store = st[s][v], let host = h[s][v] {
                    carry -= LinearExpression(load)
                    // A load needs a valid host copy from before; a store, the value on the device.
                    if s > 0, let before = h[s - 1][v] {
                        model.add(LinearExpression(load) - LinearExpression(before) <= 0)
                    } else {
                        model.setBounds(of: load, lower: 0, upper: 0)
                    }
                    model.add(LinearExpression(store) - LinearExpression(rv) <= 0)
                    var kept = LinearExpression(host) - LinearExpression(store)
                    if s > 0, let before = h[s - 1][v] { kept -= LinearExpression(before) }
                    model.add(kept <= 0)
                    model.add(LinearExpression(host) + LinearExpression(x[s][p]) - LinearExpression(store) <= 1)
                }
                model.add(carry <= 0)
            }
            for k in 0 ..< n {
                for v in Set(problem.reads[k] + problem.outputs[k]) {
                    if let rv = r[s][v] { model.add(LinearExpression(x[s][k]) - LinearExpression(rv) <= 0) }
                }
            }
            var memory = LinearExpression()
            for v in activations where problem.bytes[v] > 0 {
                if let rv = r[s][v] { memory += Double(problem.bytes[v]) * LinearExpression(rv) }
            }
            if !memory.terms.isEmpty { model.add(memory <= Double(problem.budget)) }
            model.add(LinearExpression(sum: x[s]) <= 1)
            if s + 1 < slots { model.add(LinearExpression(sum: x[s + 1]) - LinearExpression(sum: x[s]) <= 0) }
        }
        // Ancestors run before an operator's first execution: it cannot be in an earlier slot.
        let ancestors = Self.ancestorCounts(problem)
        for k in 0 ..< n {
            if fixesAncestors {
                for s in 0 ..< min(slots, ancestors[k]) { model.setBounds(of: x[s][k], lower: 0, upper: 0) }
            }
            guard precedenceRows else { continue }
            let producers = Set(problem.reads[k].compactMap { problem.producers[$0] })
            for p in producers {
                for s in max(1, fixesAncestors ? ancestors[k] : 1) ..< slots {
                    var precedence = LinearExpression(x[s][k])
                    for earlier in 0 ..< s { precedence -= LinearExpression(x[earlier][p]) }
                    model.add(precedence <= 0)
                }
            }
        }
        for k in 0 ..< n {
            let runs = LinearExpression(sum: (0 ..< slots).map { x[$0][k] })
            model.add(runs >= 1)
            model.add(runs <= Double(cap))
        }
        for v in activations where problem.isGraphOutput[v] {
            if let rv = r[slots - 1][v] { model.add(LinearExpression(rv) >= 1) }
        }
        var objective = LinearExpression()
        for s in 0 ..< slots { for k in 0 ..< n where problem.costs[k] != 0 { objective += problem.costs[k] * LinearExpression(x[s][k]) } }
        if let spill {
            for s in 0 ..< slots {
                for v in activations {
                    if let store = st[s][v], spill.store(problem.bytes[v]) != 0 { objective += spill.store(problem.bytes[v]) * LinearExpression(store) }
                    if let load = ld[s][v], spill.load(problem.bytes[v]) != 0 { objective += spill.load(problem.bytes[v]) * LinearExpression(load) }
                }
            }
        }
        model.minimize(objective)

        var solveOptions = options
        if let start = warmStart, start.fits(problem.budget), start.schedule.count <= slots, !start.hasCopies {
            var counts = [Int](repeating: 0, count: n)
            for o in start.schedule { counts[o] += 1 }
            if counts.allSatisfy({ $0 <= cap }) {
                var values = [Double](repeating: 0, count: model.variableCount)
                var resident = Set<Int>()
                for s in 0 ..< slots {
                    if s < start.schedule.count {
                        let o = start.schedule[s]
                        values[x[s][o].index] = 1
                        resident.formUnion(start.allocations[s])
                        for v in resident { if let rv = r[s][v] { values[rv.index] = 1 } }
                        resident.subtract(start.frees[s])
                    } else {
                        for v in resident { if let rv = r[s][v] { values[rv.index] = 1 } }
                    }
                }
                solveOptions.warmStart = values
            }
        }
        let result = solver.solve(model, options: solveOptions)
        guard result.status.hasSolution else {
            if result.status == .infeasible {
                throw .notFound(method: Self.method, budget: problem.budget,
                                reason: "no schedule with at most \(cap) executions per operator fits (proved by the MILP)")
            }
            throw .notFound(method: Self.method, budget: problem.budget, reason: "the MILP found no schedule (\(result.status.rawValue))")
        }
        // Read back as events: loads, the slot's operator, stores. A load of a value the
        // device still holds, or a store of one whose host copy is valid, is dropped
        // (it can only cost); the evaluation then checks the rest.
        var events: [RematEvent] = []
        var onDevice = Set<Int>(), onHost = Set<Int>()
        func set(_ variable: Variable?) -> Bool { variable.map { result.values[$0.index] > 0.5 } ?? false }
        for s in 0 ..< slots {
            let k = (0 ..< n).first(where: { result.values[x[s][$0].index] > 0.5 })
            if spill != nil {
                for v in activations where set(ld[s][v]) && !onDevice.contains(v) && onHost.contains(v) {
                    events.append(.load(v))
                }
            }
            if let k {
                events.append(.run(k))
                for v in problem.outputs[k] { onHost.remove(v) }
            }
            onDevice = Set(activations.filter { set(r[s][$0]) })
            if spill != nil {
                for v in activations where set(st[s][v]) && !onHost.contains(v) {
                    events.append(.store(v))
                    onHost.insert(v)
                }
            }
        }
        let evaluation = problem.evaluate(events: events)
        var solution = RematSolution(method: Self.method, evaluation: evaluation,
                                     bound: max(problem.baseCost, result.bound ?? problem.baseCost), boundScope: .cappedExecutions)
        solution.boundSource = result.bound == nil ? .base : .milp
        solution.solverStatus = result.status.rawValue
        solution.objective = result.objective
        solution.variables = model.variableCount
        solution.rows = model.constraintCount
        guard evaluation.fits(problem.budget) else {
            throw .notFound(method: Self.method, budget: problem.budget,
                            reason: "internal: the MILP's schedule peaks at \(evaluation.peak) bytes" + (evaluation.violation.map { " (\($0))" } ?? ""))
        }
        return solution
    }
}
