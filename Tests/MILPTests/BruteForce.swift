@testable import MILP

/// Exhaustive search for tiny MILPs: every integer point of the (finite)
/// integer domain; for each, the exact optimum over at most two bounded
/// continuous variables by enumerating the vertices of their polygon.
/// Shares no code with the backends.
enum BruteForce {
    static let tolerance = 1e-9

    /// Whether any point is feasible; stops at the first one found.
    static func isFeasible(_ model: Model) -> Bool {
        solve(model, stopAtFirst: true) != .infeasible
    }

    static func solve(_ model: Model, stopAtFirst: Bool = false) -> Expected {
        let integers = model.variables.indices.filter { model.variables[$0].isInteger }
        let continuous = model.variables.indices.filter { !model.variables[$0].isInteger }
        precondition(continuous.count <= 2, "brute force handles at most two continuous variables")
        var point = [Double](repeating: 0, count: model.variableCount)
        var best: Double?
        let maximize = model.sense == .maximize

        func visit(_ depth: Int) {
            if stopAtFirst, best != nil { return }
            if depth == integers.count {
                if let value = bestOverContinuous(model, point: point, continuous: continuous) {
                    if best == nil || (maximize ? value > best! : value < best!) { best = value }
                }
                return
            }
            let j = integers[depth]
            let info = model.variables[j]
            var v = info.lower.rounded(.up)
            while v <= info.upper {
                point[j] = v
                visit(depth + 1)
                v += 1
            }
        }
        visit(0)
        return best.map { .optimal($0) } ?? .infeasible
    }

    /// Rows as dense (coefficients, lower, upper).
    static func rows(_ model: Model) -> [([Double], Double, Double)] {
        (0 ..< model.constraintCount).map { r in
            var dense = [Double](repeating: 0, count: model.variableCount)
            for (column, coefficient) in model.row(r) { dense[column] += coefficient }
            return (dense, model.rowLower[r], model.rowUpper[r])
        }
    }

    private static func bestOverContinuous(_ model: Model, point: [Double], continuous: [Int]) -> Double? {
        var candidates: [[Double]] = []
        switch continuous.count {
        case 0:
            candidates = [point]
        case 1:
            let j = continuous[0]
            var lines = [model.variables[j].lower, model.variables[j].upper]
            for (a, lower, upper) in rows(model) where abs(a[j]) > 0 {
                var rest = 0.0
                for k in a.indices where k != j { rest += a[k] * point[k] }
                for bound in [lower, upper] where bound.isFinite { lines.append((bound - rest) / a[j]) }
            }
            candidates = lines.map { var p = point; p[j] = $0; return p }
        default:
            let (j, k) = (continuous[0], continuous[1])
            // Each line: c_j·y_j + c_k·y_k = rhs.
            var lines: [(Double, Double, Double)] = []
            lines.append((1, 0, model.variables[j].lower)); lines.append((1, 0, model.variables[j].upper))
            lines.append((0, 1, model.variables[k].lower)); lines.append((0, 1, model.variables[k].upper))
            for (a, lower, upper) in rows(model) where a[j] != 0 || a[k] != 0 {
                var rest = 0.0
                for m in a.indices where m != j && m != k { rest += a[m] * point[m] }
                for bound in [lower, upper] where bound.isFinite { lines.append((a[j], a[k], bound - rest)) }
            }
            for p in 0 ..< lines.count {
                for q in p + 1 ..< lines.count {
                    let (a1, b1, c1) = lines[p], (a2, b2, c2) = lines[q]
                    let det = a1 * b2 - a2 * b1
                    if abs(det) < 1e-12 { continue }
                    var candidate = point
                    candidate[j] = (c1 * b2 - c2 * b1) / det
                    candidate[k] = (a1 * c2 - a2 * c1) / det
                    candidates.append(candidate)
                }
            }
        }
        var best: Double?
        for candidate in candidates where feasible(model, candidate) {
            let value = model.objective.value(at: candidate)
            if best == nil || (model.sense == .maximize ? value > best! : value < best!) { best = value }
        }
        return best
    }

    static func feasible(_ model: Model, _ point: [Double]) -> Bool {
        for (j, info) in model.variables.enumerated() {
            if point[j] < info.lower - tolerance || point[j] > info.upper + tolerance { return false }
        }
        for (a, lower, upper) in rows(model) {
            var activity = 0.0
            for m in a.indices { activity += a[m] * point[m] }
            if activity < lower - 1e-7 || activity > upper + 1e-7 { return false }
        }
        return true
    }
}
