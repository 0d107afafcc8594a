import CCbc
import Synchronization

/// COIN-OR CBC behind the ``Solver`` protocol, through its C interface.
///
/// CBC 2.10's driver (`CbcMain1`, behind `Cbc_solve`) keeps global state and
/// is not safe to run on two threads at once (coin-or/Cbc#332), so solves
/// are serialised by a process-wide lock. Callers who want CBC in parallel
/// run it in separate processes (the batch runner does).
public struct CBCSolver: Solver {
    public let name = "cbc"

    public init() {}

    public func solve(_ model: Model, options: SolveOptions) -> SolveResult {
        let clock = Stopwatch()
        let input = BackendInput(model)
        if let decided = input.resultWithoutSolver(for: model, solver: name, seconds: clock.seconds) { return decided }
        var result = cbcLock.withLock { _ in run(model, input: input, options: options, clock: clock) }
        if result.status == .unbounded, model.hasIntegerVariables {
            result = UnboundedRelaxation.classify(model, options: options, clock: clock, solver: self)
        } else if result.status == .infeasible, !model.objective.terms.isEmpty {
            result = confirmInfeasible(model, options: options, clock: clock)
        }
        result.seconds = clock.seconds
        return result
    }

    private func run(_ model: Model, input: BackendInput, options: SolveOptions, clock: Stopwatch) -> SolveResult {
        let cbc = CBCModel()
        cbc.load(model, input: input)
        let handle = cbc.pointer
        if let left = options.secondsLeft(clock) { Cbc_setMaximumSeconds(handle, max(0.01, left)) }
        if let gap = options.relativeGap { Cbc_setAllowableFractionGap(handle, gap) }
        if let start = BackendInput.usableWarmStart(options.warmStart, for: model) {
            let indices = (0 ..< Int32(start.count)).map { $0 }
            Cbc_setMIPStartI(handle, Int32(start.count), indices, start)
        }
        let constant = model.objective.constant
        let monitor = CBCMonitor(options: options, clock: clock, constant: constant)
        Cbc_setLogLevel(handle, monitor.cbcLogLevel)
        let code = OutputRedirection.capturingStandardOutput(onLine: monitor.receive) {
            stowage_stdout_line_buffered()
            defer { stowage_stdout_default_buffering() }
            return Cbc_solve(handle)
        }
        let n = model.variableCount

        if Cbc_isContinuousUnbounded(handle) != 0 || Cbc_secondaryStatus(handle) == 7 {
            return SolveResult(status: .unbounded, seconds: 0, solver: name)
        }
        if Cbc_isProvenInfeasible(handle) != 0 {
            return SolveResult(status: .infeasible, seconds: 0, solver: name)
        }
        let integer = model.hasIntegerVariables
        let solution: UnsafePointer<Double>? = integer
            ? Cbc_bestSolution(handle).map { UnsafePointer($0) }
            : Cbc_getColSolution(handle)
        let values = solution.map { Array(UnsafeBufferPointer(start: $0, count: n)) } ?? []
        // CBC reports the objective without the constant term, which its C
        // interface cannot hold; evaluate it ourselves from the solution.
        let objective = values.isEmpty ? nil : model.objectiveValue(at: values)
        let rawBound = integer ? Cbc_getBestPossibleObjValue(handle) : Cbc_getObjValue(handle)
        let bound: Double? = rawBound.isFinite && abs(rawBound) < 1e50 ? rawBound + constant : nil

        if Cbc_isProvenOptimal(handle) != 0, let objective {
            let gapStop = options.relativeGap != nil && Cbc_secondaryStatus(handle) == 2
            return SolveResult(status: .optimal, objective: objective,
                               bound: gapStop ? clampBound(bound, objective, model.sense) : objective,
                               seconds: 0, values: values, solver: name)
        }
        if Cbc_isAbandoned(handle) != 0 || code != 0 && Cbc_status(handle) != 1 {
            return SolveResult(status: .error, seconds: 0, solver: name,
                               message: "CBC abandoned the search (status \(Cbc_status(handle)), code \(code))")
        }
        if let objective {
            return SolveResult(status: .feasible, objective: objective, bound: clampBound(bound, objective, model.sense),
                               seconds: 0, values: values, solver: name, message: "time limit reached")
        }
        if Cbc_status(handle) == 1 {
            return SolveResult(status: .noSolution, bound: bound, seconds: 0, solver: name,
                               message: "time limit reached before a feasible solution was found")
        }
        return SolveResult(status: .error, seconds: 0, solver: name,
                           message: "CBC ended with status \(Cbc_status(handle)), secondary \(Cbc_secondaryStatus(handle))")
    }

    /// CBC 2.10's driver says "Problem is infeasible" for some models whose
    /// LP relaxation is unbounded. A claim of infeasibility is therefore
    /// checked with the objective removed (which cannot be unbounded): if a
    /// feasible point exists, the claim came from unboundedness, confirmed by
    /// an improving direction of the recession cone (``UnboundedRelaxation/improvingRay(of:using:)``).
    private func confirmInfeasible(_ model: Model, options: SolveOptions, clock: Stopwatch) -> SolveResult {
        let claim = SolveResult(status: .infeasible, seconds: 0, solver: name)
        var feasibility = model
        feasibility.setObjective(LinearExpression(), sense: .minimize)
        var probe = SolveOptions(timeLimit: options.secondsLeft(clock).map { max(0.01, $0) })
        probe.logLevel = options.logLevel
        let found = cbcLock.withLock { _ in run(feasibility, input: BackendInput(feasibility), options: probe, clock: clock) }
        switch found.status {
        case .infeasible:
            return claim
        case .optimal, .feasible:
            if UnboundedRelaxation.improvingRay(of: model, using: { ray in
                cbcLock.withLock { _ in run(ray, input: BackendInput(ray), options: probe, clock: clock) }
            }) {
                return SolveResult(status: .unbounded, seconds: 0, solver: name)
            }
            return SolveResult(status: .error, seconds: 0, solver: name,
                               message: "CBC reported infeasible, yet found a feasible point and no improving ray")
        default:
            return SolveResult(status: .noSolution, seconds: 0, solver: name,
                               message: "CBC reported infeasible; the check did not finish within the limit")
        }
    }

    private func clampBound(_ bound: Double?, _ objective: Double, _ sense: ObjectiveSense) -> Double {
        guard let bound else { return objective }
        return sense == .minimize ? min(bound, objective) : max(bound, objective)
    }
}

private let cbcLock = Mutex(())

/// Owns one `Cbc_Model`, freed in `deinit`.
final class CBCModel {
    let pointer: UnsafeMutableRawPointer

    init() {
        pointer = Cbc_newModel()
    }

    deinit {
        Cbc_deleteModel(pointer)
    }

    func load(_ model: Model, input: BackendInput) {
        let data = CoinProblemData(model, input: input)
        Cbc_loadProblem(pointer, data.columnCount, data.rowCount, data.columnStarts, data.rowIndices, data.values,
                        data.lower, data.upper, data.objective, data.rowLower, data.rowUpper)
        for (j, info) in model.variables.enumerated() where info.isInteger {
            Cbc_setInteger(pointer, Int32(j))
        }
        Cbc_setObjSense(pointer, model.sense == .minimize ? 1 : -1)
    }
}

/// A model in the column-major arrays COIN-OR's C interfaces load, with
/// infinities replaced by COIN's `DBL_MAX`. One O(nonzeros) transpose of
/// the row-wise storage.
struct CoinProblemData {
    let columnCount: Int32
    let rowCount: Int32
    var columnStarts: [Int32]
    var rowIndices: [Int32]
    var values: [Double]
    let lower: [Double]
    let upper: [Double]
    let objective: [Double]
    let rowLower: [Double]
    let rowUpper: [Double]

    init(_ model: Model, input: BackendInput) {
        let n = model.variableCount
        columnCount = Int32(n)
        rowCount = Int32(model.constraintCount)
        var starts = [Int32](repeating: 0, count: n + 1)
        for k in 0 ..< model.nonzeroCount { starts[Int(model.columns[k]) + 1] += 1 }
        for j in 0 ..< n { starts[j + 1] += starts[j] }
        var next = starts
        var rows = [Int32](repeating: 0, count: model.nonzeroCount)
        var entries = [Double](repeating: 0, count: model.nonzeroCount)
        for r in 0 ..< model.constraintCount {
            for k in model.rowStarts[r] ..< model.rowStarts[r + 1] {
                let column = Int(model.columns[k])
                let slot = Int(next[column])
                rows[slot] = Int32(r)
                entries[slot] = model.coefficients[k]
                next[column] += 1
            }
        }
        columnStarts = starts
        rowIndices = rows
        values = entries
        func finite(_ x: Double) -> Double {
            x == .infinity ? .greatestFiniteMagnitude : x == -.infinity ? -.greatestFiniteMagnitude : x
        }
        lower = input.lower.map(finite)
        upper = input.upper.map(finite)
        objective = input.objective
        rowLower = model.rowLower.map(finite)
        rowUpper = model.rowUpper.map(finite)
    }
}
