/// A MILP backend. The same ``Model`` solves with any conforming solver.
///
/// `solve` is synchronous and creates, uses and frees every C object on the
/// calling thread; that is what makes GLPK (whose environment is
/// thread-local) safe to call from several threads at once.
public protocol Solver: Sendable {
    /// Short name used in reports and on the command line ("glpk", "cbc").
    var name: String { get }
    func solve(_ model: Model, options: SolveOptions) -> SolveResult
}

extension Solver {
    public func solve(_ model: Model) -> SolveResult { solve(model, options: SolveOptions()) }
}

/// How chatty a backend is. Solver output always goes to standard error,
/// never to standard output, which belongs to the caller.
public enum SolverLogLevel: Int, Sendable, Comparable, Codable {
    case quiet = 0
    case normal = 1
    case verbose = 2

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A snapshot of a running branch and bound, handed to ``SolveOptions/progress``.
public struct SolveProgress: Sendable {
    /// Objective of the best integer solution so far, if any.
    public var incumbent: Double?
    /// Best proven bound on the optimum, if known.
    public var bound: Double?
    /// Relative gap between the two, if both are known.
    public var gap: Double?
    /// Seconds since the solve started.
    public var elapsed: Double
    /// Branch-and-bound nodes explored, when the backend says.
    public var nodes: Int?
}

public struct SolveOptions: Sendable {
    /// Wall-clock limit in seconds; on reaching it the best incumbent is
    /// returned with its gap (status ``SolveStatus/feasible``).
    public var timeLimit: Double?
    /// The whole command's wall-clock budget (see ``Deadline``): a solve
    /// stops at whichever comes first, this or ``timeLimit`` after its
    /// start. Planners that solve many models pass their one deadline here.
    public var deadline: Deadline?
    /// CPU seconds of the solving thread this one solve may take: a cap on
    /// the work of one solve among many (a neighbourhood, a relaxation),
    /// which it then reaches after about the same work however busy the
    /// machine is, so that its answer depends less on the load. ``timeLimit``
    /// and ``deadline`` stay wall clock and stop it too. CBC counts the
    /// thread's CPU time in its branch and cut (the LP relaxation before it
    /// stops only at the wall-clock limits), through the driver's events
    /// alone, as with ``CBCSearchSettings/ownTimeLimit`` off: pair it with
    /// ``CBCSearchSettings/avoidingBranchingOverrun()`` as the planners do.
    /// GLPK, which has no such clock, takes it as one more wall-clock limit.
    public var cpuTimeLimit: Double?
    /// Stop once the relative gap is at most this (0.01 = 1 %).
    public var relativeGap: Double?
    public var logLevel: SolverLogLevel = .quiet
    /// A starting solution (one value per variable) offered to the backend.
    /// It must be feasible to help; backends ignore it otherwise.
    public var warmStart: [Double]?
    /// Called on new incumbents and at most every ``progressInterval`` seconds
    /// otherwise, on a thread of the backend's choosing, never concurrently
    /// with itself.
    public var progress: (@Sendable (SolveProgress) -> Void)?
    public var progressInterval: Double = 1
    /// How CBC searches (ignored by GLPK); CBC's own defaults unless a
    /// caller that knows its model's structure says otherwise.
    public var cbc = CBCSearchSettings()

    /// These options for one phase of a longer solve: `share` (0 ... 1) of
    /// the time left (``secondsLeft(_:)``) as the limit, and of the
    /// deadline's time left as the deadline.
    public func sharing(_ share: Double, since clock: Stopwatch) -> SolveOptions {
        let share = min(1, max(0, share))
        var options = self
        if let left = secondsLeft(clock) { options.timeLimit = left * share }
        options.deadline = deadline?.fraction(share)
        return options
    }

    /// Seconds this solve may still take, `nil` for no limit: the earlier
    /// of ``timeLimit`` measured by `clock` (started with the solve) and
    /// ``deadline``. Never negative.
    public func secondsLeft(_ clock: Stopwatch) -> Double? {
        let own = timeLimit.map { max(0, $0 - clock.seconds) }
        switch (own, deadline?.remaining) {
        case let (a?, b?): return min(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        case (nil, nil): return nil
        }
    }

    public init(
        timeLimit: Double? = nil, relativeGap: Double? = nil, logLevel: SolverLogLevel = .quiet,
        warmStart: [Double]? = nil, progress: (@Sendable (SolveProgress) -> Void)? = nil
    ) {
        self.timeLimit = timeLimit
        self.relativeGap = relativeGap
        self.logLevel = logLevel
        self.warmStart = warmStart
        self.progress = progress
    }
}

public enum SolveStatus: String, Sendable, Codable {
    /// Proven optimal (within the requested gap, if one was set).
    case optimal
    /// A feasible solution was found but a limit stopped the proof; see the gap.
    case feasible
    case infeasible
    case unbounded
    /// A limit was reached before any feasible solution was found.
    case noSolution
    /// The backend failed (its answer did not survive the checks, and
    /// ``SolveResult/message`` says which backend and why), or the model
    /// holds data no solver accepts (``SolveResult/invalidModel``).
    case error

    public var hasSolution: Bool { self == .optimal || self == .feasible }
}

public struct SolveResult: Sendable {
    public var status: SolveStatus
    /// Objective of the returned solution (nil without one).
    public var objective: Double?
    /// Best proven bound on the optimum: a lower bound when minimising, an
    /// upper bound when maximising.
    public var bound: Double?
    /// Seconds spent in the backend.
    public var seconds: Double
    /// One value per variable, empty without a solution.
    public var values: [Double]
    /// Which backend produced this result.
    public var solver: String
    /// A human-readable reason for ``SolveStatus/error`` (and other remarks).
    public var message: String?
    /// Set (with status ``SolveStatus/error``) when the model holds numbers
    /// outside the accepted ranges (``Model/validate()``); no backend saw it.
    public var invalidModel: ModelDataError?
    /// The backend decided this from its simplex on the LP relaxation alone
    /// (no presolve, no branch and bound), whose infeasibility verdict an
    /// objective cannot change. Only GLPK sets it.
    var fromRelaxation = false

    public init(
        status: SolveStatus, objective: Double? = nil, bound: Double? = nil, seconds: Double,
        values: [Double] = [], solver: String, message: String? = nil
    ) {
        self.status = status
        self.objective = objective
        self.bound = bound
        self.seconds = seconds
        self.values = values
        self.solver = solver
        self.message = message
    }

    /// Relative gap |objective − bound| / max(|objective|, 1e-9); 0 when both agree.
    public var gap: Double? {
        guard let objective, let bound else { return nil }
        return relativeGap(objective, bound)
    }

    public func value(_ variable: Variable) -> Double? {
        values.isEmpty ? nil : values[variable.index]
    }
}

/// The relative gap used throughout: |a − b| / max(|a|, 1e-9), 0 when a == b.
public func relativeGap(_ incumbent: Double, _ bound: Double) -> Double {
    let difference = abs(incumbent - bound)
    if difference == 0 { return 0 }
    return difference / max(abs(incumbent), 1e-9)
}
