/// A planner's answer: a schedule evaluated under the memory model, and
/// what is proven about it.
public struct RematSolution: Sendable {
    /// Whom a lower bound on the compute cost covers.
    public enum BoundScope: String, Sendable, Codable {
        /// Every schedule of the memory model.
        case allSchedules = "all-schedules"
        /// Every schedule in which no operator runs more than the cap
        /// (``SlotILP/cap``) times, in any order.
        case cappedExecutions = "capped-executions"
        /// Every stage schedule: first computations in the given order,
        /// earlier operators recomputed inside a stage in that order (Checkmate).
        case stages = "stages"
    }

    public var method: String
    public var evaluation: RematEvaluation
    /// A lower bound on the compute cost of every schedule in ``boundScope``
    /// that fits the budget; nil without one.
    public var bound: Double?
    public var boundScope: BoundScope?
    /// What the solver said, for MILP methods.
    public var solverStatus: String?
    public var objective: Double?
    /// The formulation's size, for MILP methods.
    public var variables: Int?
    public var rows: Int?
    /// Neighbourhood MILPs the large-neighbourhood search solved, when it ran.
    public var neighbourhoods: Int?
    /// Of those, solved to optimality, and improvements the search accepted.
    public var optimalNeighbourhoods: Int?
    public var improvements: Int?
    /// The search started from the covering solution's schedule (``StageCoverBound/plan(_:cover:)``), cheaper than every other start.
    public var startFromCover = false
    /// The search started from ``CriticalMomentBound``'s solution made into a schedule.
    public var startFromCritical = false
    /// Which bound ``bound`` is.
    public var boundSource: BoundSource?

    /// Where a bound comes from.
    public enum BoundSource: String, Sendable, Codable {
        /// A MILP's dual bound (or its optimum).
        case milp
        /// The LP relaxation of Checkmate's MILP.
        case lp
        /// ``StageKnapsackBound``: the largest of the per-stage knapsacks.
        case stageKnapsack = "stage-knapsack"
        /// ``StageCoverBound``: the stages' knapsacks in one covering MILP.
        case cover
        /// ``CriticalMomentBound``: residency at the critical stages and runs between them.
        case critical
        /// Every operator runs once (the base cost).
        case base
    }

    /// The largest of `candidates` (base cost included) and where it comes
    /// from; on a tie the earlier candidate is kept, so a later source is
    /// named only when it proves strictly more.
    public static func strongest(_ candidates: [(Double?, BoundSource)]) -> (bound: Double, source: BoundSource)? {
        var best: (bound: Double, source: BoundSource)?
        for case let (bound?, source) in candidates where bound.isFinite {
            if let current = best, !CostTolerance.isAbove(bound, current.bound) { continue }
            best = (bound, source)
        }
        return best
    }

    public init(method: String, evaluation: RematEvaluation, bound: Double? = nil, boundScope: BoundScope? = nil,
                boundSource: BoundSource? = nil) {
        self.method = method
        self.evaluation = evaluation
        self.bound = bound
        self.boundScope = boundScope
        self.boundSource = boundSource
    }
}

/// Why a method has no schedule within the budget.
public enum RematFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No schedule of the memory model fits: a proven minimum is above the budget.
    case belowMinimum(budget: Int, minimum: Int, reason: String)
    /// The method found none (which does not prove that none exists).
    case notFound(method: String, budget: Int, reason: String)
    /// The method does not apply to this graph (say, Griewank's on a graph that is not a chain).
    case notApplicable(method: String, reason: String)

    public var description: String {
        switch self {
        case .belowMinimum(let budget, let minimum, let reason):
            return "no schedule fits in \(budget) bytes: at least \(minimum) bytes are needed (\(reason))"
        case .notFound(let method, let budget, let reason):
            return "\(method) found no schedule within \(budget) bytes: \(reason)"
        case .notApplicable(let method, let reason):
            return "\(method) does not apply: \(reason)"
        }
    }
}
