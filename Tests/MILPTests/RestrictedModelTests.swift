import Testing
@testable import MILP

/// A restricted model must answer what the full model answers with the same
/// variables fixed by their bounds, whenever the rows it drops (every
/// variable fixed) hold at the fixed values; both sides by brute force.
@Suite struct RestrictedModelTests {
    @Test("fixing variables by substitution agrees with fixing their bounds")
    func agreesWithFixedBounds() {
        var rng = SeededGenerator(seed: 0x5EED_F1ED)
        var compared = 0, feasible = 0
        for index in 0 ..< 300 {
            let full = RandomModels.randomCase(&rng, index: index).model
            guard full.variables.allSatisfy({ $0.lower.isFinite && $0.upper.isFinite }) else { continue }
            var isFixed = [Bool](repeating: false, count: full.variableCount)
            var values = [Double](repeating: 0, count: full.variableCount)
            var bounded = full
            for j in 0 ..< full.variableCount {
                let info = full.variables[j]
                guard info.isInteger, Bool.random(using: &rng) else { continue }
                isFixed[j] = true
                values[j] = Double(Int.random(in: Int(info.lower) ... Int(info.upper), using: &rng))
                bounded.setBounds(of: Variable(index: j), lower: values[j], upper: values[j])
            }
            guard droppedRowsHold(full, isFixed: isFixed, values: values) else { continue }
            let restricted = RestrictedModel(full, fixing: isFixed, at: values)
            let expected = BruteForce.solve(bounded)
            #expect(BruteForce.solve(restricted.model) == expected, "case \(index)")
            compared += 1
            if case .optimal = expected { feasible += 1 }

            // restrict and expand are inverse on the free variables and keep the fixed values.
            let point = (0 ..< full.variableCount).map { isFixed[$0] ? values[$0] : Double($0) }
            #expect(restricted.expand(restricted.restrict(point)) == point)
        }
        #expect(compared >= 100 && feasible >= 20, "\(compared) compared, \(feasible) feasible")
    }

    /// Whether every row whose variables are all fixed holds at `values`.
    private func droppedRowsHold(_ model: Model, isFixed: [Bool], values: [Double]) -> Bool {
        for r in 0 ..< model.constraintCount {
            let entries = model.rowStarts[r] ..< model.rowStarts[r + 1]
            guard entries.allSatisfy({ isFixed[Int(model.columns[$0])] }) else { continue }
            let activity = entries.reduce(0.0) { $0 + model.coefficients[$1] * values[Int(model.columns[$1])] }
            if activity < model.rowLower[r] - 1e-9 || activity > model.rowUpper[r] + 1e-9 { return false }
        }
        return true
    }
}
