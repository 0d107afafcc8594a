import Allocation
import MILP

extension Planner {
    /// Gives every buffer an offset so that buffers alive at the same time
    /// never overlap: fixed-lifetime offset allocation (the problem of
    /// TFLite's and XLA's arena planners), within `capacity` when given,
    /// otherwise as low as the methods find within the time limit.
    /// - Parameters:
    ///   - buffers: lifetimes `[lower, upper)`, sizes, alignments, optional
    ///     fixed offsets; ids must be distinct.
    ///   - capacity: the arena size in bytes, or `nil` to minimise the height.
    ///   - options: method, solver, time limit.
    /// - Returns: offsets that the independent validator accepted.
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` naming the
    ///   buffer (empty lifetime, negative size, repeated id, bad alignment or
    ///   fixed offset, negative capacity), or both buffers when two pinned
    ///   buffers overlap while alive, or a pin ends beyond the capacity;
    ///   ``StowageError/infeasible(capacity:reason:)`` when a proof shows
    ///   nothing fits; ``StowageError/solverFailure(reason:)`` when the time
    ///   limit ran out before a fit; ``StowageError/verificationFailed(method:reason:)``
    ///   if a method's offsets fail validation (a bug in Stowage).
    ///
    /// `options.timeLimit` is wall-clock time for the whole call. Heuristics
    /// O(n log n) on typical traces; the improvement phase, search and ILP
    /// stop at the limit; validation O(n log n).
    public func allocate(_ buffers: [Buffer], capacity: Int? = nil,
                         options: AllocationOptions = AllocationOptions()) throws(StowageError) -> AllocationResult {
        if let limit = options.timeLimit, !(limit > 0) || !limit.isFinite {
            throw .badInput(source: "options", location: "timeLimit", reason: "must be a positive number of seconds, got \(limit)")
        }
        // The limit is wall-clock time for the whole call, validation included.
        let deadline = Deadline(seconds: options.timeLimit)
        let problem = AllocationProblem(buffers: buffers, capacity: capacity)
        var portfolioOptions = PortfolioOptions(method: options.method, timeLimit: nil)
        portfolioOptions.deadline = options.timeLimit.map { deadline.capped(at: $0 * 0.95) }
        portfolioOptions.solver = options.solver.solver
        portfolioOptions.minimizeBelowCapacity = options.minimizeBelowCapacity
        portfolioOptions.progress = options.progress
        let report = try Self.run(Portfolio(options: portfolioOptions), on: problem)
        let solution = try Self.fit(in: report, capacity: capacity, buffers: buffers.count)
        // Checked by code that shares nothing with the methods.
        let height = try Self.checkedHeight(of: solution.offsets, for: problem, method: report.method)
        guard height == solution.height else {
            throw .verificationFailed(method: report.method, reason: "claimed height \(solution.height), measured \(height)")
        }
        return AllocationResult(offsets: solution.offsets, height: height, lowerBound: min(report.lowerBound, height),
                                method: report.method, seconds: report.seconds)
    }

    // The steps below are separate functions rather than inline in
    // `allocate`: Swift 6.3's optimiser crashed there in release builds
    // (CopyPropagation, "Found outside of lifetime use": a `guard let` on a
    // borrowed report after typed-throws do/catch).

    /// The solution of a report whose status is `fit`; the reason otherwise.
    private static func fit(in report: AllocationReport, capacity: Int?, buffers: Int) throws(StowageError) -> AllocationSolution {
        switch (report.status, report.solution) {
        case (.fit, let solution?):
            return solution
        case (.fit, nil):
            throw .solverFailure(reason: "\(report.method) reported a fit without offsets")
        case (.noFit, _):
            throw .infeasible(capacity: capacity ?? 0,
                              reason: "no placement of the \(buffers) buffers fits (proved by \(report.method); lower bound \(report.lowerBound) bytes)")
        case (.limitReached, let best):
            throw .solverFailure(reason: "no placement within \(capacity ?? 0) bytes found before the time limit (best height \(best.map { String($0.height) } ?? "-"), lower bound \(report.lowerBound))")
        }
    }

    private static func run(_ portfolio: Portfolio, on problem: AllocationProblem) throws(StowageError) -> AllocationReport {
        do {
            return try portfolio.allocate(problem)
        } catch {
            throw StowageError(error)
        }
    }

    private static func checkedHeight(of offsets: [Int], for problem: AllocationProblem, method: String) throws(StowageError) -> Int {
        do {
            return try Validator.height(of: offsets, for: problem)
        } catch {
            throw .verificationFailed(method: method, reason: error.description)
        }
    }
}

extension StowageError {
    init(_ error: AllocationError) {
        switch error {
        case .invalidBuffer(let id, let reason):
            self = .badInput(source: "buffers", location: "buffer '\(id)'", reason: reason)
        case .duplicateID(let id):
            self = .badInput(source: "buffers", location: "buffer '\(id)'", reason: "the id appears more than once")
        case .invalidCapacity(let capacity):
            self = .badInput(source: "options", location: "capacity", reason: "must not be negative, got \(capacity)")
        case .tooLarge(let reason), .mismatch(let reason):
            self = .badInput(source: "buffers", location: nil, reason: reason)
        case .overlappingPins(let a, let b):
            self = .badInput(source: "buffers", location: "buffers '\(a.id)' and '\(b.id)'", reason: error.description)
        case .pinBeyondCapacity(let b, _):
            self = .badInput(source: "buffers", location: "buffer '\(b.id)'", reason: error.description)
        }
    }
}
