import Foundation
import Remat

/// A rematerialisation plan that passed the verifier, with its figures.
public struct RematResult: Sendable {
    /// The plan: one `device` memory (compute and home tier, capacity the
    /// budget), steps that may run an operator again, allocations and
    /// frees, the residency table, and the compute cost it claims.
    public var plan: Plan
    /// The graph the plan belongs to (verify and execute against it).
    public var graph: Graph
    public var budgetBytes: Int
    /// The peak of keeping everything (the given order, every operator once).
    public var keepAllPeakBytes: Int
    /// A budget no schedule can go below.
    public var minimumBytes: Int
    /// With `--budget min`: the smallest budget at which the method found
    /// a schedule (``budgetBytes``, by bisection); nil otherwise.
    public var smallestPlannedBytes: Int?
    /// The peak the verifier measured.
    public var peakBytes: Int
    /// One execution of every operator.
    public var baseCost: Double
    /// The sum of the costs of the plan's steps.
    public var computeCost: Double
    /// The cost of the plan's copies to and from host memory (spills; no
    /// overlap with compute), in the unit of operator costs; 0 without.
    public var transferCost: Double = 0
    /// A lower bound on the compute cost of the schedules in ``boundScope``.
    public var bound: Double?
    /// Whom ``bound`` covers: `all-schedules`, `capped-executions`, `stages`.
    public var boundScope: String?
    public var recomputations: Int
    /// Bytes copied to host memory (spills); 0 without spills.
    public var spilledBytes: Int
    /// The method whose schedule this is.
    public var method: String
    /// Formulation size of the MILP that ran, if any.
    public var variables: Int?
    public var rows: Int?
    public var stepsVerified: Int
    public var seconds: Double
    /// Which bound ``bound`` is: `milp`, `lp`, `stage-knapsack`, `cover` or `base`.
    public var boundSource: String?
    /// What the large-neighbourhood search did, when it ran.
    public var search: RematSearchCounts?

    /// (computeCost + transferCost) / baseCost − 1.
    public var overhead: Double { baseCost > 0 ? (computeCost + transferCost) / baseCost - 1 : 0 }
    /// bound / baseCost − 1: no schedule in scope has less overhead.
    public var overheadBound: Double? { bound.map { baseCost > 0 ? max(0, $0 / baseCost - 1) : 0 } }
    /// Proven optimal within ``boundScope``.
    public var isOptimal: Bool? { bound.map { totalCost <= $0 * (1 + 1e-9) + 1e-9 } }
    /// Relative gap between the cost and the bound.
    public var gap: Double? { bound.map { totalCost > 0 ? max(0, totalCost - $0) / totalCost : 0 } }
    /// What the methods minimise: compute and copies.
    public var totalCost: Double { computeCost + transferCost }

    public func json(pretty: Bool = false) -> Data { PlanCodec.encode(plan, pretty: pretty) }

    /// What `stowage remat --json` prints (`Schemas/remat-report.schema.json`).
    public var report: RematReport { RematReport(self) }
}

/// `stowage remat --json`: one object with the same keys for a plan and
/// (with `feasible: false` and a `message`) for a request without one.
public struct RematReport: Sendable, Encodable {
    public static let currentVersion = 1

    public var version = Self.currentVersion
    public var feasible: Bool
    public var graph: String?
    public var method: String?
    public var budgetBytes: Int?
    public var keepAllPeakBytes: Int?
    public var minimumBytes: Int?
    public var smallestPlannedBytes: Int?
    public var peakBytes: Int?
    public var baseCost: Double?
    public var computeCost: Double?
    public var transferCost: Double?
    public var overhead: Double?
    public var overheadBound: Double?
    public var optimal: Bool?
    public var boundScope: String?
    public var gap: Double?
    public var spilledBytes: Int?
    public var recomputations: Int?
    public var variables: Int?
    public var rows: Int?
    public var stepsVerified: Int?
    public var seconds: Double
    public var message: String?
    public var boundSource: String?
    public var search: RematSearchCounts?

    init(_ result: RematResult) {
        feasible = true
        graph = result.graph.name
        method = result.method
        budgetBytes = result.budgetBytes
        keepAllPeakBytes = result.keepAllPeakBytes
        minimumBytes = result.minimumBytes
        smallestPlannedBytes = result.smallestPlannedBytes
        peakBytes = result.peakBytes
        baseCost = result.baseCost
        computeCost = result.computeCost
        transferCost = result.transferCost
        overhead = result.overhead
        overheadBound = result.overheadBound
        optimal = result.isOptimal
        boundScope = result.bound == nil ? nil : result.boundScope
        gap = result.gap
        spilledBytes = result.spilledBytes
        recomputations = result.recomputations
        variables = result.variables
        rows = result.rows
        stepsVerified = result.stepsVerified
        seconds = result.seconds
        boundSource = result.bound == nil ? nil : result.boundSource
        search = result.search
    }

    /// The report of a request that ended with `error`.
    public init(failure error: StowageError, method: String?, seconds: Double) {
        feasible = false
        self.method = method
        if case .infeasible(let capacity, _) = error { budgetBytes = capacity }
        self.seconds = seconds
        message = error.description
    }

    enum CodingKeys: String, CodingKey {
        case version, feasible, graph, method, budgetBytes, keepAllPeakBytes, minimumBytes, smallestPlannedBytes, peakBytes, baseCost, computeCost, transferCost, overhead,
             overheadBound, optimal, boundScope, gap, spilledBytes, recomputations, variables, rows, stepsVerified, seconds, message,
             boundSource, search
    }

    /// Every key is written, `null` where there is no value.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
        try c.encode(version, forKey: .version)
        try c.encode(feasible, forKey: .feasible)
        try c.encode(graph, forKey: .graph)
        try c.encode(method, forKey: .method)
        try c.encode(budgetBytes, forKey: .budgetBytes)
        try c.encode(keepAllPeakBytes, forKey: .keepAllPeakBytes)
        try c.encode(minimumBytes, forKey: .minimumBytes)
        try c.encode(smallestPlannedBytes, forKey: .smallestPlannedBytes)
        try c.encode(peakBytes, forKey: .peakBytes)
        try c.encode(finite(baseCost), forKey: .baseCost)
        try c.encode(finite(computeCost), forKey: .computeCost)
        try c.encode(finite(transferCost), forKey: .transferCost)
        try c.encode(finite(overhead), forKey: .overhead)
        try c.encode(finite(overheadBound), forKey: .overheadBound)
        try c.encode(optimal, forKey: .optimal)
        try c.encode(boundScope, forKey: .boundScope)
        try c.encode(finite(gap), forKey: .gap)
        try c.encode(spilledBytes, forKey: .spilledBytes)
        try c.encode(recomputations, forKey: .recomputations)
        try c.encode(variables, forKey: .variables)
        try c.encode(rows, forKey: .rows)
        try c.encode(stepsVerified, forKey: .stepsVerified)
        try c.encode(seconds.isFinite ? seconds : 0, forKey: .seconds)
        try c.encode(message, forKey: .message)
        try c.encode(boundSource, forKey: .boundSource)
        try c.encode(search, forKey: .search)
    }

    public var json: String { reportJSON(self) }
}

/// The large-neighbourhood search's counters in `stowage remat --json`:
/// neighbourhood MILPs tried, solved to optimality, and improvements accepted.
public struct RematSearchCounts: Sendable, Codable, Equatable {
    public var windows: Int
    public var proved: Int
    public var improved: Int
    /// It started from the covering solution's schedule (cheaper than the heuristics' and the LP rounding's).
    public var fromCover: Bool
    /// It started from the critical-moment relaxation's solution made into a schedule (cheaper still).
    public var fromCritical: Bool

    public init(windows: Int, proved: Int, improved: Int, fromCover: Bool, fromCritical: Bool = false) {
        self.windows = windows
        self.proved = proved
        self.improved = improved
        self.fromCover = fromCover
        self.fromCritical = fromCritical
    }
}
