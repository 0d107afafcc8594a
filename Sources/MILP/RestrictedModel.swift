/// A model with some of its variables fixed at given values and substituted
/// out: the small MILP of one neighbourhood in a large-neighbourhood search
/// (Remat's `CheckmateLNS`). A transformation of any ``Model``, so it lives
/// with the model rather than with one formulation.
///
/// Building the copy (rather than fixing bounds in the full model) keeps
/// the rows that only fixed variables touch out of the solver's LPs: with
/// nine tenths of a stage MILP fixed, CBC then solves a model of a few
/// thousand columns instead of carrying tens of thousands of fixed ones.
/// A row whose every variable is fixed is dropped, so the fixed values must
/// satisfy it (they are a feasible solution's). O(variables + nonzeros)
/// time and memory.
public struct RestrictedModel: Sendable {
    /// The neighbourhood's MILP over the free variables; a caller may add
    /// rows to it over their columns (``column``).
    public var model: Model
    /// Per variable of the full model: its variable in ``model``, nil when fixed.
    public let column: [Variable?]
    /// The full solution the fixed variables take their values from.
    public let base: [Double]

    /// `droppingRows`: rows of `full` left out (nil: none), for a caller
    /// that states them again in another form on ``model``.
    public init(_ full: Model, fixing isFixed: [Bool], at values: [Double], droppingRows: [Bool]? = nil) {
        base = values
        var model = Model(name: full.name + "-neighbourhood")
        var column = [Variable?](repeating: nil, count: full.variableCount)
        for j in 0 ..< full.variableCount where !isFixed[j] {
            let info = full.info(Variable(index: j))
            column[j] = model.addVariable(lower: info.lower, upper: info.upper, kind: info.kind, name: info.name)
        }
        for r in 0 ..< full.constraintCount where droppingRows?[r] != true {
            var fixedPart = 0.0
            var terms: [Term] = []
            for k in full.rowStarts[r] ..< full.rowStarts[r + 1] {
                let j = Int(full.columns[k])
                if let free = column[j] {
                    terms.append(Term(full.coefficients[k], free))
                } else {
                    fixedPart += full.coefficients[k] * values[j]
                }
            }
            guard !terms.isEmpty else { continue }
            model.add(LinearConstraint(LinearExpression(terms: terms), lower: full.rowLower[r] - fixedPart,
                                       upper: full.rowUpper[r] - fixedPart))
        }
        var objective = LinearExpression(constant: full.objective.constant)
        for term in full.objective.terms {
            if let free = column[term.variable.index] {
                objective.terms.append(Term(term.coefficient, free))
            } else {
                objective.constant += term.coefficient * values[term.variable.index]
            }
        }
        model.setObjective(objective, sense: full.sense)
        self.model = model
        self.column = column
    }

    /// The restricted model's values of a full solution.
    public func restrict(_ full: [Double]) -> [Double] {
        var values = [Double](repeating: 0, count: model.variableCount)
        for (j, free) in column.enumerated() { if let free { values[free.index] = full[j] } }
        return values
    }

    /// The full solution of a restricted one: fixed variables at their base values.
    public func expand(_ restricted: [Double]) -> [Double] {
        var values = base
        for (j, free) in column.enumerated() { if let free { values[j] = restricted[free.index] } }
        return values
    }
}
