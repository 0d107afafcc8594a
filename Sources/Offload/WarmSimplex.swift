/// A dense bounded-variable primal simplex that keeps its basis between
/// solves, for the offload planners' small LPs (tens of rows and columns)
/// that are solved again and again with slightly different coefficients
/// (one LP per batch shape: the data move with the number of GPU batches,
/// the structure does not).
///
/// The LP is read in GLPK's computational form
///
///     minimise c·x  subject to  A x − w = 0,  l ≤ x ≤ u,  rl ≤ w ≤ ru,
///
/// with one logical variable w per row, so that every row kind (≤, ≥, =,
/// ranged, free) is a bound on a variable. A basis holds m of the n + m
/// variables; the others sit at a finite bound (or at zero when free).
/// The basis inverse is kept as a dense m × m matrix, rebuilt by
/// Gauss–Jordan elimination at the start of every solve (the coefficients
/// changed) and every 64 pivots, and updated by one elimination step per
/// pivot in between.
///
/// A solve starts from the previous solve's basis: when coefficients move a
/// little, the old optimal basis is still optimal or a few pivots away
/// from it. Phase 1 minimises the sum of bound violations of the basic
/// variables (textbook composite phase 1: a violated variable blocks where
/// it becomes feasible), so it starts from any basis, feasible or not;
/// phase 2 is the ordinary bounded primal simplex. Pricing is Dantzig's
/// (largest reduced cost), switching to Bland's rule (lowest index) after
/// 20 consecutive degenerate pivots until one makes progress, which rules
/// out cycling; the ratio test is Harris's two-pass test (among the
/// variables that block within the tolerance, the largest pivot).
///
/// Cost: O(m³) to rebuild the inverse, O(m·(n + m)) per pivot; a warm
/// re-solve of FlexGen's LP (20 rows, 11 columns) is a few microseconds.
/// Memory O(m·(n + m)). The solver never traps on the data it is given:
/// a singular basis falls back to the slack basis, and a solve that
/// exceeds its pivot budget reports ``Outcome/failed`` (callers then use
/// GLPK).
struct WarmSimplex {
    enum Outcome: Equatable {
        /// Optimal structural values (one per LP column).
        case optimal([Double])
        case infeasible
        case unbounded
        /// Numerical trouble or the pivot budget ran out.
        case failed
    }

    private(set) var lp: DenseLP
    let n: Int, m: Int
    /// Variable in each basis row (j < n structural, n + i the logical of row i).
    private var basis: [Int]
    /// Row of the basis holding each variable, or −1 when nonbasic.
    private var row: [Int]
    /// For nonbasic variables: whether they sit at their upper bound.
    private var atUpper: [Bool]
    private var inverse: [Double]
    /// Room for the basis matrix while it is inverted.
    private var scratch: [Double] = []
    private var x: [Double]
    /// Pivots over the object's life (for benchmarks and tests).
    private(set) var pivots = 0
    /// Solves that started from a previous basis and needed no phase 1.
    private(set) var warmFeasibleStarts = 0

    static let primalTolerance = 1e-9
    static let dualTolerance = 1e-9
    static let pivotTolerance = 1e-9

    init(_ lp: DenseLP) {
        self.lp = lp
        n = lp.lower.count
        m = lp.rowLower.count
        basis = []
        row = []
        atUpper = []
        inverse = []
        x = []
        resetToSlackBasis()
    }

    /// Replaces the coefficients; the dimensions must be the same. The
    /// basis is kept for the next solve.
    mutating func update(_ newLP: DenseLP) {
        precondition(newLP.lower.count == n && newLP.rowLower.count == m, "WarmSimplex.update: dimensions changed")
        lp = newLP
    }

    /// Sets the coefficients to a + t·(b − a) in place (``DenseLP/interpolate(_:_:t:)``
    /// without allocating); the dimensions must be those of this LP.
    mutating func update(interpolating a: DenseLP, _ b: DenseLP, t: Double) {
        precondition(a.lower.count == n && a.rowLower.count == m, "WarmSimplex.update: dimensions changed")
        func mix(_ target: inout [Double], _ x: [Double], _ y: [Double]) {
            target.withUnsafeMutableBufferPointer { out in
                x.withUnsafeBufferPointer { x in
                    y.withUnsafeBufferPointer { y in
                        for i in 0 ..< out.count {
                            let (p, q) = (x[i], y[i])
                            out[i] = p.isFinite && q.isFinite && p != q ? p + t * (q - p) : p
                        }
                    }
                }
            }
        }
        mix(&lp.lower, a.lower, b.lower)
        mix(&lp.upper, a.upper, b.upper)
        mix(&lp.matrix, a.matrix, b.matrix)
        mix(&lp.rowLower, a.rowLower, b.rowLower)
        mix(&lp.rowUpper, a.rowUpper, b.rowUpper)
        mix(&lp.objective, a.objective, b.objective)
    }

    // MARK: Variables of the computational form

    private func lower(_ j: Int) -> Double { j < n ? lp.lower[j] : lp.rowLower[j - n] }
    private func upper(_ j: Int) -> Double { j < n ? lp.upper[j] : lp.rowUpper[j - n] }
    private func cost(_ j: Int) -> Double { j < n ? lp.objective[j] : 0 }

    /// The value a nonbasic variable takes: its bound (zero when free).
    private func nonbasicValue(_ j: Int) -> Double {
        let l = lower(j), u = upper(j)
        if atUpper[j] { return u.isFinite ? u : (l.isFinite ? l : 0) }
        return l.isFinite ? l : (u.isFinite ? u : 0)
    }

    private mutating func resetToSlackBasis() {
        basis = (0 ..< m).map { n + $0 }
        row = [Int](repeating: -1, count: n + m)
        for i in 0 ..< m { row[n + i] = i }
        atUpper = [Bool](repeating: false, count: n + m)
        for j in 0 ..< n where !lp.lower[j].isFinite && lp.upper[j].isFinite { atUpper[j] = true }
    }

    // MARK: Linear algebra on the basis

    /// Rebuilds the inverse of the basis matrix by Gauss–Jordan elimination
    /// with partial pivoting; false when it is singular. O(m³), on the
    /// object's own buffers.
    private mutating func factor() -> Bool {
        let m = self.m, n = self.n
        if scratch.count != m * m { scratch = [Double](repeating: 0, count: m * m) }
        if inverse.count != m * m { inverse = [Double](repeating: 0, count: m * m) }
        let basis = self.basis
        return lp.matrix.withUnsafeBufferPointer { A in
            scratch.withUnsafeMutableBufferPointer { b in
                inverse.withUnsafeMutableBufferPointer { inv in
                    for i in 0 ..< m * m { b[i] = 0; inv[i] = 0 }
                    for (i, j) in basis.enumerated() {
                        if j < n {
                            for k in 0 ..< m { b[k * m + i] = A[k * n + j] }
                        } else {
                            b[(j - n) * m + i] = -1
                        }
                    }
                    for i in 0 ..< m { inv[i * m + i] = 1 }
                    for c in 0 ..< m {
                        var p = c
                        var best = abs(b[c * m + c])
                        for r in c + 1 ..< m where abs(b[r * m + c]) > best {
                            best = abs(b[r * m + c])
                            p = r
                        }
                        guard best > 1e-12, best.isFinite else { return false }
                        if p != c {
                            for k in 0 ..< m {
                                let (x, y) = (b[c * m + k], inv[c * m + k])
                                b[c * m + k] = b[p * m + k]; inv[c * m + k] = inv[p * m + k]
                                b[p * m + k] = x; inv[p * m + k] = y
                            }
                        }
                        let scale = 1 / b[c * m + c]
                        for k in 0 ..< m {
                            b[c * m + k] *= scale
                            inv[c * m + k] *= scale
                        }
                        for r in 0 ..< m where r != c {
                            let f = b[r * m + c]
                            if f == 0 { continue }
                            for k in c ..< m { b[r * m + k] -= f * b[c * m + k] }
                            for k in 0 ..< m { inv[r * m + k] -= f * inv[c * m + k] }
                        }
                    }
                    return true
                }
            }
        }
    }

    /// B⁻¹·(column j of [A | −I]).
    private func column(_ j: Int) -> [Double] {
        var alpha = [Double](repeating: 0, count: m)
        if j < n {
            for k in 0 ..< m {
                let a = lp.matrix[k * n + j]
                if a == 0 { continue }
                for i in 0 ..< m { alpha[i] += inverse[i * m + k] * a }
            }
        } else {
            let r = j - n
            for i in 0 ..< m { alpha[i] = -inverse[i * m + r] }
        }
        return alpha
    }

    /// Sets nonbasic variables to their bounds and solves for the basic ones.
    private mutating func computeValues() {
        x = [Double](repeating: 0, count: n + m)
        var rhs = [Double](repeating: 0, count: m)
        for j in 0 ..< n + m where row[j] < 0 {
            let value = nonbasicValue(j)
            x[j] = value
            if value == 0 { continue }
            if j < n {
                for k in 0 ..< m { rhs[k] -= lp.matrix[k * n + j] * value }
            } else {
                rhs[j - n] += value
            }
        }
        for i in 0 ..< m {
            var sum = 0.0
            for k in 0 ..< m { sum += inverse[i * m + k] * rhs[k] }
            x[basis[i]] = sum
        }
    }

    /// yᵀ = c_Bᵀ B⁻¹ for basic costs `basicCost`.
    private func duals(_ basicCost: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: m)
        for i in 0 ..< m where basicCost[i] != 0 {
            let c = basicCost[i]
            for k in 0 ..< m { y[k] += c * inverse[i * m + k] }
        }
        return y
    }

    /// Reduced cost of variable j under duals y and its own cost.
    private func reducedCost(_ j: Int, _ y: [Double], own: Double) -> Double {
        if j < n {
            var d = own
            for k in 0 ..< m { d -= y[k] * lp.matrix[k * n + j] }
            return d
        }
        return own + y[j - n]
    }

    private func tolerance(_ bound: Double) -> Double { Self.primalTolerance * max(1, abs(bound)) }

    private func violation(_ j: Int) -> Double {
        let v = x[j], l = lower(j), u = upper(j)
        if v < l - tolerance(l) { return l - v }
        if v > u + tolerance(u) { return v - u }
        return 0
    }

    // MARK: Solving

    /// Solves from the current basis (the previous solve's, or the slack
    /// basis the first time); on failure tries once more from the slack basis.
    mutating func solve() -> Outcome {
        let first = solveFromCurrentBasis()
        if first != .failed { return first }
        resetToSlackBasis()
        return solveFromCurrentBasis()
    }

    private mutating func solveFromCurrentBasis() -> Outcome {
        // Nonbasic variables whose bound at the recorded side vanished move to the other side.
        for j in 0 ..< n + m where row[j] < 0 {
            if atUpper[j] && !upper(j).isFinite { atUpper[j] = false }
            if !atUpper[j] && !lower(j).isFinite && upper(j).isFinite { atUpper[j] = true }
        }
        for j in 0 ..< n + m where lower(j) > upper(j) + tolerance(upper(j)) { return .infeasible }
        guard factor() else { return .failed }
        computeValues()
        var infeasible = (0 ..< m).contains { violation(basis[$0]) > 0 }
        if !infeasible { warmFeasibleStarts += 1 }
        let budget = 50 * (n + m) + 200
        var iterations = 0
        var degenerate = 0
        var sinceFactor = 0
        while iterations < budget {
            iterations += 1
            if sinceFactor >= 64 {
                guard factor() else { return .failed }
                computeValues()
                sinceFactor = 0
                infeasible = (0 ..< m).contains { violation(basis[$0]) > 0 }
            }
            // Basic costs: phase 1 the violation's sign, phase 2 the objective.
            var basicCost = [Double](repeating: 0, count: m)
            if infeasible {
                for i in 0 ..< m {
                    let j = basis[i]
                    if x[j] < lower(j) - tolerance(lower(j)) { basicCost[i] = -1 }
                    else if x[j] > upper(j) + tolerance(upper(j)) { basicCost[i] = 1 }
                }
            } else {
                for i in 0 ..< m { basicCost[i] = cost(basis[i]) }
            }
            let y = duals(basicCost)
            // Pricing.
            let bland = degenerate > 20
            var entering = -1, direction = 0.0, best = 0.0
            for j in 0 ..< n + m where row[j] < 0 {
                let l = lower(j), u = upper(j)
                if l == u { continue }
                let d = reducedCost(j, y, own: infeasible ? 0 : cost(j))
                let canRise = x[j] < u - tolerance(u) || !u.isFinite
                let canFall = x[j] > l + tolerance(l) || !l.isFinite
                var score = 0.0, dir = 0.0
                if d < -Self.dualTolerance && canRise { score = -d; dir = 1 }
                else if d > Self.dualTolerance && canFall { score = d; dir = -1 }
                if dir == 0 { continue }
                if bland { entering = j; direction = dir; break }
                if score > best { best = score; entering = j; direction = dir }
            }
            if entering < 0 {
                if infeasible { return .infeasible }
                var values = Array(x[0 ..< n])
                for j in 0 ..< n { values[j] = min(max(values[j], lp.lower[j]), lp.upper[j]) }
                return .optimal(values)
            }
            let alpha = column(entering)
            // Harris ratio test over the basic variables. delta: change of x_B[i] per unit step;
            // the bound a variable stops at (in phase 1 a violated one stops where it becomes feasible).
            func limit(_ i: Int, relaxed: Bool) -> (ratio: Double, target: Double)? {
                let delta = -direction * alpha[i]
                guard abs(delta) > Self.pivotTolerance else { return nil }
                let j = basis[i], v = x[j], l = lower(j), u = upper(j)
                var lo = l, hi = u
                if infeasible {
                    if v < l - tolerance(l) { lo = -.infinity; hi = l }
                    else if v > u + tolerance(u) { lo = u; hi = .infinity }
                }
                if delta < 0 {
                    guard lo.isFinite else { return nil }
                    return (max(0, v - lo + (relaxed ? tolerance(lo) : 0)) / -delta, lo)
                }
                guard hi.isFinite else { return nil }
                return (max(0, hi - v + (relaxed ? tolerance(hi) : 0)) / delta, hi)
            }
            var bound = Double.infinity
            for i in 0 ..< m { if let r = limit(i, relaxed: !bland) { bound = min(bound, r.ratio) } }
            var leaving = -1
            var step = Double.infinity
            var target = 0.0
            var size = 0.0
            if bound.isFinite {
                for i in 0 ..< m {
                    guard let r = limit(i, relaxed: false), r.ratio <= bound else { continue }
                    let magnitude = abs(alpha[i])
                    if bland ? (leaving < 0 || basis[i] < basis[leaving]) : magnitude > size {
                        leaving = i
                        size = magnitude
                        step = r.ratio
                        target = r.target
                    }
                }
            }
            let range = upper(entering) - lower(entering)
            if range.isFinite && range <= step {
                // Bound flip: the entering variable crosses to its other bound.
                for i in 0 ..< m { x[basis[i]] -= direction * alpha[i] * range }
                atUpper[entering] = direction > 0
                x[entering] = nonbasicValue(entering)
                pivots += 1
                degenerate = 0
                if infeasible { infeasible = (0 ..< m).contains { violation(basis[$0]) > 0 } }
                continue
            }
            guard leaving >= 0, step.isFinite else {
                return infeasible ? .failed : .unbounded
            }
            // Pivot: entering joins the basis in row `leaving`; the leaving variable stays at `target`.
            let out = basis[leaving]
            for i in 0 ..< m { x[basis[i]] -= direction * alpha[i] * step }
            x[entering] += direction * step
            x[out] = target
            atUpper[out] = upper(out).isFinite && target == upper(out) && target != lower(out)
            basis[leaving] = entering
            row[entering] = leaving
            row[out] = -1
            let pivot = alpha[leaving]
            guard abs(pivot) > 1e-14 else { return .failed }
            for k in 0 ..< m { inverse[leaving * m + k] /= pivot }
            for i in 0 ..< m where i != leaving && alpha[i] != 0 {
                let f = alpha[i]
                for k in 0 ..< m { inverse[i * m + k] -= f * inverse[leaving * m + k] }
            }
            pivots += 1
            sinceFactor += 1
            degenerate = step < 1e-12 ? degenerate + 1 : 0
            if infeasible { infeasible = (0 ..< m).contains { violation(basis[$0]) > 0 } }
        }
        return .failed
    }
}
