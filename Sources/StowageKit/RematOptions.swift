import MILP

/// How ``Planner/remat(_:budget:)`` plans a training graph: the names are
/// `stowage remat`'s options (`--method greedy --time-limit 60`) and the C
/// API's keys (`"method": "greedy", "timeLimit": 60`), checked in one place
/// (``check()``), as ``PlanningOptions`` are for `stowage plan`.
public struct RematOptions: Sendable {
    /// Which method chooses what to keep and what to recompute.
    public enum Method: String, Sendable, CaseIterable, Codable {
        /// Every heuristic, then the exact MILP when the graph is small
        /// enough for it, warm-started from the best heuristic: the cheapest
        /// verified schedule and the best bound.
        case auto
        /// The MILP over every schedule with at most two executions per
        /// operator on small graphs (optimal, with a bound, within its
        /// scope); Checkmate's stage MILP above that size (with spills
        /// always the slot MILP: only it has store and load variables).
        case exact
        /// Checkmate's MILP over stage schedules in the given order,
        /// warm-started from the best heuristic: optimal (or with its gap)
        /// over every stage schedule.
        case checkmate
        /// The LP relaxation of Checkmate's MILP, rounded at thresholds and
        /// repaired to fit: a fast answer and a bound over stage schedules.
        case lp
        /// Chen et al.'s checkpoints: √n segments and the greedy variant.
        case chen
        /// PyTorch's `activation_memory_budget` heuristic (knapsack on a saved set).
        case torchKnapsack = "torch-knapsack"
        /// Online eviction with recomputation on demand (DTR).
        case greedy
        /// Griewank's revolve on a forward chain mirrored by a backward
        /// chain (refused, naming the operator, on other graphs).
        case griewank
        /// Every operator once, in the given order.
        case keepAll = "keep-all"
    }

    public var method: Method
    /// The MILP backend of auto, exact, checkmate and lp; `nil`: CBC.
    public var solver: PlanningOptions.SolverKind?
    /// Wall-clock seconds for the whole call (import, planning,
    /// verification); the best verified plan found by then is returned.
    /// `nil`: no limit, except that a MILP solve stops after 60 s.
    public var timeLimit: Double?
    /// MILP methods: stop at this relative gap (0.01 = 1 %).
    public var gap: Double?
    /// Values of symbolic dimensions.
    public var dims: [String: Int]
    public var unknownSizes: PlanningOptions.UnknownSizes
    /// networkx node-link graphs: the node attributes holding an
    /// operator's cost and its output's bytes (nil: `cost` and `bytes`, or
    /// `cost_cpu` and `cost_ram`).
    public var costAttribute: String?
    public var bytesAttribute: String?
    /// Called about once a second during a MILP solve.
    public var progress: (@Sendable (SolveProgress) -> Void)?
    /// Spills to host memory allowed (greedy and the exact MILP use them;
    /// auto keeps the cheapest); needs ``hardware``.
    public var spill = false
    /// The hardware profile whose host link prices the copies (a profile
    /// file or a built-in name, as for `stowage offload`).
    public var hardware: String?
    /// What one unit of operator cost is, to price copies (bytes / link
    /// bandwidth) in it; the bundled training graphs are in microseconds.
    public var costUnit: CostUnit = .microseconds

    public enum CostUnit: String, Sendable, CaseIterable, Codable {
        case seconds = "s", milliseconds = "ms", microseconds = "us", nanoseconds = "ns"

        public var seconds: Double {
            switch self {
            case .seconds: return 1
            case .milliseconds: return 1e-3
            case .microseconds: return 1e-6
            case .nanoseconds: return 1e-9
            }
        }
    }

    public init(method: Method = .auto, solver: PlanningOptions.SolverKind? = nil, timeLimit: Double? = nil, gap: Double? = nil,
                dims: [String: Int] = [:], unknownSizes: PlanningOptions.UnknownSizes = .error,
                progress: (@Sendable (SolveProgress) -> Void)? = nil) {
        self.method = method
        self.solver = solver
        self.timeLimit = timeLimit
        self.gap = gap
        self.dims = dims
        self.unknownSizes = unknownSizes
        self.progress = progress
    }

    /// Whether the method solves a MILP (and so takes a solver and a gap).
    var usesSolver: Bool { [.auto, .exact, .checkmate, .lp].contains(method) }

    /// The first option out of range or ignored by the method, as a
    /// bad-input error naming it (keys as in the C API).
    public func check() throws(StowageError) {
        func fail(_ key: String, _ reason: String) -> StowageError { .badInput(source: "options", location: key, reason: reason) }
        if let timeLimit, !(timeLimit > 0) || !timeLimit.isFinite || timeLimit > 1e7 {
            throw fail("timeLimit", "must be a positive number of seconds (at most 10^7), got \(timeLimit)")
        }
        if let gap, !(gap >= 0) || !gap.isFinite || gap > 1 {
            throw fail("gap", "must be a fraction between 0 and 1 (0.01 = 1 %), got \(gap)")
        }
        for (key, value) in [("costAttribute", costAttribute), ("bytesAttribute", bytesAttribute)] where value?.isEmpty == true {
            throw fail(key, "an attribute name must not be empty")
        }
        for (name, value) in dims.sorted(by: { $0.key < $1.key }) {
            if name.isEmpty { throw fail("dims", "a dimension needs a name") }
            if value < 0 || value > 1 << 40 { throw fail("dims", "'\(name)' must be between 0 and 2^40, got \(value)") }
        }
        if spill && hardware == nil { throw fail("hardware", "spills need a hardware profile for the host link's bandwidth") }
        if !spill && hardware != nil { throw fail("hardware", "prices spills to host memory; it applies with spill only") }
        if hardware?.isEmpty == true { throw fail("hardware", "a profile name or path must not be empty") }
        if spill, ![Method.auto, .exact, .greedy].contains(method) {
            throw fail("spill", "applies to methods auto, exact and greedy; \(method.rawValue) would ignore it")
        }
        if !usesSolver, solver != nil {
            throw fail("solver", "applies to methods auto, exact, checkmate and lp only; \(method.rawValue) would ignore it")
        }
        if !usesSolver || method == .lp, gap != nil {
            throw fail("gap", "applies to methods auto, exact and checkmate only; \(method.rawValue) would ignore it")
        }
    }
}

/// The activation budget of ``Planner/remat(_:budget:)``: bytes, or a
/// fraction of the peak of keeping everything (the given order, every
/// operator once).
public enum RematBudget: Sendable, Hashable, CustomStringConvertible {
    case bytes(Int)
    /// In (0, 1]: `0.7` is 70 % of the keep-everything peak, rounded down.
    case fraction(Double)
    /// The smallest budget at which the method finds a schedule, by
    /// bisection (`min`; see ``RematResult/smallestPlannedBytes``).
    case minimum

    /// `stowage remat --budget` and the C API's `"budget"`: a size in the
    /// one byte grammar (`2GiB`, `1500000000`), or a fraction written with
    /// a decimal point (`0.7`, `1.0`), or `min`.
    public static func parse(_ text: String, source: String = "options", location: String? = "budget") throws(StowageError) -> RematBudget {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "min" { return .minimum }
        if trimmed.contains("."), trimmed.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(trimmed) {
            guard value > 0, value <= 1 else {
                throw .badInput(source: source, location: location, reason: "a fraction of the keep-everything peak must be in (0, 1], got '\(text)'")
            }
            return .fraction(value)
        }
        let bytes: Int
        do {
            bytes = try ByteCount.parse(trimmed)
        } catch {
            throw .badInput(source: source, location: location,
                            reason: "'\(text)' is neither a size (\(ByteCount.grammar)), a fraction such as 0.7, nor min (\(error.description))")
        }
        guard bytes >= 1 else { throw .badInput(source: source, location: location, reason: "must be at least 1 byte, got '\(text)'") }
        return .bytes(bytes)
    }

    /// The budget in bytes; ``minimum`` is searched for, not resolved (the keep-everything peak here).
    public func resolved(keepAllPeak: Int) -> Int {
        switch self {
        case .bytes(let n): return n
        case .fraction(let f): return Int((Double(keepAllPeak) * f).rounded(.down))
        case .minimum: return keepAllPeak
        }
    }

    public var description: String {
        switch self {
        case .bytes(let n): return "\(n) bytes"
        case .fraction(let f): return "\(f) of the keep-everything peak"
        case .minimum: return "the smallest budget the method plans in"
        }
    }
}
