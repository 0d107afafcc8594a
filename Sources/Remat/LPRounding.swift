import MILP

/// A fast answer and a bound over stage schedules: the LP relaxation of
/// Checkmate's MILP (``CheckmateFormulation/relaxation``), rounded.
///
/// The relaxation's optimum is a lower bound on the cost of every stage
/// schedule in the given order that fits (scope
/// ``RematSolution/BoundScope/stages``); it counts only when the LP was
/// solved to optimality, and the bound reported is the larger of it and
/// ``StageKnapsackBound`` (same scope). For each threshold θ in 0.05, 0.10, …, 0.95
/// the keeps are rounded (S[t,v] = 1 when S*[t,v] ≥ θ), the cheapest
/// recomputations follow by closure (each stage recomputes what its
/// operators read and the next stage must start with but it does not
/// keep), useless recomputations are dropped (``StageSchedule/canonical(_:_:)``)
/// and the schedule is measured; one over budget is repaired by dropping,
/// at its peak, a kept value resident there (of the largest few, the one
/// with the most bytes per unit of the recomputation its drop adds, its
/// closure included) from there to its next reading stage, until
/// it fits (at most 2n repairs per θ) or nothing is left to drop. The
/// cheapest schedule that fits is returned.
///
/// Time: one LP solve plus 19 × (2n + 1) schedules of O(steps + reads)
/// each (a schedule has at most n(n+1)/2 steps), each repair scoring at
/// most ``repairCandidates`` drops by their closure, O(n · reads) each.
public struct LPRounding: Sendable {
    public var solver: any Solver
    public var options: SolveOptions
    public var strengthenings: CheckmateFormulation.Strengthenings

    public static let method = "lp"
    public static let thresholds: [Double] = (1 ... 19).map { Double($0) / 20 }

    public init(solver: any Solver = CBCSolver(), options: SolveOptions = SolveOptions(),
                strengthenings: CheckmateFormulation.Strengthenings = .all) {
        self.solver = solver
        self.options = options
        self.strengthenings = strengthenings
    }

    public func plan(_ problem: RematProblem) throws(RematFailure) -> RematSolution {
        let formulation = CheckmateFormulation(problem, strengthenings: strengthenings)
        let relaxation = formulation.relaxation
        var lpOptions = options
        lpOptions.warmStart = nil
        lpOptions.relativeGap = nil
        let result = solver.solve(relaxation, options: lpOptions)
        guard result.status.hasSolution else {
            if result.status == .infeasible {
                throw .notFound(method: Self.method, budget: problem.budget,
                                reason: "no stage schedule in the given order fits (the LP relaxation is infeasible)")
            }
            throw .notFound(method: Self.method, budget: problem.budget, reason: "the LP relaxation was not solved (\(result.status.rawValue))")
        }
        let keeps = formulation.keeps(from: result.values)
        var best: RematEvaluation?
        for theta in Self.thresholds {
            if options.deadline?.expired == true, best != nil { break }
            var kept = keeps.map { stage in Set(stage.filter { $0.value >= theta - 1e-9 }.map(\.key)) }
            for v in problem.bytes.indices where problem.isGraphOutput[v] && formulation.producerPosition[v] != nil { kept[formulation.n].insert(v) }
            guard let evaluation = Self.repaired(formulation, kept: kept) else { continue }
            if evaluation.cost < best?.cost ?? .infinity { best = evaluation }
        }
        guard let best else {
            throw .notFound(method: Self.method, budget: problem.budget, reason: "no rounding of the LP relaxation could be repaired to fit")
        }
        // The LP optimum bounds the MILP's only when the LP was solved to optimality.
        let lpBound = result.status == .optimal ? result.objective : nil
        // The stage knapsacks' bound holds for the same schedules and knows integrality: the larger one.
        let strongest = RematSolution.strongest([(lpBound, .lp), (StageKnapsackBound.cost(problem), .stageKnapsack)])
        let bound = strongest?.bound
        var solution = RematSolution(method: Self.method, evaluation: best, bound: bound.map { max(problem.baseCost, $0) },
                                     boundScope: bound == nil ? nil : .stages)
        solution.boundSource = strongest?.source
        solution.solverStatus = result.status.rawValue
        solution.objective = result.objective
        solution.variables = relaxation.variableCount
        solution.rows = relaxation.constraintCount
        return solution
    }

    /// The stages that keeping `kept[t]` into each stage t requires: stage
    /// t runs t, the producers of what the next stage keeps but this one
    /// does not, and, transitively, the producers of what those read and
    /// the stage does not keep. O(n · reads).
    static func stages(_ formulation: CheckmateFormulation, kept: [Set<Int>]) -> [[Int]] {
        (0 ..< formulation.n).map { t in
            var need: Set<Int> = [t]
            var pending = [t]
            for v in kept[t + 1] where !kept[t].contains(v) {
                if let p = formulation.producerPosition[v], p <= t, need.insert(p).inserted { pending.append(p) }
            }
            while let k = pending.popLast() {
                for v in formulation.readsAt[k] where !kept[t].contains(v) {
                    if let p = formulation.producerPosition[v], p < t, need.insert(p).inserted { pending.append(p) }
                }
            }
            return need.sorted()
        }
    }

    /// Candidates a repair step scores (the largest resident kept values).
    static let repairCandidates = 8

    static func cost(_ formulation: CheckmateFormulation, _ stages: [[Int]]) -> Double {
        stages.reduce(0) { $0 + $1.reduce(0) { $0 + formulation.problem.costs[formulation.problem.order[$1]] } }
    }

    /// `kept` without `v` from stage t until the first later stage that reads it.
    static func dropping(_ v: Int, from kept: [Set<Int>], at t: Int, _ formulation: CheckmateFormulation, _ stages: [[Int]]) -> [Set<Int>] {
        var kept = kept
        var stage = t
        while stage < formulation.n, kept[stage].contains(v) {
            kept[stage].remove(v)
            if stage > t, formulation.readerPositions[v].contains(where: { stages[stage].contains($0) }) { break }
            stage += 1
        }
        return kept
    }

    /// The kept sets of a stage schedule that holds every value from the
    /// stage after its producer to its last use (the end for graph outputs),
    /// except in the stages `dropping` names, given the value and its uses
    /// (its producer's position, then its readers' in order, then n, the
    /// end, for a graph output when `endIsUse`): the start of the covering
    /// and critical-moment schedules before ``repaired(_:kept:)``. A graph
    /// output is in kept[n] whatever `dropping` says, so a stretch that
    /// runs to the end remakes it in the last stage.
    /// Time: O(values · n) plus the closure's.
    static func keptBetweenUses(_ formulation: CheckmateFormulation, endIsUse: Bool = false,
                                dropping: (_ value: Int, _ uses: [Int]) -> [Range<Int>]) -> [Set<Int>] {
        let problem = formulation.problem
        let n = formulation.n
        var kept = [Set<Int>](repeating: [], count: n + 1)
        for v in problem.bytes.indices {
            guard let p = formulation.producerPosition[v] else { continue }
            let output = problem.isGraphOutput[v]
            let readers = formulation.readerPositions[v].filter { $0 > p }.sorted()
            let last = output ? n : (readers.last ?? p)
            guard last > p else { continue }
            let dropped = dropping(v, [p] + readers + (output && endIsUse ? [n] : []))
            for t in (p + 1) ... last where (output && t == n) || !dropped.contains(where: { $0.contains(t) }) { kept[t].insert(v) }
        }
        return kept
    }

    /// The stage schedule that keeping `kept` requires (``stages(_:kept:)``,
    /// useless recomputations dropped) and its measurement.
    static func measured(_ formulation: CheckmateFormulation, kept: [Set<Int>]) -> (stages: [[Int]], evaluation: RematEvaluation) {
        let stages = StageSchedule.canonical(stages(formulation, kept: kept), formulation.problem)
        return (stages, formulation.problem.evaluate(formulation.schedule(of: stages)))
    }

    /// The stage that step `step` of `stages` (run in order) belongs to, and its index there. O(n).
    static func stage(ofStep step: Int, in stages: [[Int]]) -> (stage: Int, index: Int) {
        var stage = 0, first = 0
        while first + stages[stage].count <= step {
            first += stages[stage].count
            stage += 1
        }
        return (stage, step - first)
    }

    /// The schedule of `kept`, repaired until it fits (see the type's doc),
    /// nil when it cannot be.
    static func repaired(_ formulation: CheckmateFormulation, kept initial: [Set<Int>]) -> RematEvaluation? {
        let problem = formulation.problem
        var kept = initial
        for _ in 0 ... 2 * formulation.n {
            let (stages, evaluation) = measured(formulation, kept: kept)
            guard evaluation.isValid else { return nil }
            if evaluation.fits(problem.budget) { return evaluation }
            guard let peak = evaluation.peakStep else { return nil }
            // The stage and position of the peak's step, and what is resident there.
            let (t, index) = stage(ofStep: peak, in: stages)
            let k = stages[t][index]
            var resident = Set<Int>()
            for s in 0 ... peak {
                resident.formUnion(evaluation.allocations[s])
                if s < peak { resident.subtract(evaluation.frees[s]) }
            }
            let touched = Set(formulation.readsAt[k] + formulation.writes[k])
            var candidates: [Int] = []
            for v in kept[t] where resident.contains(v) && !touched.contains(v) && problem.bytes[v] > 0 {
                guard let p = formulation.producerPosition[v] else { continue }
                // Dropping it helps unless the stage recomputes it before the peak for a reader after the peak.
                if p < k, formulation.readerPositions[v].contains(where: { $0 > k && stages[t].contains($0) }) { continue }
                candidates.append(v)
            }
            // The largest few, scored by bytes per unit of the recomputation they add (closure included).
            candidates.sort { (problem.bytes[$0], $1) > (problem.bytes[$1], $0) }
            let cost = Self.cost(formulation, Self.stages(formulation, kept: kept))
            var choice: (kept: [Set<Int>], score: Double)?
            for v in candidates.prefix(Self.repairCandidates) {
                let trial = Self.dropping(v, from: kept, at: t, formulation, stages)
                let added = max(0, Self.cost(formulation, Self.stages(formulation, kept: trial)) - cost)
                let score = Double(problem.bytes[v]) / (added + 1e-9)
                if score > choice?.score ?? -1 { choice = (trial, score) }
            }
            guard let choice else { return nil }
            kept = choice.kept
        }
        return nil
    }
}
