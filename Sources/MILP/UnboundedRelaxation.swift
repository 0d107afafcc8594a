/// Improving directions, the certificate of an unbounded LP relaxation.
enum UnboundedRelaxation {
    /// Whether the model's recession cone holds a direction d that improves
    /// the objective: a·d ≤ 0 on rows with an upper bound, a·d ≥ 0 on rows
    /// with a lower bound, d ≥ 0 (≤ 0) on variables with a finite lower
    /// (upper) bound, −1 ≤ d ≤ 1. Together with any feasible point, such a
    /// direction proves the LP relaxation unbounded, and the MIP too.
    /// `solveLP` solves the (always bounded) direction LP. The model's
    /// infinite bounds must be normalised. O(variables + nonzeros) to build.
    static func improvingRay(of model: Model, using solveLP: (Model) -> SolveResult) -> Bool {
        var cone = Model(name: model.name + "-ray")
        for info in model.variables {
            cone.addVariable(lower: info.lower.isFinite ? 0 : -1, upper: info.upper.isFinite ? 0 : 1)
        }
        for r in 0 ..< model.constraintCount {
            let row = LinearExpression(terms: model.row(r).map { Term($0.coefficient, Variable(index: $0.column)) })
            cone.add(LinearConstraint(row, lower: model.rowLower[r].isFinite ? 0 : -.infinity,
                                      upper: model.rowUpper[r].isFinite ? 0 : .infinity))
        }
        var direction = model.objective
        direction.constant = 0
        cone.setObjective(direction, sense: model.sense)
        let result = solveLP(cone)
        guard result.status == .optimal, let value = result.objective else { return false }
        return model.sense == .minimize ? value < -1e-9 : value > 1e-9
    }
}
