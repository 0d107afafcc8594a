/// The numbers a ``Model`` may hold, checked before any of it reaches GLPK
/// or CBC: both libraries abort the process on some data (CLP asserts that
/// every objective coefficient is below 1e25; GLPK stops on NaN) and answer
/// inconsistently on other data (a bound of -1e300 is finite to GLPK and
/// infinite to CBC).
///
/// The accepted ranges:
/// - Bounds of variables and rows at or beyond ±1e30 (``infinity``) mean
///   infinite, as both solvers treat them; `lower` must then be -∞ and
///   `upper` +∞ (a lower bound of +1e30 is an error).
/// - Finite bounds have a magnitude of at most 1e15 (``largestMagnitude``),
///   where a double still resolves steps of 1/8.
/// - Constraint coefficients are zero or have a magnitude in [1e-12, 1e15]
///   (``smallestCoefficient``, ``largestMagnitude``). Objective
///   coefficients and the objective's constant term are at most 1e15 in
///   magnitude; tiny objective coefficients are allowed (planners use them
///   to break ties, and no solver is troubled by them).
/// - Nothing is NaN.
extension Model {
    /// Bounds at or beyond this magnitude mean infinite.
    public static let infinity = 1e30
    /// The largest magnitude of a finite bound or of a coefficient.
    public static let largestMagnitude = 1e15
    /// The smallest magnitude of a nonzero coefficient.
    public static let smallestCoefficient = 1e-12

    /// Throws the first number outside the accepted ranges, naming its row
    /// and column. O(variables + nonzeros).
    public func validate() throws(ModelDataError) {
        for (j, info) in variables.enumerated() {
            if let problem = Self.boundProblem(lower: info.lower, upper: info.upper) {
                throw ModelDataError(place: .variable(j), names: names(column: j), reason: problem)
            }
        }
        for r in 0 ..< constraintCount {
            if let problem = Self.boundProblem(lower: rowLower[r], upper: rowUpper[r]) {
                throw ModelDataError(place: .row(r), names: names(row: r), reason: problem)
            }
            for k in rowStarts[r] ..< rowStarts[r + 1] {
                if let problem = Self.coefficientProblem(coefficients[k]) {
                    let column = Int(columns[k])
                    throw ModelDataError(place: .coefficient(row: r, column: column),
                                         names: names(row: r) + names(column: column), reason: problem)
                }
            }
        }
        for term in objective.terms {
            if let problem = Self.coefficientProblem(term.coefficient, smallest: 0) {
                throw ModelDataError(place: .objective(column: term.variable.index),
                                     names: ["objective"] + names(column: term.variable.index), reason: problem)
            }
        }
        let constant = objective.constant
        if !(abs(constant) <= Self.largestMagnitude) {
            throw ModelDataError(place: .objectiveConstant, names: ["objective constant"],
                                 reason: "\(Self.format(constant)) is \(constant.isNaN ? "not a number" : "beyond ±1e15")")
        }
    }

    /// The first problem ``validate()`` finds, as text; `nil` for valid data.
    public func dataError() -> String? {
        do {
            try validate()
            return nil
        } catch {
            return error.description
        }
    }

    /// A copy with every bound at or beyond ±``infinity`` made infinite, so
    /// that backends, probes and audits all read one meaning. Returns the
    /// model itself (no copy) when nothing changes. O(variables + rows).
    func normalizingInfiniteBounds() -> Model {
        func lower(_ x: Double) -> Double { x <= -Self.infinity ? -.infinity : x }
        func upper(_ x: Double) -> Double { x >= Self.infinity ? .infinity : x }
        let changes = variables.contains { lower($0.lower) != $0.lower || upper($0.upper) != $0.upper }
            || rowLower.contains { lower($0) != $0 } || rowUpper.contains { upper($0) != $0 }
        guard changes else { return self }
        var copy = self
        copy.setAllBounds(variables: variables.map { (lower($0.lower), upper($0.upper)) },
                          rows: (0 ..< constraintCount).map { (lower(rowLower[$0]), upper(rowUpper[$0])) })
        return copy
    }

    private static func boundProblem(lower: Double, upper: Double) -> String? {
        if lower.isNaN || upper.isNaN { return "a bound is not a number" }
        if lower >= infinity { return "lower bound \(format(lower)) means +infinity" }
        if upper <= -infinity { return "upper bound \(format(upper)) means -infinity" }
        for (name, value) in [("lower", lower), ("upper", upper)] where abs(value) > largestMagnitude && abs(value) < infinity {
            return "\(name) bound \(format(value)) is beyond ±1e15 (bounds at or beyond ±1e30 mean infinite)"
        }
        return nil
    }

    private static func coefficientProblem(_ value: Double, smallest: Double = smallestCoefficient) -> String? {
        if value.isNaN { return "coefficient is not a number" }
        if value == 0 { return nil }
        let magnitude = abs(value)
        if magnitude > largestMagnitude { return "coefficient \(format(value)) is beyond ±1e15" }
        if magnitude < smallest { return "coefficient \(format(value)) is below 1e-12 in magnitude" }
        return nil
    }

    static func format(_ value: Double) -> String {
        value.isNaN ? "NaN" : value == .infinity ? "+inf" : value == -.infinity ? "-inf" : "\(value)"
    }

    private func names(row r: Int) -> [String] {
        [rowNames[r].map { "row '\($0)'" } ?? "row \(r)"]
    }

    private func names(column j: Int) -> [String] {
        [variables[j].name.map { "column '\($0)'" } ?? "column \(j)"]
    }
}

/// A number in a ``Model`` outside the ranges ``Model/validate()`` accepts.
public struct ModelDataError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Place: Sendable, Equatable {
        case variable(Int)
        case row(Int)
        case coefficient(row: Int, column: Int)
        case objective(column: Int)
        case objectiveConstant
    }

    /// Where the number is (0-based indices).
    public let place: Place
    /// The row and column as the model names them ("row 'c1'", "column 'x'"),
    /// or by index when unnamed.
    public let names: [String]
    /// What is wrong with the number.
    public let reason: String

    /// One line: `row 'c1', column 'x': coefficient 1e+30 is beyond ±1e15`.
    public var description: String { names.joined(separator: ", ") + ": " + reason }
}
