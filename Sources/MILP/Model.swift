/// Whether the objective is minimised or maximised.
public enum ObjectiveSense: String, Sendable, Codable {
    case minimize
    case maximize
}

/// A mixed-integer linear program, independent of any solver.
///
/// Variables are appended with ``addVariable(lower:upper:kind:name:)``;
/// constraints with ``add(_:name:)``. Rows are stored once, in compressed
/// sparse row form (three flat arrays), so a model with a million nonzeros
/// costs three allocations rather than a million small arrays, and backends
/// load it with one bulk call.
public struct Model: Sendable {
    public var name: String
    public private(set) var variables: [VariableInfo] = []

    /// Row `r` holds the terms `columns[rowStarts[r] ..< rowStarts[r + 1]]`
    /// with `coefficients` at the same positions; columns are sorted and
    /// distinct within a row.
    public private(set) var rowStarts: [Int] = [0]
    public private(set) var columns: [Int32] = []
    public private(set) var coefficients: [Double] = []
    public private(set) var rowLower: [Double] = []
    public private(set) var rowUpper: [Double] = []
    public private(set) var rowNames: [String?] = []

    public var sense: ObjectiveSense = .minimize
    /// The objective, normalised (one term per variable) when set.
    public private(set) var objective = LinearExpression()

    public init(name: String = "stowage") {
        self.name = name
    }

    public var variableCount: Int { variables.count }
    public var constraintCount: Int { rowLower.count }
    public var nonzeroCount: Int { columns.count }
    public var hasIntegerVariables: Bool { variables.contains { $0.isInteger } }

    // MARK: Variables

    /// Adds a variable. Bounds may be infinite. A binary variable always has
    /// bounds [0, 1].
    @discardableResult
    public mutating func addVariable(
        lower: Double = 0, upper: Double = .infinity, kind: VariableKind = .continuous, name: String? = nil
    ) -> Variable {
        let info = kind == .binary
            ? VariableInfo(name: name, lower: 0, upper: 1, kind: .binary)
            : VariableInfo(name: name, lower: lower, upper: upper, kind: kind)
        variables.append(info)
        return Variable(index: variables.count - 1)
    }

    @discardableResult
    public mutating func addBinary(name: String? = nil) -> Variable {
        addVariable(kind: .binary, name: name)
    }

    @discardableResult
    public mutating func addInteger(lower: Double = 0, upper: Double = .infinity, name: String? = nil) -> Variable {
        addVariable(lower: lower, upper: upper, kind: .integer, name: name)
    }

    public mutating func setBounds(of variable: Variable, lower: Double, upper: Double) {
        variables[variable.index].lower = lower
        variables[variable.index].upper = upper
    }

    public mutating func setKind(of variable: Variable, to kind: VariableKind) {
        variables[variable.index].kind = kind
        if kind == .binary {
            variables[variable.index].lower = max(0, variables[variable.index].lower)
            variables[variable.index].upper = min(1, variables[variable.index].upper)
        }
    }

    public func info(_ variable: Variable) -> VariableInfo { variables[variable.index] }

    /// Replaces every variable's and row's bounds (one pair each), for
    /// ``normalizingInfiniteBounds()``. O(variables + rows).
    mutating func setAllBounds(variables bounds: [(Double, Double)], rows: [(Double, Double)]) {
        for (j, bound) in bounds.enumerated() {
            variables[j].lower = bound.0
            variables[j].upper = bound.1
        }
        for (r, bound) in rows.enumerated() {
            rowLower[r] = bound.0
            rowUpper[r] = bound.1
        }
    }

    // MARK: Constraints

    /// Adds `constraint` as one row; repeated variables are merged and zero
    /// coefficients dropped. O(k) for k sorted terms, O(k log k) otherwise.
    /// Returns the row index.
    @discardableResult
    public mutating func add(_ constraint: LinearConstraint, name: String? = nil) -> Int {
        let row = constraint.expression.normalized()
        // Plain appends: reserving the exact new size here would defeat the
        // arrays' geometric growth and reallocate on every row (quadratic).
        for term in row.terms {
            columns.append(Int32(term.variable.index))
            coefficients.append(term.coefficient)
        }
        rowStarts.append(columns.count)
        rowLower.append(constraint.lower)
        rowUpper.append(constraint.upper)
        rowNames.append(name)
        return rowLower.count - 1
    }

    /// The terms of row `r` as (column, coefficient) pairs.
    public func row(_ r: Int) -> [(column: Int, coefficient: Double)] {
        (rowStarts[r] ..< rowStarts[r + 1]).map { (Int(columns[$0]), coefficients[$0]) }
    }

    // MARK: Objective

    public mutating func minimize(_ expression: LinearExpression) {
        sense = .minimize
        objective = expression.normalized()
    }

    public mutating func maximize(_ expression: LinearExpression) {
        sense = .maximize
        objective = expression.normalized()
    }

    public mutating func setObjective(_ expression: LinearExpression, sense: ObjectiveSense) {
        self.sense = sense
        objective = expression.normalized()
    }

    /// Objective coefficients as a dense array, one entry per variable.
    public var denseObjective: [Double] {
        var dense = [Double](repeating: 0, count: variables.count)
        for term in objective.terms { dense[term.variable.index] += term.coefficient }
        return dense
    }
}
