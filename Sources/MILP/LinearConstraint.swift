/// `lower ≤ expression ≤ upper`, with infinite bounds for one-sided rows.
///
/// Written with the comparison operators: `2 * x + y <= 4`, `x - y >= 1`,
/// `x + y == 3`. A two-sided range is ``init(_:in:)``. Constants on either
/// side are moved into the bounds, so the stored expression has none.
public struct LinearConstraint: Sendable {
    public var expression: LinearExpression
    public var lower: Double
    public var upper: Double

    public init(_ expression: LinearExpression, lower: Double = -.infinity, upper: Double = .infinity) {
        var body = expression
        let shift = body.constant
        body.constant = 0
        self.expression = body
        self.lower = lower - shift
        self.upper = upper - shift
    }

    /// `range.lowerBound ≤ expression ≤ range.upperBound`.
    public init(_ expression: LinearExpression, in range: ClosedRange<Double>) {
        self.init(expression, lower: range.lowerBound, upper: range.upperBound)
    }
}

public func <= (lhs: LinearExpression, rhs: LinearExpression) -> LinearConstraint {
    LinearConstraint(lhs - rhs, upper: 0)
}
public func >= (lhs: LinearExpression, rhs: LinearExpression) -> LinearConstraint {
    LinearConstraint(lhs - rhs, lower: 0)
}
public func == (lhs: LinearExpression, rhs: LinearExpression) -> LinearConstraint {
    LinearConstraint(lhs - rhs, lower: 0, upper: 0)
}
public func <= (lhs: LinearExpression, rhs: Double) -> LinearConstraint { LinearConstraint(lhs, upper: rhs) }
public func >= (lhs: LinearExpression, rhs: Double) -> LinearConstraint { LinearConstraint(lhs, lower: rhs) }
public func == (lhs: LinearExpression, rhs: Double) -> LinearConstraint { LinearConstraint(lhs, lower: rhs, upper: rhs) }
public func <= (lhs: Variable, rhs: Double) -> LinearConstraint { LinearExpression(lhs) <= rhs }
public func >= (lhs: Variable, rhs: Double) -> LinearConstraint { LinearExpression(lhs) >= rhs }
public func == (lhs: Variable, rhs: Double) -> LinearConstraint { LinearExpression(lhs) == rhs }
public func <= (lhs: LinearExpression, rhs: Variable) -> LinearConstraint { lhs <= LinearExpression(rhs) }
public func >= (lhs: LinearExpression, rhs: Variable) -> LinearConstraint { lhs >= LinearExpression(rhs) }
public func == (lhs: LinearExpression, rhs: Variable) -> LinearConstraint { lhs == LinearExpression(rhs) }
public func <= (lhs: Variable, rhs: LinearExpression) -> LinearConstraint { LinearExpression(lhs) <= rhs }
public func >= (lhs: Variable, rhs: LinearExpression) -> LinearConstraint { LinearExpression(lhs) >= rhs }
public func == (lhs: Variable, rhs: LinearExpression) -> LinearConstraint { LinearExpression(lhs) == rhs }
public func <= (lhs: Variable, rhs: Variable) -> LinearConstraint { LinearExpression(lhs) <= LinearExpression(rhs) }
public func >= (lhs: Variable, rhs: Variable) -> LinearConstraint { LinearExpression(lhs) >= LinearExpression(rhs) }
/// Chosen over `Equatable`'s `==` wherever a constraint is expected, as in `model.add(x == y)`.
public func == (lhs: Variable, rhs: Variable) -> LinearConstraint { LinearExpression(lhs) == LinearExpression(rhs) }
