import Allocation
import MILP
import MemoryGraph
import Plan

/// What a compiler does without an ILP: the given operator order, a
/// replacement policy (Belady or LRU) deciding what stays resident against
/// the capacity in bytes, and the offset allocator giving each residency an
/// address. When the allocator cannot fit the residencies under the
/// capacity (fragmentation), replacement is rerun against a smaller byte
/// budget until they fit, or until no budget can hold the largest operator.
public struct BaselinePlanner: Sendable {
    public var policy: ReplacementPolicy

    public init(policy: ReplacementPolicy = .belady) {
        self.policy = policy
    }

    public var method: String { "baseline-\(policy.rawValue)" }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// An operator's footprint exceeds the capacity (below M_R).
        case operatorTooLarge(op: String, footprint: Int, capacity: Int)
        /// Replacement fits every step in bytes, but addresses never fit.
        case fragmentation(capacity: Int, height: Int)
        case allocator(String)

        public var description: String {
            switch self {
            case .operatorTooLarge(let op, let footprint, let capacity):
                return "operator '\(op)' needs \(footprint) bytes at once, more than the scratchpad's \(capacity)"
            case .fragmentation(let capacity, let height):
                return "addresses do not fit: the residencies need a \(height)-byte arena, the scratchpad has \(capacity)"
            case .allocator(let message):
                return "offset allocation failed: \(message)"
            }
        }
    }

    /// Plans `problem`. The repair loop reruns replacement at most 100 times
    /// (the budget shrinks by at least 1 % of the capacity each round); past
    /// `deadline` the placement is greedy only and the step doubles each
    /// round, for at most 6 rounds and ``MILP/Deadline/grace`` seconds (then:
    /// ``Failure/fragmentation``); each run is
    /// O(steps × resident) plus the allocator's O(n log n) greedy orders and
    /// at most 2 s (never past the deadline) of its exact search. Memory:
    /// O(tensors + steps + residencies).
    public func plan(_ problem: ScratchpadProblem, deadline: Deadline = .none) throws(Failure) -> Plan {
        let simulation = ReplacementSimulation(problem: problem, policy: policy)
        var budget = problem.capacity
        var lastHeight = 0
        var overdue = 0  // rounds past the deadline: each doubles the step, at most 6
        while true {
            if lastHeight > 0, deadline.expired {
                overdue += 1
                if overdue > 6 || deadline.overrun > deadline.grace {
                    throw .fragmentation(capacity: problem.capacity, height: lastHeight)
                }
            }
            let outcome: ReplacementSimulation.Outcome
            do {
                outcome = try simulation.run(budget: budget)
            } catch {
                guard case .operatorTooLarge(let step, let footprint) = error else { throw .allocator("\(error)") }
                if budget < problem.capacity { throw .fragmentation(capacity: problem.capacity, height: lastHeight) }
                let op = problem.graph.operators[problem.schedule.order[step]].name
                throw .operatorTooLarge(op: op, footprint: footprint, capacity: problem.capacity)
            }
            let placement: ResidencyPlacement.Outcome
            do {
                placement = try ResidencyPlacement.place(outcome.residencies, problem: problem, deadline: deadline)
            } catch {
                throw .allocator("\(error)")
            }
            let height: Int
            switch placement {
            case .placed(let offsets, _):
                return PlanAssembly(problem: problem, outcome: outcome, offsets: offsets, method: method).plan()
            case .tooTall(let tall, _):
                height = tall
            }
            lastHeight = height
            // Shrink the byte budget by the overshoot (at least 1 % of the capacity) and retry.
            let overshoot = height - problem.capacity
            let (step, overflow) = max(overshoot, problem.capacity / 100, 1).multipliedReportingOverflow(by: 1 << min(overdue, 6))
            let next = overflow ? 0 : budget - step
            guard next > 0 else { throw .fragmentation(capacity: problem.capacity, height: lastHeight) }
            budget = next
        }
    }
}
