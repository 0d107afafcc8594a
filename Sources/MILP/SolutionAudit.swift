/// An independent check of a solution a backend returned, before anyone
/// trusts it.
///
/// Integer variables are first rounded to the nearest integer (a solver's
/// 0.9999999 becomes 1), then every bound and row is checked at the rounded
/// point. Rounding is what exposes the classic failure of big-M models: GLPK
/// accepts y = 1e-6 as integral (its integrality tolerance is 1e-5), so a row
/// x ≤ 1e6·y lets a binary x be 1 while y is "0". Rows whose variables are
/// all integers and whose coefficients are all integral have an integral
/// activity, computed exactly in doubles below 2^53; they are checked with
/// no tolerance beyond rounding error. Other rows get a relative tolerance.
///
/// O(variables + nonzeros) time, O(variables + rows) memory.
enum SolutionAudit {
    /// How far an integer variable may be from an integer.
    static let integrality = 1e-6
    /// Relative tolerance for bounds and rows with continuous variables.
    static let feasibility = 1e-6

    enum Verdict: Equatable {
        /// The point with integers rounded, and its objective.
        case accepted(values: [Double], objective: Double)
        /// The first violation found, in words.
        case rejected(String)
    }

    /// `model` must have its infinite bounds normalised.
    static func check(_ values: [Double], in model: Model) -> Verdict {
        guard values.count == model.variableCount else {
            return .rejected("it has \(values.count) values for \(model.variableCount) variables")
        }
        var point = values
        for (j, info) in model.variables.enumerated() {
            let x = point[j]
            let name = info.name ?? "x\(j)"
            guard x.isFinite else { return .rejected("variable \(name) is \(x)") }
            if info.isInteger {
                let nearest = x.rounded()
                guard abs(x - nearest) <= integrality else {
                    return .rejected("integer variable \(name) = \(x) is not integral")
                }
                guard nearest >= info.lower.rounded(.up), nearest <= info.upper.rounded(.down) else {
                    return .rejected("integer variable \(name) = \(nearest) is outside its bounds [\(info.lower), \(info.upper)]")
                }
                point[j] = nearest
            } else {
                if x < info.lower - feasibility * max(1, abs(info.lower)) {
                    return .rejected("variable \(name) = \(x) is below its lower bound \(info.lower)")
                }
                if x > info.upper + feasibility * max(1, abs(info.upper)) {
                    return .rejected("variable \(name) = \(x) is above its upper bound \(info.upper)")
                }
                point[j] = min(max(x, info.lower), info.upper)
            }
        }
        for r in 0 ..< model.constraintCount {
            var activity = 0.0
            var scale = 0.0
            var exact = true
            for k in model.rowStarts[r] ..< model.rowStarts[r + 1] {
                let column = Int(model.columns[k])
                let coefficient = model.coefficients[k]
                let term = coefficient * point[column]
                activity += term
                scale += abs(term)
                if exact, !model.variables[column].isInteger || coefficient.rounded() != coefficient { exact = false }
            }
            let lower = model.rowLower[r], upper = model.rowUpper[r]
            let slack = exact && scale < 0x1p52
                ? 1e-9 + 1e-15 * scale
                : feasibility * max(1, scale, lower.isFinite ? abs(lower) : 0, upper.isFinite ? abs(upper) : 0)
            let name = model.rowNames[r].map { "row '\($0)'" } ?? "row \(r)"
            if activity < lower - slack {
                return .rejected("\(name) has activity \(activity) below its lower bound \(lower)")
            }
            if activity > upper + slack {
                return .rejected("\(name) has activity \(activity) above its upper bound \(upper)")
            }
        }
        return .accepted(values: point, objective: model.objectiveValue(at: point))
    }
}
