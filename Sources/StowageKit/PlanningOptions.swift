import MILP

/// How ``Planner`` plans a graph through a scratchpad.
public struct PlanningOptions: Sendable {
    /// Which planner decides what stays resident.
    public enum Method: String, Sendable, CaseIterable, Codable {
        /// The file's operator order, Belady's replacement (evict the tensor
        /// used furthest in the future), the offset allocator for addresses.
        /// Milliseconds; no lower bound.
        case baseline
        /// As `baseline`, evicting the least recently used tensor instead.
        case lru
        /// The file's operator order, replacement chosen by an ILP (warm
        /// started from Belady, never worse than it), with a lower bound on
        /// the non-compulsory traffic of any plan in this order.
        case ilp
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

    public var method: Method
    public var solver: SolverKind
    /// Seconds the ILP may take; when it runs out, the best verified plan
    /// found so far is returned (at worst Belady's). `nil`: no limit.
    public var timeLimit: Double?
    /// Count every floating-point element as this many bytes (1 models an
    /// 8-bit accelerator), as the CLI's `--dtype-bytes`. `nil`: the sizes
    /// of the graph as given.
    public var dtypeBytes: Int?
    /// Scratchpad offsets are multiples of this many bytes.
    public var alignment: Int
    /// Called about once a second during an ILP solve with the incumbent,
    /// bound and elapsed time.
    public var progress: (@Sendable (SolveProgress) -> Void)?

    public init(method: Method = .baseline, solver: SolverKind = .cbc, timeLimit: Double? = nil,
                dtypeBytes: Int? = nil, alignment: Int = 1, progress: (@Sendable (SolveProgress) -> Void)? = nil) {
        self.method = method
        self.solver = solver
        self.timeLimit = timeLimit
        self.dtypeBytes = dtypeBytes
        self.alignment = alignment
        self.progress = progress
    }

    /// The first option out of range, as a bad-input error naming it.
    func check() throws(StowageError) {
        if let timeLimit, !(timeLimit > 0) || !timeLimit.isFinite {
            throw .badInput(source: "options", location: "timeLimit", reason: "must be a positive number of seconds, got \(timeLimit)")
        }
        if let dtypeBytes, !(1 ... 16).contains(dtypeBytes) {
            throw .badInput(source: "options", location: "dtypeBytes", reason: "must be between 1 and 16, got \(dtypeBytes)")
        }
        if alignment < 1 {
            throw .badInput(source: "options", location: "alignment", reason: "must be positive, got \(alignment)")
        }
    }
}
