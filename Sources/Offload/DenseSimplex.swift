import MILP

/// A continuous LP as dense arrays: what ``WarmSimplex`` reads.
///
/// The offload LPs' data are affine in the number of GPU batches nb for a
/// fixed GPU batch size (every coefficient and bound is a + b·nb), so a
/// search builds the LP at two values of nb once and interpolates the rest
/// (``interpolate(_:_:t:)``); tests check that the interpolation equals a
/// freshly built model.
struct DenseLP: Equatable {
    var lower: [Double], upper: [Double]
    /// Row-major, rows × variables.
    var matrix: [Double]
    var rowLower: [Double], rowUpper: [Double]
    var objective: [Double]

    /// The model's data (minimisation; the objective's constant is dropped).
    /// O(rows·variables).
    init(_ model: Model) {
        let n = model.variableCount
        lower = model.variables.map(\.lower)
        upper = model.variables.map(\.upper)
        matrix = [Double](repeating: 0, count: model.constraintCount * n)
        for r in 0 ..< model.constraintCount {
            for (j, coefficient) in model.row(r) { matrix[r * n + j] += coefficient }
        }
        rowLower = model.rowLower
        rowUpper = model.rowUpper
        objective = model.denseObjective
    }

    /// a + t·(b − a), entry by entry (infinite entries stay as in a). O(size).
    static func interpolate(_ a: DenseLP, _ b: DenseLP, t: Double) -> DenseLP {
        func mix(_ x: [Double], _ y: [Double]) -> [Double] {
            var result = x
            for i in x.indices where x[i].isFinite && y[i].isFinite && x[i] != y[i] { result[i] = x[i] + t * (y[i] - x[i]) }
            return result
        }
        var result = a
        result.lower = mix(a.lower, b.lower)
        result.upper = mix(a.upper, b.upper)
        result.matrix = mix(a.matrix, b.matrix)
        result.rowLower = mix(a.rowLower, b.rowLower)
        result.rowUpper = mix(a.rowUpper, b.rowUpper)
        result.objective = mix(a.objective, b.objective)
        return result
    }
}

/// ``WarmSimplex`` as a ``Solver`` (continuous models only, solved cold:
/// every call starts from the slack basis). The searches keep a
/// ``WarmSimplex`` alive instead; this is for comparisons and tests.
public struct DenseSimplexSolver: Solver {
    public let name = "dense-simplex"

    public init() {}

    public func solve(_ model: Model, options: SolveOptions) -> SolveResult {
        let clock = Stopwatch()
        guard !model.hasIntegerVariables else {
            return SolveResult(status: .error, seconds: clock.seconds, solver: name, message: "continuous models only")
        }
        guard model.sense == .minimize else {
            return SolveResult(status: .error, seconds: clock.seconds, solver: name, message: "minimisation only")
        }
        var simplex = WarmSimplex(DenseLP(model))
        switch simplex.solve() {
        case .optimal(let values):
            let objective = model.objective.value(at: values)
            return SolveResult(status: .optimal, objective: objective, bound: objective, seconds: clock.seconds,
                               values: values, solver: name)
        case .infeasible:
            return SolveResult(status: .infeasible, seconds: clock.seconds, solver: name)
        case .unbounded:
            return SolveResult(status: .unbounded, seconds: clock.seconds, solver: name)
        case .failed:
            return SolveResult(status: .error, seconds: clock.seconds, solver: name, message: "the dense simplex gave up (numerical trouble)")
        }
    }
}
