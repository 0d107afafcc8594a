/// The model as a backend receives it: bounds with integer variables'
/// bounds rounded inwards (GLPK refuses fractional bounds on integers, and
/// rounding does not change the feasible set), and a verdict on models no
/// backend should be given.
///
/// Backends build it from a model whose infinite bounds are normalised
/// (``Model/normalizingInfiniteBounds()``).
struct BackendInput {
    var lower: [Double]
    var upper: [Double]
    var objective: [Double]

    enum Verdict {
        case solvable
        /// Decided without a solver: crossed bounds make the model infeasible.
        case infeasible(String)
        /// Numbers outside the accepted ranges (``Model/validate()``).
        case invalid(ModelDataError)
    }

    let verdict: Verdict

    init(_ model: Model) {
        var lower = model.variables.map(\.lower)
        var upper = model.variables.map(\.upper)
        for (j, info) in model.variables.enumerated() where info.isInteger {
            lower[j] = lower[j].rounded(.up)
            upper[j] = upper[j].rounded(.down)
        }
        self.lower = lower
        self.upper = upper
        objective = model.denseObjective
        do {
            try model.validate()
            if let crossed = model.crossedBounds() {
                verdict = .infeasible(crossed)
            } else if let j = lower.indices.first(where: { lower[$0] > upper[$0] }) {
                let name = model.variables[j].name ?? "x\(j)"
                verdict = .infeasible("integer variable \(name) has no integer value in its bounds")
            } else if let r = (0 ..< model.constraintCount).first(where: {
                model.rowStarts[$0] == model.rowStarts[$0 + 1] && (model.rowLower[$0] > 0 || model.rowUpper[$0] < 0)
            }) {
                // CLP reports such rows as an error ("empty problem check"), not as infeasibility.
                let name = model.rowNames[r].map { "row '\($0)'" } ?? "row \(r)"
                verdict = .infeasible("\(name) has no terms, and its bounds [\(model.rowLower[r]), \(model.rowUpper[r])] exclude 0")
            } else {
                verdict = .solvable
            }
        } catch {
            verdict = .invalid(error)
        }
    }

    /// The answer when no solver is needed: invalid data, crossed bounds, or
    /// a model without variables (optimal at its constant). Every backend
    /// starts with this, so they agree on these cases.
    func resultWithoutSolver(for model: Model, solver: String, seconds: Double) -> SolveResult? {
        switch verdict {
        case .invalid(let error):
            var result = SolveResult(status: .error, seconds: seconds, solver: solver,
                                     message: "invalid model: \(error.description)")
            result.invalidModel = error
            return result
        case .infeasible(let reason):
            return SolveResult(status: .infeasible, seconds: seconds, solver: solver, message: reason)
        case .solvable where model.variableCount == 0:
            let constant = model.objective.constant
            return SolveResult(status: .optimal, objective: constant, bound: constant, seconds: seconds, solver: solver)
        case .solvable:
            return nil
        }
    }

    /// The warm start if it has the right length and satisfies the model.
    static func usableWarmStart(_ start: [Double]?, for model: Model) -> [Double]? {
        guard let start, model.violation(at: start) == nil else { return nil }
        return start
    }
}
