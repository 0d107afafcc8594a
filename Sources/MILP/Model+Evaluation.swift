/// Independent checks of a candidate solution against the model, used to
/// audit what a solver returns rather than trusting it.
extension Model {
    /// The objective at `values` (one entry per variable). O(nonzeros of the objective).
    public func objectiveValue(at values: [Double]) -> Double {
        objective.value(at: values)
    }

    /// The activity `Σ aᵢⱼ·xⱼ` of every row at `values`. O(nonzeros).
    public func rowActivities(at values: [Double]) -> [Double] {
        var activities = [Double](repeating: 0, count: constraintCount)
        for r in 0 ..< constraintCount {
            var total = 0.0
            for k in rowStarts[r] ..< rowStarts[r + 1] {
                total += coefficients[k] * values[Int(columns[k])]
            }
            activities[r] = total
        }
        return activities
    }

    /// The first way in which `values` violates a bound, an integrality
    /// requirement or a row, beyond an absolute-plus-relative `tolerance`;
    /// `nil` when the point is feasible. O(variables + nonzeros).
    public func violation(at values: [Double], tolerance: Double = 1e-6) -> String? {
        guard values.count == variableCount else {
            return "expected \(variableCount) values, got \(values.count)"
        }
        func slack(_ magnitude: Double) -> Double { tolerance * max(1, abs(magnitude)) }
        for (j, info) in variables.enumerated() {
            let x = values[j]
            let label = info.name ?? "x\(j)"
            if !x.isFinite { return "variable \(label) is \(x)" }
            if x < info.lower - slack(info.lower) { return "variable \(label) = \(x) below its lower bound \(info.lower)" }
            if x > info.upper + slack(info.upper) { return "variable \(label) = \(x) above its upper bound \(info.upper)" }
            if info.isInteger, abs(x - x.rounded()) > tolerance { return "integer variable \(label) = \(x)" }
        }
        let activities = rowActivities(at: values)
        for r in 0 ..< constraintCount {
            let label = rowNames[r] ?? "row \(r)"
            let a = activities[r]
            if a < rowLower[r] - slack(rowLower[r]) { return "\(label): activity \(a) below \(rowLower[r])" }
            if a > rowUpper[r] + slack(rowUpper[r]) { return "\(label): activity \(a) above \(rowUpper[r])" }
        }
        return nil
    }

    /// A variable or row whose lower bound exceeds its upper bound: the model
    /// is infeasible before any solver is asked.
    public func crossedBounds() -> String? {
        for (j, info) in variables.enumerated() where info.lower > info.upper {
            return "variable \(info.name ?? "x\(j)") has lower bound \(info.lower) > upper bound \(info.upper)"
        }
        for r in 0 ..< constraintCount where rowLower[r] > rowUpper[r] {
            return "\(rowNames[r] ?? "row \(r)") has lower bound \(rowLower[r]) > upper bound \(rowUpper[r])"
        }
        return nil
    }
}
