import MILP

/// A two-phase primal simplex on a dense tableau, for the offload LP only:
/// a dozen columns and twenty rows, where building a GLPK problem costs
/// more than solving it. It solves
///
///     minimise c·x  subject to  lᵣ ≤ A x ≤ uᵣ (per row),  lⱼ ≤ xⱼ ≤ uⱼ,
///
/// read from a ``Model`` without integer variables. Fixed variables are
/// substituted; other lower bounds shifted to 0; finite upper bounds become
/// rows (none in the offload LP besides fixed fractions, whose ≤ 1 follows
/// from the sum rows). Each row becomes one or two standard rows with
/// b ≥ 0, a slack (≤), a surplus and an artificial (≥), or an artificial
/// (=). Phase 1 minimises the artificials; phase 2 the objective.
/// Bland's rule (lowest index enters and leaves) rules out cycling.
///
/// Cost: O(m·(n + m)) per pivot for m rows and n columns, a few dozen
/// pivots on the offload LP — microseconds. Its answers are checked
/// against GLPK's in the tests; callers re-evaluate the solution anyway.
struct DenseSimplex {
    /// Feasibility and optimality tolerance, relative to the row scale.
    static let tolerance = 1e-9

    /// A solution (one value per model variable), or nil when infeasible
    /// (or unbounded, which the offload LP never is).
    static func solve(_ model: Model) -> [Double]? { solve(DenseLP(model)) }

    static func solve(_ lp: DenseLP) -> [Double]? {
        let n = lp.lower.count
        var shift = [Double](repeating: 0, count: n)   // x = shift + x' for free columns
        var column = [Int](repeating: -1, count: n)    // model variable → tableau column, -1 if fixed
        var columns = 0
        var extraRows: [(Int, Double)] = []           // x' ≤ u − l
        for j in 0 ..< n {
            shift[j] = lp.lower[j].isFinite ? lp.lower[j] : 0
            if lp.upper[j] - lp.lower[j] <= 0 { continue }
            column[j] = columns
            columns += 1
            if lp.upper[j].isFinite { extraRows.append((j, lp.upper[j] - lp.lower[j])) }
        }
        // Standard rows: (coefficients over tableau columns, sense, rhs).
        enum Sense { case le, ge, eq }
        var rows: [([Double], Sense, Double)] = []
        for r in 0 ..< lp.rowLower.count {
            var a = [Double](repeating: 0, count: columns)
            var constant = 0.0
            for j in 0 ..< n {
                let coefficient = lp.matrix[r * n + j]
                if coefficient == 0 { continue }
                constant += coefficient * shift[j]
                if column[j] >= 0 { a[column[j]] += coefficient }
            }
            let lower = lp.rowLower[r] - constant, upper = lp.rowUpper[r] - constant
            if lower == upper {
                rows.append((a, .eq, lower))
            } else {
                if upper.isFinite { rows.append((a, .le, upper)) }
                if lower.isFinite { rows.append((a, .ge, lower)) }
            }
        }
        for (j, bound) in extraRows {
            var a = [Double](repeating: 0, count: columns)
            a[column[j]] = 1
            rows.append((a, .le, bound))
        }
        // A row with no free column checks constants only: its slack or
        // artificial decides (an equality with b ≠ 0 stays infeasible).
        for i in rows.indices where rows[i].2 < 0 {
            rows[i].0 = rows[i].0.map { -$0 }
            rows[i].2 = -rows[i].2
            rows[i].1 = rows[i].1 == .le ? .ge : rows[i].1 == .ge ? .le : .eq
        }
        let m = rows.count
        let slacks = rows.filter { $0.1 != .eq }.count
        let artificials = rows.filter { $0.1 != .le }.count
        let width = columns + slacks + artificials + 1    // last column: rhs
        var t = [Double](repeating: 0, count: (m + 1) * width)  // row m: objective (reduced costs)
        var basis = [Int](repeating: 0, count: m)
        var nextSlack = columns, nextArtificial = columns + slacks
        let firstArtificial = columns + slacks
        for (i, row) in rows.enumerated() {
            for c in 0 ..< columns { t[i * width + c] = row.0[c] }
            t[i * width + width - 1] = row.2
            switch row.1 {
            case .le:
                t[i * width + nextSlack] = 1
                basis[i] = nextSlack
                nextSlack += 1
            case .ge:
                t[i * width + nextSlack] = -1
                nextSlack += 1
                t[i * width + nextArtificial] = 1
                basis[i] = nextArtificial
                nextArtificial += 1
            case .eq:
                t[i * width + nextArtificial] = 1
                basis[i] = nextArtificial
                nextArtificial += 1
            }
        }
        let scale = max(1, rows.map { $0.2 }.max() ?? 1)

        /// Pivots until optimal for the objective in row m over columns < `limit`; false if unbounded.
        func iterate(limit: Int) -> Bool {
            for _ in 0 ..< 50 * (m + width) {
                // Entering: lowest index with a negative reduced cost (Bland).
                var entering = -1
                for c in 0 ..< limit where t[m * width + c] < -Self.tolerance {
                    entering = c
                    break
                }
                if entering < 0 { return true }
                var leaving = -1
                var best = Double.infinity
                for i in 0 ..< m {
                    let a = t[i * width + entering]
                    guard a > Self.tolerance else { continue }
                    let ratio = t[i * width + width - 1] / a
                    let slack = 1e-12 * max(1, abs(best))
                    if leaving < 0 || ratio < best - slack || (ratio <= best + slack && basis[i] < basis[leaving]) {
                        best = ratio
                        leaving = i
                    }
                }
                if leaving < 0 { return false }
                pivot(leaving, entering)
            }
            return true
        }
        func pivot(_ r: Int, _ c: Int) {
            let p = t[r * width + c]
            for k in 0 ..< width { t[r * width + k] /= p }
            for i in 0 ... m where i != r {
                let factor = t[i * width + c]
                if factor == 0 { continue }
                for k in 0 ..< width { t[i * width + k] -= factor * t[r * width + k] }
            }
            basis[r] = c
        }

        // Phase 1: minimise the artificials (objective row = −Σ artificial rows).
        if artificials > 0 {
            for i in 0 ..< m where basis[i] >= firstArtificial {
                for k in 0 ..< width { t[m * width + k] -= t[i * width + k] }
            }
            for k in firstArtificial ..< firstArtificial + artificials { t[m * width + k] = 0 }
            _ = iterate(limit: firstArtificial)
            if -t[m * width + width - 1] > Self.tolerance * scale { return nil }
            // Drive zero-level artificials out of the basis where a real column can replace them.
            for i in 0 ..< m where basis[i] >= firstArtificial {
                if let c = (0 ..< firstArtificial).first(where: { abs(t[i * width + $0]) > Self.tolerance }) { pivot(i, c) }
            }
        }
        // Phase 2: the objective's reduced costs over the current basis.
        for k in 0 ..< width { t[m * width + k] = 0 }
        for j in 0 ..< n where column[j] >= 0 { t[m * width + column[j]] = lp.objective[j] }
        for i in 0 ..< m where basis[i] < firstArtificial {
            let cost = t[m * width + basis[i]]
            if cost != 0 { for k in 0 ..< width { t[m * width + k] -= cost * t[i * width + k] } }
        }
        // Artificials left in the basis (redundant rows) sit at zero; keep them out of entering.
        guard iterate(limit: firstArtificial) else { return nil }
        var values = shift
        for i in 0 ..< m where basis[i] < columns {
            if let j = column.firstIndex(of: basis[i]) { values[j] = shift[j] + max(0, t[i * width + width - 1]) }
        }
        return values
    }
}

/// A continuous LP as dense arrays: what ``DenseSimplex`` reads. The
/// offload LP's data are affine in nb for a fixed gbs (every coefficient
/// and bound is a + b·bls), so the search builds two and interpolates.
struct DenseLP {
    var lower: [Double], upper: [Double]
    /// Row-major, rows × variables.
    var matrix: [Double]
    var rowLower: [Double], rowUpper: [Double]
    var objective: [Double]

    init(_ model: Model) {
        let n = model.variableCount
        lower = model.variables.map(\.lower)
        upper = model.variables.map(\.upper)
        matrix = [Double](repeating: 0, count: model.constraintCount * n)
        for r in 0 ..< model.constraintCount {
            for (j, coefficient) in model.row(r) { matrix[r * n + j] += coefficient }
        }
        rowLower = model.rowLower
        rowUpper = model.rowUpper
        objective = model.denseObjective
    }

    /// a + t·(b − a), entry by entry (infinite bounds stay infinite). O(size).
    static func interpolate(_ a: DenseLP, _ b: DenseLP, t: Double) -> DenseLP {
        func mix(_ x: [Double], _ y: [Double]) -> [Double] {
            zip(x, y).map { $0.isFinite && $1.isFinite ? $0 + t * ($1 - $0) : $0 }
        }
        var result = a
        result.lower = mix(a.lower, b.lower)
        result.upper = mix(a.upper, b.upper)
        result.matrix = mix(a.matrix, b.matrix)
        result.rowLower = mix(a.rowLower, b.rowLower)
        result.rowUpper = mix(a.rowUpper, b.rowUpper)
        result.objective = mix(a.objective, b.objective)
        return result
    }
}

/// The dense simplex as a ``Solver``, continuous models only; what
/// ``PolicySearch`` uses by default.
public struct DenseSimplexSolver: Solver {
    public let name = "dense-simplex"

    public init() {}

    public func solve(_ model: Model, options: SolveOptions) -> SolveResult {
        let clock = Stopwatch()
        guard !model.hasIntegerVariables else {
            return SolveResult(status: .error, seconds: clock.seconds, solver: name, message: "continuous models only")
        }
        guard let values = DenseSimplex.solve(model) else {
            return SolveResult(status: .infeasible, seconds: clock.seconds, solver: name)
        }
        let objective = model.objective.value(at: values)
        return SolveResult(status: .optimal, objective: objective, bound: objective, seconds: clock.seconds,
                           values: values, solver: name)
    }
}
