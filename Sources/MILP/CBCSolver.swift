import CCbcDriver
import Foundation

/// COIN-OR CBC behind the ``Solver`` protocol, through a small C++ driver
/// (Sources/CCbcDriver) that runs CBC's own solver with a message handler
/// and an event handler of ours.
///
/// - Output: CBC's log lines come through a callback and go to standard
///   error only when a log was asked for; standard output, which belongs to
///   the caller, is never touched (no redirection of file descriptors).
/// - Time: every limit is wall-clock but ``SolveOptions/cpuTimeLimit``. The
///   LP relaxation runs under the deadline, CBC counts elapsed (not CPU)
///   seconds, every LP solved inside the search stops at the deadline (or
///   at the CPU limit, the thread's CPU time), and the search stops at the
///   first node after it. Claims CBC makes after either are not trusted.
/// - Concurrency: CBC 2.10's driver keeps global state, so solves in one
///   process run one at a time (``CBCLock``); the wait counts against the
///   caller's time limit, and a caller whose limit passes while waiting gets
///   ``SolveStatus/noSolution`` at once. Callers who want CBC in parallel
///   run it in separate processes (the batch runner does).
/// - Answers are checked before they are returned (``AnswerCheck``).
public struct CBCSolver: Solver, CheckedBackend {
    public let name = "cbc"

    public init() {}

    public func solve(_ model: Model, options: SolveOptions) -> SolveResult {
        checkedSolve(model, options: options)
    }

    func rawSolve(_ model: Model, input: BackendInput, options: SolveOptions, clock: Stopwatch, strict: Bool) -> SolveResult {
        let waitLimit = options.secondsLeft(clock).map { ContinuousClock.now + .nanoseconds(Int64(min($0, 1e9) * 1e9)) }
        guard CBCLock.shared.acquire(before: waitLimit) else {
            return SolveResult(status: .noSolution, seconds: 0, solver: name,
                               message: "the time limit passed while waiting for CBC, which runs one solve at a time per process")
        }
        defer { CBCLock.shared.release() }
        if let left = options.secondsLeft(clock), left <= 0 {
            return SolveResult(status: .noSolution, seconds: 0, solver: name, message: "time limit reached before CBC started")
        }
        let monitor = CBCMonitor(options: options, clock: clock, constant: model.objective.constant)
        let data = CoinProblemData(model, input: input)
        let start = BackendInput.usableWarmStart(options.warmStart, for: model)
        var values = [Double](repeating: 0, count: model.variableCount)
        var outcome = StowageCbcOutcome()
        withExtendedLifetime(monitor) {
            data.withProblem(maximize: model.sense == .maximize) { problem in
                withOptionalPointer(start) { startPointer in
                    var settings = StowageCbcSettings(
                        secondsLeft: options.secondsLeft(clock) ?? -1,
                        relativeGap: options.relativeGap ?? -1,
                        logLevel: monitor.driverLogLevel,
                        start: startPointer,
                        strictTolerances: strict ? 1 : 0,
                        preprocess: options.cbc.preprocessing ? 1 : 0,
                        cuts: options.cbc.cuts.driverCode,
                        heuristics: options.cbc.heuristics ? 1 : 0,
                        strongBranching: options.cbc.strongBranching ? 1 : 0,
                        pseudoCostTrust: Int32(clamping: options.cbc.pseudoCostTrust ?? -1),
                        ownTimeLimit: options.cbc.ownTimeLimit ? 1 : 0,
                        cpuSecondsLeft: options.cpuTimeLimit.map { max(0, $0) } ?? -1
                    )
                    let callbacks = StowageCbcCallbacks(
                        context: Unmanaged.passUnretained(monitor).toOpaque(),
                        line: cbcLineCallback,
                        progress: cbcProgressCallback
                    )
                    values.withUnsafeMutableBufferPointer { buffer in
                        stowage_cbc_solve(&problem, &settings, callbacks, buffer.baseAddress, &outcome)
                    }
                }
            }
        }
        return result(of: outcome, values: values, model: model)
    }

    private func result(of outcome: StowageCbcOutcome, values: [Double], model: Model) -> SolveResult {
        let message = Self.text(of: outcome)
        // CBC's objective and bound omit the constant term.
        let constant = model.objective.constant
        let solution = outcome.hasSolution != 0 ? values : []
        let objective = solution.isEmpty ? nil : model.objectiveValue(at: solution)
        let bound = outcome.hasBound != 0 ? outcome.bound + constant : nil
        // CLP's presolve reports some unbounded relaxations as infeasible, so
        // CBC's claims are never marked as coming from the relaxation: they
        // are all probed.
        return claim(outcome, solution: solution, objective: objective, bound: bound, message: message)
    }

    private func claim(_ outcome: StowageCbcOutcome, solution: [Double], objective: Double?, bound: Double?, message: String?) -> SolveResult {
        switch outcome.status {
        case StowageCbcOptimal where objective != nil:
            return SolveResult(status: .optimal, objective: objective, bound: bound, seconds: 0, values: solution, solver: name)
        case StowageCbcInfeasible:
            return SolveResult(status: .infeasible, seconds: 0, solver: name)
        case StowageCbcUnbounded:
            return SolveResult(status: .unbounded, seconds: 0, solver: name)
        case StowageCbcLimit where objective != nil:
            return SolveResult(status: .feasible, objective: objective, bound: bound, seconds: 0, values: solution,
                               solver: name, message: message ?? "time limit reached")
        case StowageCbcLimit:
            return SolveResult(status: .noSolution, bound: bound, seconds: 0, solver: name,
                               message: message.map { $0 + " before a feasible solution was found" }
                                   ?? "time limit reached before a feasible solution was found")
        default:
            return SolveResult(status: .error, seconds: 0, solver: name,
                               message: "cbc failed: " + (message ?? "status \(outcome.cbcStatus), secondary \(outcome.cbcSecondaryStatus)"))
        }
    }

    private static func text(of outcome: StowageCbcOutcome) -> String? {
        let text = withUnsafeBytes(of: outcome.message) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? nil : text
    }
}

private func cbcLineCallback(_ context: UnsafeMutableRawPointer?, _ text: UnsafePointer<CChar>?) {
    guard let context, let text else { return }
    Unmanaged<CBCMonitor>.fromOpaque(context).takeUnretainedValue().receive(line: String(cString: text))
}

private func cbcProgressCallback(_ context: UnsafeMutableRawPointer?, _ newIncumbent: Int32, _ hasIncumbent: Int32,
                                 _ incumbent: Double, _ bound: Double, _ nodes: Double) {
    guard let context else { return }
    Unmanaged<CBCMonitor>.fromOpaque(context).takeUnretainedValue()
        .receive(newIncumbent: newIncumbent != 0, incumbent: hasIncumbent != 0 ? incumbent : nil, bound: bound, nodes: nodes)
}

private func withOptionalPointer<R>(_ array: [Double]?, _ body: (UnsafePointer<Double>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}

extension CoinProblemData {
    /// The arrays as the driver's problem struct, valid inside `body`.
    func withProblem<R>(maximize: Bool, _ body: (inout StowageCbcProblem) -> R) -> R {
        columnStarts.withUnsafeBufferPointer { starts in
            rowIndices.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { entries in
                    lower.withUnsafeBufferPointer { lower in
                        upper.withUnsafeBufferPointer { upper in
                            objective.withUnsafeBufferPointer { objective in
                                rowLower.withUnsafeBufferPointer { rowLower in
                                    rowUpper.withUnsafeBufferPointer { rowUpper in
                                        isInteger.withUnsafeBufferPointer { isInteger in
                                            var problem = StowageCbcProblem(
                                                columns: columnCount, rows: rowCount,
                                                columnStarts: starts.baseAddress, rowIndices: indices.baseAddress,
                                                values: entries.baseAddress, columnLower: lower.baseAddress,
                                                columnUpper: upper.baseAddress, objective: objective.baseAddress,
                                                rowLower: rowLower.baseAddress, rowUpper: rowUpper.baseAddress,
                                                isInteger: isInteger.baseAddress, maximize: maximize ? 1 : 0
                                            )
                                            return body(&problem)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
