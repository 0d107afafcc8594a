import MILP

/// A lower bound on the cost of every stage schedule that fits
/// (``RematSolution/BoundScope/stages``) that couples the stages of
/// ``StageKnapsackBound`` in one covering MILP instead of taking the
/// largest of their knapsacks.
///
/// Let y_p say whether the operator at position p runs again in some
/// stage after its own (after its first run). In a stage schedule that
/// fits, at stage t every value of ``StageKnapsackBound``'s row that is
/// not resident belongs to a producer that runs again after t (a later
/// reader, or the end for a graph output, needs it back), so y_p = 1 for
/// it. The resident ones fit in cap_t, so for every stage t at once
///
///     Σ_{p ∈ P_t} w_{p,t} · y_p ≥ W_t − cap_t =: d_t
///
/// and the extra cost is at least Σ_p cost_p · y_p (each such producer
/// runs at least once more). The y of any fitting stage schedule
/// satisfies every row, so the covering MILP's optimum (min Σ cost_p y_p
/// over those rows, y binary) is a lower bound, and it is at least each
/// row's knapsack alone: it dominates ``StageKnapsackBound``. Each row is
/// written as Σ min(w_{p,t}, d_t)/d_t · y_p ≥ 1 (a coefficient above the
/// demand covers it alone either way: the same binary solutions, a
/// tighter relaxation). CBC's tolerances can only admit more solutions,
/// which lowers the optimum: the bound stays valid. If the solve stops
/// early, CBC's dual bound is still a bound; the result is never below the
/// stage knapsacks' (their maximum is taken too).
///
/// Size: one binary per producer that some row needs, one row per stage
/// that must drop something, at most n · producers nonzeros (memory
/// O(n · values)); building it is O(n · values), the solve is CBC's,
/// stopped by ``options``.
public struct StageCoverBound: Sendable {
    public var solver: any Solver
    /// Time limit and deadline of the solve; other options go to CBC.
    public var options: SolveOptions

    public static let name = "cover"

    public init(solver: any Solver = CBCSolver(), options: SolveOptions = SolveOptions()) {
        self.solver = solver
        self.options = options
    }

    /// The covering rows of a problem: per stage that must drop bytes, the
    /// producers (positions) and their bytes, and the demand.
    public struct Rows: Sendable {
        /// Per row: (producer position, bytes) sorted by position, and the demand d_t > 0.
        public var rows: [(weights: [(position: Int, bytes: Int)], demand: Int)]
        /// Positions that appear in some row, ascending (the MILP's columns).
        public var producers: [Int]
    }

    /// The rows, nil when some stage cannot fit even with every droppable
    /// value gone (no stage schedule fits). O(n · values).
    public static func rows(_ problem: RematProblem) -> Rows? {
        let positions = StageKnapsackBound.Positions(problem)
        var rows: [(weights: [(position: Int, bytes: Int)], demand: Int)] = []
        var used = Set<Int>()
        for t in 0 ..< positions.n {
            guard let row = StageKnapsackBound.row(positions, t) else { return nil }
            guard row.demand > 0 else { continue }
            let weights = row.weights.map { (position: $0.key, bytes: $0.value) }.sorted { $0.position < $1.position }
            used.formUnion(weights.map(\.position))
            rows.append((weights, row.demand))
        }
        return Rows(rows: rows, producers: used.sorted())
    }

    /// The positions whose operators a stage schedule runs again after their own stage. O(steps).
    public static func recomputed(_ stages: [[Int]]) -> Set<Int> {
        var found = Set<Int>()
        for (t, stage) in stages.enumerated() { for p in stage where p != t { found.insert(p) } }
        return found
    }

    /// Whether recomputing the producers at `chosen` (positions) satisfies every row, in exact integers.
    public static func covers(_ rows: Rows, _ chosen: Set<Int>) -> Bool {
        rows.rows.allSatisfy { row in
            row.weights.reduce(0) { $0 + (chosen.contains($1.position) ? $1.bytes : 0) } >= row.demand
        }
    }

    /// The covering MILP of `rows`: one binary per producer, costs from `problem`.
    public static func model(_ problem: RematProblem, _ rows: Rows) -> Model {
        var model = Model(name: "stage-cover")
        let y = rows.producers.map { model.addBinary(name: "y\($0)") }
        var column: [Int: Variable] = [:]
        for (i, p) in rows.producers.enumerated() { column[p] = y[i] }
        for (r, row) in rows.rows.enumerated() {
            var expression = LinearExpression()
            for w in row.weights {
                guard let variable = column[w.position] else { continue }
                expression += LinearExpression(terms: [Term(Double(min(w.bytes, row.demand)) / Double(row.demand), variable)])
            }
            _ = model.add(expression >= 1, name: "stage\(r)")
        }
        var objective = LinearExpression()
        for (i, p) in rows.producers.enumerated() {
            objective += LinearExpression(terms: [Term(problem.costs[problem.order[p]], y[i])])
        }
        model.minimize(objective)
        return model
    }

    /// What one solve proved.
    public struct Outcome: Sendable {
        /// The bound (base cost included): the larger of the covering
        /// MILP's dual bound and the stage knapsacks'.
        public var bound: Double
        /// The covering MILP's own bound (base cost included), nil when the solver gave none.
        public var coverBound: Double?
        /// ``StageKnapsackBound``'s (base cost included).
        public var knapsack: Double
        /// Solved to optimality.
        public var proved: Bool
        /// The cheapest cover the solver found (positions whose producers run again), if any.
        public var cover: [Int]?
        public var variables: Int
        public var rows: Int
        public var status: SolveStatus
    }

    /// The bound; nil when no stage schedule fits (a stage that cannot
    /// drop enough, or a covering MILP proved infeasible). `incumbent`: the
    /// positions whose producers a known fitting stage schedule runs again
    /// (a feasible warm start).
    public func solve(_ problem: RematProblem, incumbent: Set<Int>? = nil) -> Outcome? {
        guard let rows = Self.rows(problem), let knapsack = StageKnapsackBound.cost(problem) else { return nil }
        if rows.rows.isEmpty {
            return Outcome(bound: problem.baseCost, coverBound: problem.baseCost, knapsack: knapsack, proved: true, cover: [], variables: 0, rows: 0, status: .optimal)
        }
        let model = Self.model(problem, rows)
        var solve = options
        if let incumbent, Self.covers(rows, incumbent) {
            solve.warmStart = rows.producers.map { incumbent.contains($0) ? 1 : 0 }
        }
        let result = solver.solve(model, options: solve)
        if result.status == .infeasible { return nil }
        var coverBound: Double?
        if let bound = result.bound { coverBound = bound }
        if result.status == .optimal, let objective = result.objective, options.relativeGap == nil {
            coverBound = min(coverBound ?? objective, objective)
        }
        var cover: [Int]?
        if result.status.hasSolution, result.values.count == rows.producers.count {
            let chosen = rows.producers.indices.filter { result.values[$0] > 0.5 }.map { rows.producers[$0] }
            if Self.covers(rows, Set(chosen)) { cover = chosen }
        }
        let total = coverBound.map { problem.baseCost + max(0, $0) }
        return Outcome(bound: max(knapsack, total ?? knapsack), coverBound: total, knapsack: knapsack, proved: result.status == .optimal,
                       cover: cover, variables: model.variableCount, rows: model.constraintCount, status: result.status)
    }
}
