import MILP

/// How ``Planner`` plans a graph through a scratchpad.
///
/// The names are the CLI's (`stowage plan --method ilp --schedule free
/// --time-limit 60 …`) and the C API's JSON keys (`"method": "ilp",
/// "schedule": "free", "timeLimit": 60, …`): one set of options for every
/// entry point, checked in one place (``check()``). An option that the
/// chosen method would ignore (a replacement policy for the ILP, a free
/// schedule for the baseline, a solver for the baseline) is refused, not
/// silently dropped; `nil` means "not given".
public struct PlanningOptions: Sendable {
    /// Which planner decides what stays resident.
    public enum Method: String, Sendable, CaseIterable, Codable {
        /// The file's operator order, a replacement policy (``Policy``), the
        /// offset allocator for addresses. Milliseconds; no lower bound.
        case baseline
        /// Replacement chosen by an ILP (warm started from Belady, never
        /// worse than it), with a lower bound on the non-compulsory traffic;
        /// in the file's order, or over every order (``Schedule/free``).
        case ilp
    }

    /// Which resident tensor the baseline evicts when the scratchpad is full.
    public enum Policy: String, Sendable, CaseIterable, Codable {
        /// The one used furthest in the future (Belady).
        case belady
        /// The one used least recently.
        case lru
    }

    /// Whether the ILP keeps the file's operator order.
    public enum Schedule: String, Sendable, CaseIterable, Codable {
        /// The file's order; the bound holds for this order.
        case fixed
        /// The order is chosen too; the result says whether its bound holds
        /// for every order (``PlanningResult/boundScope``).
        case free
    }

    /// The MILP backend for ``Method/ilp`` and for allocation by ILP.
    public enum SolverKind: String, Sendable, CaseIterable, Codable {
        /// COIN-OR CBC (solves are serialised process-wide: CBC 2.10 is not
        /// thread-safe).
        case cbc
        /// GNU GLPK (thread-local environment: parallel solves are fine).
        case glpk

        var solver: any Solver {
            switch self {
            case .cbc: return CBCSolver()
            case .glpk: return GLPKSolver()
            }
        }
    }

    /// What to do with tensors whose size is unknown (no shape, or a
    /// symbolic dimension without a value).
    public enum UnknownSizes: String, Sendable, CaseIterable, Codable {
        /// Refuse the graph, naming the tensors and the dimensions to bind.
        case error
        /// Count them as 0 bytes; the result lists them
        /// (``PlanningResult/assumedZeroBytes``), and the plan is valid only
        /// for that reading.
        case zero
    }

    public var method: Method
    /// Baseline only; `nil`: Belady.
    public var policy: Policy?
    /// ILP only; `nil`: fixed.
    public var schedule: Schedule?
    /// ILP only; `nil`: CBC.
    public var solver: SolverKind?
    /// Wall-clock seconds for the whole call, import and verification
    /// included; when they run out the best verified plan found so far is
    /// returned (at worst Belady's) with its gap. `nil`: no limit, except
    /// that the free schedule's search stops after 60 s.
    public var timeLimit: Double?
    /// ILP only: stop once the relative gap between plan and bound is at most this (0.01 = 1 %).
    public var gap: Double?
    /// Count every floating-point element as this many bytes (1 models an
    /// 8-bit accelerator), as the CLI's `--dtype-bytes`. `nil`: the sizes
    /// of the graph as given.
    public var dtypeBytes: Int?
    /// Scratchpad offsets are multiples of this many bytes.
    public var alignment: Int
    /// Values of symbolic dimensions (the CLI's `--dim batch=1`).
    public var dims: [String: Int]
    public var unknownSizes: UnknownSizes
    /// Called about once a second during an ILP solve with the incumbent,
    /// bound and elapsed time.
    public var progress: (@Sendable (SolveProgress) -> Void)?
    /// One line per step forward of the free-schedule search (an accepted
    /// order, a bound), for people.
    public var report: (@Sendable (String) -> Void)?

    public init(method: Method = .baseline, policy: Policy? = nil, schedule: Schedule? = nil, solver: SolverKind? = nil,
                timeLimit: Double? = nil, gap: Double? = nil, dtypeBytes: Int? = nil, alignment: Int = 1,
                dims: [String: Int] = [:], unknownSizes: UnknownSizes = .error,
                progress: (@Sendable (SolveProgress) -> Void)? = nil, report: (@Sendable (String) -> Void)? = nil) {
        self.method = method
        self.policy = policy
        self.schedule = schedule
        self.solver = solver
        self.timeLimit = timeLimit
        self.gap = gap
        self.dtypeBytes = dtypeBytes
        self.alignment = alignment
        self.dims = dims
        self.unknownSizes = unknownSizes
        self.progress = progress
        self.report = report
    }

    /// The CLI's spelling of an option key (`timeLimit` → `--time-limit`),
    /// for messages.
    public static func flag(for key: String) -> String {
        let names = ["dims": "dim", "scratchpad": "scratchpad"]
        let name = names[key] ?? key
        return "--" + name.reduce(into: "") { text, c in
            if c.isUppercase { text += "-" + c.lowercased() } else { text.append(c) }
        }
    }

    /// The first option out of range or ignored by the method, as a
    /// bad-input error naming it.
    public func check() throws(StowageError) {
        func fail(_ key: String, _ reason: String) -> StowageError {
            .badInput(source: "options", location: key, reason: reason)
        }
        if let timeLimit, !(timeLimit > 0) || !timeLimit.isFinite || timeLimit > 1e7 {
            throw fail("timeLimit", "must be a positive number of seconds (at most 10^7), got \(timeLimit)")
        }
        if let gap, !(gap >= 0) || !gap.isFinite || gap > 1 {
            throw fail("gap", "must be a fraction between 0 and 1 (0.01 = 1 %), got \(gap)")
        }
        if let dtypeBytes, !(1 ... 16).contains(dtypeBytes) {
            throw fail("dtypeBytes", "must be between 1 and 16, got \(dtypeBytes)")
        }
        if alignment < 1 || alignment > 1 << 40 {
            throw fail("alignment", "must be between 1 and 2^40 bytes, got \(alignment)")
        }
        for (name, value) in dims.sorted(by: { $0.key < $1.key }) {
            if name.isEmpty { throw fail("dims", "a dimension needs a name") }
            if value < 0 || value > 1 << 40 { throw fail("dims", "'\(name)' must be between 0 and 2^40, got \(value)") }
        }
        switch method {
        case .baseline:
            for (key, given) in [("schedule", schedule != nil), ("solver", solver != nil), ("gap", gap != nil)] where given {
                throw fail(key, "applies to method ilp only; the baseline would ignore it")
            }
        case .ilp:
            if policy != nil {
                throw fail("policy", "applies to method baseline only; the ILP chooses replacement itself")
            }
        }
    }
}
