/// One coefficient × variable term.
public struct Term: Sendable, Equatable {
    public var variable: Variable
    public var coefficient: Double

    public init(_ coefficient: Double, _ variable: Variable) {
        self.variable = variable
        self.coefficient = coefficient
    }
}

/// A linear expression `Σ cᵢ·xᵢ + constant`.
///
/// Terms are kept as an append-only list; repeated variables are merged only
/// when the expression is added to a model (``normalized()``). Accumulating
/// with `+=` therefore costs amortised O(1) per term, so a sum of n terms is
/// built in O(n). The binary operators (`a + b`) copy their left operand;
/// use `+=` or ``init(sum:)`` inside loops.
public struct LinearExpression: Sendable {
    public var terms: [Term]
    public var constant: Double

    public init(terms: [Term] = [], constant: Double = 0) {
        self.terms = terms
        self.constant = constant
    }

    public init(_ variable: Variable) {
        self.init(terms: [Term(1, variable)])
    }

    /// The sum of a sequence of expressions, built in time linear in the
    /// total number of terms.
    public init<S: Sequence>(sum parts: S) where S.Element == LinearExpression {
        self.init()
        for part in parts { self += part }
    }

    /// The sum of a sequence of variables, each with coefficient 1.
    public init<S: Sequence>(sum variables: S) where S.Element == Variable {
        self.init(terms: variables.map { Term(1, $0) })
    }

    /// The same expression with one term per variable, sorted by variable
    /// index, and no zero coefficients. O(k log k) for k terms (O(k) when the
    /// terms are already sorted).
    public func normalized() -> LinearExpression {
        var sorted = terms
        if !Self.isStrictlySorted(sorted) {
            sorted.sort { $0.variable.index < $1.variable.index }
        }
        var merged: [Term] = []
        merged.reserveCapacity(sorted.count)
        for term in sorted {
            if let last = merged.last, last.variable == term.variable {
                merged[merged.count - 1].coefficient += term.coefficient
            } else {
                merged.append(term)
            }
        }
        merged.removeAll { $0.coefficient == 0 }
        return LinearExpression(terms: merged, constant: constant)
    }

    private static func isStrictlySorted(_ terms: [Term]) -> Bool {
        var previous = -1
        for term in terms {
            if term.variable.index <= previous { return false }
            previous = term.variable.index
        }
        return true
    }

    /// The value of the expression when variable i takes `values[i]`.
    public func value(at values: [Double]) -> Double {
        var total = constant
        for term in terms { total += term.coefficient * values[term.variable.index] }
        return total
    }

    public static func += (lhs: inout LinearExpression, rhs: LinearExpression) {
        lhs.terms.append(contentsOf: rhs.terms)
        lhs.constant += rhs.constant
    }

    public static func += (lhs: inout LinearExpression, rhs: Variable) {
        lhs.terms.append(Term(1, rhs))
    }

    public static func += (lhs: inout LinearExpression, rhs: Double) {
        lhs.constant += rhs
    }

    public static func -= (lhs: inout LinearExpression, rhs: LinearExpression) {
        for term in rhs.terms { lhs.terms.append(Term(-term.coefficient, term.variable)) }
        lhs.constant -= rhs.constant
    }

    public static func -= (lhs: inout LinearExpression, rhs: Variable) {
        lhs.terms.append(Term(-1, rhs))
    }

    public static func -= (lhs: inout LinearExpression, rhs: Double) {
        lhs.constant -= rhs
    }

    public static func *= (lhs: inout LinearExpression, rhs: Double) {
        for i in lhs.terms.indices { lhs.terms[i].coefficient *= rhs }
        lhs.constant *= rhs
    }
}

// MARK: - Operators

public func + (lhs: LinearExpression, rhs: LinearExpression) -> LinearExpression {
    var result = lhs
    result += rhs
    return result
}

public func - (lhs: LinearExpression, rhs: LinearExpression) -> LinearExpression {
    var result = lhs
    result -= rhs
    return result
}

public prefix func - (operand: LinearExpression) -> LinearExpression {
    var result = operand
    result *= -1
    return result
}

public func * (lhs: Double, rhs: LinearExpression) -> LinearExpression {
    var result = rhs
    result *= lhs
    return result
}

public func * (lhs: LinearExpression, rhs: Double) -> LinearExpression { rhs * lhs }

public func * (lhs: Double, rhs: Variable) -> LinearExpression {
    LinearExpression(terms: [Term(lhs, rhs)])
}

public func * (lhs: Variable, rhs: Double) -> LinearExpression { rhs * lhs }

public func + (lhs: Variable, rhs: Variable) -> LinearExpression {
    LinearExpression(terms: [Term(1, lhs), Term(1, rhs)])
}

public func - (lhs: Variable, rhs: Variable) -> LinearExpression {
    LinearExpression(terms: [Term(1, lhs), Term(-1, rhs)])
}

public prefix func - (operand: Variable) -> LinearExpression {
    LinearExpression(terms: [Term(-1, operand)])
}

public func + (lhs: LinearExpression, rhs: Variable) -> LinearExpression { lhs + LinearExpression(rhs) }
public func + (lhs: Variable, rhs: LinearExpression) -> LinearExpression { LinearExpression(lhs) + rhs }
public func - (lhs: LinearExpression, rhs: Variable) -> LinearExpression { lhs - LinearExpression(rhs) }
public func - (lhs: Variable, rhs: LinearExpression) -> LinearExpression { LinearExpression(lhs) - rhs }
public func + (lhs: Variable, rhs: Double) -> LinearExpression { LinearExpression(terms: [Term(1, lhs)], constant: rhs) }
public func + (lhs: Double, rhs: Variable) -> LinearExpression { rhs + lhs }
public func - (lhs: Variable, rhs: Double) -> LinearExpression { LinearExpression(terms: [Term(1, lhs)], constant: -rhs) }
public func - (lhs: Double, rhs: Variable) -> LinearExpression { LinearExpression(terms: [Term(-1, rhs)], constant: lhs) }
public func + (lhs: LinearExpression, rhs: Double) -> LinearExpression { var r = lhs; r += rhs; return r }
public func + (lhs: Double, rhs: LinearExpression) -> LinearExpression { rhs + lhs }
public func - (lhs: LinearExpression, rhs: Double) -> LinearExpression { var r = lhs; r -= rhs; return r }
public func - (lhs: Double, rhs: LinearExpression) -> LinearExpression { -rhs + lhs }
