import MILP

/// A lower bound on the cost of every schedule whose first computations
/// follow the given order (so of every stage schedule,
/// ``RematSolution/BoundScope/stages``) that sees what the stage rows of
/// ``StageKnapsackBound`` and ``StageCoverBound`` cannot: a value dropped
/// at a peak is remade only by running its producer, whose own inputs must
/// then be resident (kept through the peak, costing memory there, or
/// remade too, costing compute).
///
/// Pick critical positions K = k_0 < … < k_{m−1}. The critical moment of
/// k_a is the first execution of k_a (in a stage schedule: its run in its
/// own stage). Gap c (0 ≤ c ≤ m) holds every execution strictly between
/// the moments of k_{c−1} and k_c (gap 0: before k_0's; gap m: after
/// k_{m−1}'s; it is empty when k_{m−1} = n − 1). In gap c only positions
/// j < k_c run (j < n in gap m): k_c has not run yet, nor has anything
/// after it. Variables, for activations v with producer position P(v):
/// - s[v,a] ∈ {0,1}: v is resident at the moment of k_a (P(v) ≤ k_a);
/// - r[j,c] ∈ {0,1}: position j runs at least once in gap c.
///
/// Every such schedule, read this way (see ``values(for:)``), satisfies:
/// 1. carry: s[v,a] ≤ s[v,a−1] + r[P(v),a] (s[v,0] ≤ r[P(v),0]) for
///    P(v) < k_a: v resident at a moment was resident at the one before
///    and kept, or made in between (only P(v) makes it);
/// 2. reads: r[j,c] ≤ s[v,c−1] + r[P(v),c] for each activation v that j
///    reads (no s in gap 0): an execution finds v resident, so it was
///    resident when the gap opened or P(v) ran in the gap before it (the
///    row does not ask "before", so it is weaker, still valid);
/// 3. forced: r[j,c(j)] = 1 for non-critical j (its first computation
///    lies in the gap c(j) = #{k ∈ K : k < j}); s[v,a] = 1 for what k_a
///    reads and writes (an operator's inputs and outputs are resident
///    while it runs);
/// 4. memory: Σ_v bytes(v)·s[v,a] ≤ budget (the resident total while k_a
///    runs, its outputs included; parameters and graph inputs are outside
///    the budget);
/// 5. end: s[v,m−1] + r[P(v),m] ≥ 1 for graph outputs with P(v) ≤ k_{m−1}
///    (they are resident at the end; later producers' first runs are
///    forced anyway).
///
/// Each execution outside the critical moments lies in one gap, so the
/// executions number at least Σ r + m, and the extra cost over one run of
/// each operator is at least Σ cost_j·r[j,c] over the r that are not forced.
/// So this MILP's optimum, and any dual bound CBC gives when it stops, is
/// a lower bound on the extra cost. CBC's tolerances only admit more
/// points (a lower optimum): still a bound.
///
/// It dominates ``StageCoverBound``'s rows at the stages in K (with K =
/// every position, the whole covering MILP): at k_a every untouched value
/// v in the stage's row that a later position j reads (or that is an
/// output) with s[v,a] = 0 must be resident at j's moment or gap (row 2 or
/// 3, or row 5), and rows 1 then put an r[P(v),c] = 1 in a gap c > a: a run
/// of P(v) after its own stage. Taking y_p = 1 for every p with a
/// non-forced r gives a cover of no larger cost.
///
/// Size: at most m·values s and (m+1)·n r binaries; rows m·values (carry)
/// + (m+1)·reads (read) + m (memory) + outputs; memory O(m·(values +
/// reads)), build time the same; the solve is CBC's, stopped by ``options``.
public struct CriticalMomentBound: Sendable {
    public var solver: any Solver
    /// Time limit and deadline of each solve; other options go to CBC.
    public var options: SolveOptions

    public static let name = "critical"

    public init(solver: any Solver = CBCSolver(), options: SolveOptions = SolveOptions()) {
        self.solver = solver
        self.options = options
    }

    /// Wrong models for the tests (each must fail a check somewhere).
    enum Mutation: Sendable, Equatable {
        case none
        /// Without the read rows (2): too weak, below the cover bound somewhere.
        case withoutReads
        /// Without the memory row of one critical position (4).
        case withoutMemoryRow(Int)
        /// Carry rows without the remake term (s[v,a] ≤ s[v,a−1]): too strong.
        case carryWithoutRemake
    }

    /// The model for one set of critical positions, with its variables.
    public struct Relaxation: Sendable {
        public let model: Model
        /// The critical positions, ascending.
        public let critical: [Int]
        /// s[a][v]: v resident at the moment of critical[a].
        let s: [[Int: Variable]]
        /// r[c][j]: position j runs in gap c (nil where it cannot).
        let r: [[Variable?]]
        let position: [Int]
        let producerPosition: [Int?]
    }

    /// The critical positions worth taking first: up to `count` stages
    /// with the largest deficit W_t − cap_t of ``StageKnapsackBound``'s
    /// rows (only stages that must drop something), ascending. O(n · values).
    public static func criticalPositions(_ problem: RematProblem, count: Int) -> [Int] {
        let positions = StageKnapsackBound.Positions(problem)
        var deficits: [(t: Int, demand: Int)] = []
        for t in 0 ..< positions.n {
            guard let row = StageKnapsackBound.row(positions, t), row.demand > 0 else { continue }
            deficits.append((t, row.demand))
        }
        deficits.sort { $0.demand != $1.demand ? $0.demand > $1.demand : $0.t < $1.t }
        return deficits.prefix(max(0, count)).map(\.t).sorted()
    }

    /// The stages that must drop something (the most ``criticalPositions(_:count:)`` can give).
    public static func deficitStageCount(_ problem: RematProblem) -> Int {
        let positions = StageKnapsackBound.Positions(problem)
        return (0 ..< positions.n).filter { (StageKnapsackBound.row(positions, $0)?.demand ?? 0) > 0 }.count
    }

    /// The relaxation for `critical` (positions, any order; repeats and
    /// out-of-range ones ignored); nil when some critical moment cannot
    /// fit even with every untouched value dropped (no schedule fits).
    public static func relaxation(_ problem: RematProblem, critical: [Int]) -> Relaxation? {
        relaxation(problem, critical: critical, mutation: .none)
    }

    static func relaxation(_ problem: RematProblem, critical rawCritical: [Int], mutation: Mutation) -> Relaxation? {
        let n = problem.operatorCount
        let critical = Set(rawCritical.filter { $0 >= 0 && $0 < n }).sorted()
        let m = critical.count
        var position = [Int](repeating: 0, count: n)
        for (p, o) in problem.order.enumerated() { position[o] = p }
        let producerPosition: [Int?] = problem.bytes.indices.map { v in
            guard let producer = problem.producers[v], problem.graph.tensors[v].kind == .activation else { return nil }
            return position[producer]
        }
        let readsAt = problem.order.map { o in problem.reads[o].filter { producerPosition[$0] != nil } }
        let writesAt = problem.order.map { o in problem.outputs[o].filter { producerPosition[$0] != nil } }
        var isCritical = [Bool](repeating: false, count: n)
        for k in critical { isCritical[k] = true }
        var model = Model(name: "critical-moments")

        // r: gap c allows positions below its end, not the critical ones still to come.
        func gapEnd(_ c: Int) -> Int { c < m ? critical[c] : n }
        let lastGapEmpty = m > 0 && critical[m - 1] == n - 1
        var r = [[Variable?]](repeating: [Variable?](repeating: nil, count: n), count: m + 1)
        var objective = LinearExpression()
        var criticalBefore = 0  // #{k ∈ K : k < j}
        var forcedGap = [Int](repeating: -1, count: n)
        for j in 0 ..< n {
            if isCritical[j] { criticalBefore += 1; continue }
            forcedGap[j] = criticalBefore
        }
        for c in 0 ... m where !(c == m && lastGapEmpty) {
            for j in 0 ..< gapEnd(c) {
                let variable = model.addBinary(name: "r_\(c)_\(j)")
                r[c][j] = variable
                if forcedGap[j] == c {
                    model.setBounds(of: variable, lower: 1, upper: 1)
                } else {
                    objective += LinearExpression(terms: [Term(problem.costs[problem.order[j]], variable)])
                }
            }
        }

        // s: values made by the moment that something may still use.
        var s = [[Int: Variable]](repeating: [:], count: m)
        for (a, k) in critical.enumerated() {
            let touched = Set(readsAt[k] + writesAt[k])
            for v in problem.bytes.indices {
                guard let p = producerPosition[v], p <= k else { continue }
                guard touched.contains(v) || problem.isGraphOutput[v] || !problem.readers[v].isEmpty else { continue }
                let variable = model.addBinary(name: "s_\(a)_\(v)")
                s[a][v] = variable
                if touched.contains(v) { model.setBounds(of: variable, lower: 1, upper: 1) }
            }
        }

        // 1. carry.
        for a in 0 ..< m {
            for (v, kept) in s[a].sorted(by: { $0.key < $1.key }) {
                guard let p = producerPosition[v], p < critical[a] else { continue }  // k_a's own outputs: forced
                var row = LinearExpression(kept)
                if a > 0, let before = s[a - 1][v] { row -= before }
                if mutation != .carryWithoutRemake, let remade = r[a][p] { row -= remade }
                model.add(row <= 0, name: "carry_\(a)_\(v)")
            }
        }
        // 2. reads.
        if mutation != .withoutReads {
            for c in 0 ... m {
                for j in 0 ..< n {
                    guard let runs = r[c][j] else { continue }
                    for v in readsAt[j] {
                        guard let p = producerPosition[v] else { continue }
                        var row = LinearExpression(runs)
                        if c > 0, let kept = s[c - 1][v] { row -= kept }
                        if let made = r[c][p] { row -= made }
                        model.add(row <= 0, name: "read_\(c)_\(j)_\(v)")
                    }
                }
            }
        }
        // 4. memory, with the forced bytes moved to the right: Σ (bytes/cap)·s ≤ 1 over the rest.
        for (a, k) in critical.enumerated() {
            if mutation == .withoutMemoryRow(a) { continue }
            let touched = Set(readsAt[k] + writesAt[k])
            let cap = problem.budget - touched.reduce(0) { $0 + problem.bytes[$1] }
            if cap < 0 { return nil }
            var row = LinearExpression()
            for (v, kept) in s[a].sorted(by: { $0.key < $1.key }) where !touched.contains(v) && problem.bytes[v] > 0 {
                if problem.bytes[v] > cap {
                    model.setBounds(of: kept, lower: 0, upper: 0)  // cannot be resident then
                } else {
                    row += LinearExpression(terms: [Term(Double(problem.bytes[v]) / Double(cap), kept)])
                }
            }
            if !row.terms.isEmpty { model.add(row <= 1, name: "memory_\(a)") }
        }
        // 5. end.
        if m > 0 {
            for v in problem.bytes.indices where problem.isGraphOutput[v] {
                guard let p = producerPosition[v], p <= critical[m - 1] else { continue }
                var row = LinearExpression()
                if let kept = s[m - 1][v] { row += kept }
                if let made = r[m][p] { row += made }
                model.add(row >= 1, name: "end_\(v)")
            }
        }
        model.minimize(objective)
        return Relaxation(model: model, critical: critical, s: s, r: r, position: position, producerPosition: producerPosition)
    }

    /// The point of `relaxation` that a schedule maps to (residency with
    /// its earliest frees at each critical moment, the positions run in
    /// each gap); nil when the schedule's first computations do not follow
    /// the given order, or it runs what the relaxation has no variable for.
    /// O(steps + allocations + m · values).
    public static func values(_ relaxation: Relaxation, for evaluation: RematEvaluation) -> [Double]? {
        guard evaluation.isValid, !evaluation.hasCopies else { return nil }
        let n = relaxation.position.count
        var values = [Double](repeating: 0, count: relaxation.model.variableCount)
        var nextFirst = 0  // positions below it have run
        var gap = 0
        var resident = Set<Int>()
        let critical = relaxation.critical
        for (step, o) in evaluation.schedule.enumerated() {
            guard o >= 0, o < n else { return nil }
            let p = relaxation.position[o]
            guard p <= nextFirst else { return nil }  // first computations in the given order
            for v in evaluation.allocations[step] where relaxation.producerPosition[v] != nil { resident.insert(v) }
            if p == nextFirst, gap < critical.count, p == critical[gap] {
                for (v, variable) in relaxation.s[gap] where resident.contains(v) { values[variable.index] = 1 }
                gap += 1
            } else {
                guard let variable = relaxation.r[gap][p] else { return nil }
                values[variable.index] = 1
            }
            if p == nextFirst { nextFirst += 1 }
            for v in evaluation.frees[step] { resident.remove(v) }
        }
        guard nextFirst == n else { return nil }
        return values
    }

    /// What one solve proved.
    public struct Outcome: Sendable {
        /// The bound (base cost included), nil when the solver gave none.
        public var bound: Double?
        /// Solved to optimality.
        public var proved: Bool
        public var critical: [Int]
        public var variables: Int
        public var rows: Int
        public var seconds: Double
        public var status: SolveStatus
        /// Whether the incumbent was a feasible point (used as the warm start).
        public var warmStarted: Bool
        /// Per critical position (as in ``critical``): the values resident
        /// at its moment in the best solution the solver found, nil without one.
        public var resident: [Set<Int>]?
        /// The other solutions ``grown(_:counts:incumbent:formulation:)``
        /// found on its way, each with its own critical stages and
        /// residents: the one with the strongest bound need not have the
        /// cheapest schedule (``CheckmateMILP`` plans each and starts from
        /// the cheapest).
        public var others: [Outcome] = []
    }

    /// The bound for the critical positions `critical`; nil when no
    /// schedule fits (a critical moment that cannot, or the MILP proved
    /// infeasible). `incumbent`: a fitting schedule, mapped onto the
    /// variables as a warm start when it is a feasible point.
    ///
    /// CBC branches here with strong branching, kept out of reach of its
    /// branching overrun (``CBCSearchSettings/avoidingBranchingOverrun()``:
    /// pseudo-costs trusted after 11 strong branches, no time limit of
    /// CBC's own). With CBC's defaults, CBC 2.10.8 read a branching
    /// candidate it had never stored (`CbcNode::chooseDynamicBranch`) and
    /// the process died of SIGSEGV: 2 of 9 runs of U-Net at its smallest
    /// budget (60 s) under gdb (the one traced to its caller, in a
    /// few-stage relaxation); with these settings, none of 16. Strong
    /// branching itself is worth keeping: without it
    /// (``CBCSearchSettings/strongBranching`` off) many relaxations that
    /// close in under a second stop at their 3 s cap, and in 60 s VGG-16
    /// at 0.8 and U-Net at 0.9 were no longer proved and U-Net's smallest
    /// budget proved 9.984 % instead of 11.214 % (release, two runs side
    /// by side).
    public func solve(_ problem: RematProblem, critical: [Int], incumbent: RematEvaluation? = nil) -> Outcome? {
        solve(problem, critical: critical, incumbent: incumbent, mutation: .none)
    }

    func solve(_ problem: RematProblem, critical: [Int], incumbent: RematEvaluation?, mutation: Mutation) -> Outcome? {
        let clock = Stopwatch()
        guard let relaxation = Self.relaxation(problem, critical: critical, mutation: mutation) else { return nil }
        var solve = options
        solve.warmStart = nil
        solve.relativeGap = nil
        solve.cbc = solve.cbc.avoidingBranchingOverrun()
        var warm = false
        if let incumbent, incumbent.fits(problem.budget), let values = Self.values(relaxation, for: incumbent),
           relaxation.model.violation(at: values) == nil {
            solve.warmStart = values
            warm = true
        }
        let result = solver.solve(relaxation.model, options: solve)
        if result.status == .infeasible {
            return nil
        }
        var resident: [Set<Int>]?
        if result.status.hasSolution, result.values.count == relaxation.model.variableCount {
            resident = relaxation.s.map { Set($0.filter { result.values[$0.value.index] > 0.5 }.keys) }
        }
        var extra = result.bound
        if result.status == .optimal, let objective = result.objective { extra = min(extra ?? objective, objective) }
        return Outcome(bound: extra.map { problem.baseCost + max(0, $0) }, proved: result.status == .optimal, critical: relaxation.critical,
                       variables: relaxation.model.variableCount, rows: relaxation.model.constraintCount,
                       seconds: clock.seconds, status: result.status, warmStarted: warm, resident: resident)
    }

    /// The share of ``grown(_:counts:incumbent:formulation:)``'s time for the few-stage search that comes first.
    public static let fewStageShare = 0.4

    /// The best bound over few critical stages chosen by what they prove
    /// (``fewStages(_:incumbent:formulation:)``, first, in ``fewStageShare`` of the
    /// time) and over `counts` critical stages in turn (the stages of
    /// largest deficit, ``criticalPositions(_:count:)``), all within
    /// ``options``' time limit and deadline together: each solve of the
    /// latter but the last gets half the time left (a solve that stops
    /// early still gives CBC's dual bound, on the bundled graphs often
    /// above a smaller K's optimum); they stop when no stage is left to add
    /// or under a second is left. The outcome of the stages of largest
    /// deficit (all but the last of them refined as the few-stage
    /// search's are, ``refined(_:_:formulation:incumbent:phase:)``: on
    /// ResNet-18 at its smallest budget the five stages of largest
    /// deficit, 107-112, prove 4.858 %, and with the stages where their
    /// schedule runs operators again, 5.79 %)
    /// is kept unless the few stages prove strictly more (on U-Net at 0.6
    /// both prove 3.792 %); the other solutions found on the way come
    /// with it (``Outcome/others``): read as schedules, the cheapest is
    /// the search's start in ``CheckmateMILP`` (with only the returned
    /// solution's schedule, one of two runs at VGG-16's smallest budget
    /// started from the covering plan instead and ended at 5.44 %, the
    /// other proved 1.302 % optimal). Nil without any
    /// bound. Time: the few-stage search's, then at most `counts.count` solves
    /// and ``refinementRounds`` short ones after each but the last.
    public func grown(_ problem: RematProblem, counts: [Int], incumbent: RematEvaluation?,
                      formulation: CheckmateFormulation? = nil) -> Outcome? {
        let phase = Stopwatch()
        let few = CriticalMomentBound(solver: solver, options: options.sharing(Self.fewStageShare, since: phase))
            .fewStages(problem, incumbent: incumbent, formulation: formulation)
        let most = Self.deficitStageCount(problem)
        var best: Outcome?
        var seen = few.map { [$0] } ?? []
        var previous = 0
        for (i, count) in counts.enumerated() {
            let positions = Self.criticalPositions(problem, count: count)
            guard positions.count > previous else { break }
            previous = positions.count
            let last = i == counts.count - 1 || positions.count >= most
            var solve = options
            if let left = options.secondsLeft(phase) {
                guard left >= 1 else { break }
                solve.timeLimit = last ? left : left / 2
            }
            guard let outcome = CriticalMomentBound(solver: solver, options: solve).solve(problem, critical: positions, incumbent: incumbent)
            else { break }
            seen.append(outcome)
            guard let bound = outcome.bound, bound > best?.bound ?? -.infinity else { continue }
            best = outcome
            // Before the next, larger set: the stages where the solution's schedule is over the budget or runs operators
            // again, kept only when they raise the bound (at an equal bound the unrefined solution stays the one returned).
            if !last, let formulation {
                let deeper = refined(outcome, problem, formulation: formulation, incumbent: incumbent, phase: phase)
                if let raised = deeper.bound, CostTolerance.isAbove(raised, bound) {
                    best = deeper
                    seen.append(deeper)
                }
            }
        }
        var chosen = best
        if let few, let fewBound = few.bound, best?.bound.map({ CostTolerance.isAbove(fewBound, $0) }) ?? true { chosen = few }
        guard var result = chosen else { return nil }
        result.others = seen.filter { $0.critical != result.critical || $0.bound != result.bound }
        return result
    }
}
