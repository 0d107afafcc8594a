import MemoryGraph

/// A training graph and an activation budget, indexed for rematerialisation.
///
/// Activations are the tensors operators write (and graph inputs are
/// pinned, with weights: resident throughout, outside the budget; see
/// ``Remat``). Operators are numbered as in the graph; ``order`` is the
/// graph's topological order (its file order when that is one), the order
/// of first computations that stage-based methods keep.
///
/// Building one is O(tensors + operators + edges); memory the same.
public struct RematProblem: Sendable {
    public let graph: Graph
    /// Bytes available for activations.
    public var budget: Int
    /// The given topological order of the operators.
    public let order: [Int]
    /// Per operator: its cost (``Operator/executionCost``).
    public let costs: [Double]
    /// Per tensor: bytes when it is an activation, 0 when pinned.
    public let bytes: [Int]
    /// Per operator: the activations it writes.
    public let outputs: [[Int]]
    /// Per operator: the distinct activations it reads.
    public let reads: [[Int]]
    /// Per tensor: the operators that read it (distinct).
    public let readers: [[Int]]
    /// Per tensor: whether it must be resident at the end.
    public let isGraphOutput: [Bool]
    /// Per operator: its pass, from the graph, or inferred (see ``init(graph:budget:)``).
    public let phases: [Operator.Phase]
    /// Whether ``phases`` came from the graph rather than the inference.
    public let phasesGiven: Bool
    /// One execution of every operator.
    public let baseCost: Double
    /// What stores to and loads from host memory cost; nil: no spills.
    /// Host memory is unbounded.
    public var spill: SpillCosts?

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// A tensor an operator touches has no known size.
        case unknownSize(tensor: String)
        /// An operator has a negative or non-finite cost (only graphs built in code can).
        case badCost(op: String)

        public var description: String {
            switch self {
            case .unknownSize(let tensor): return "tensor '\(tensor)' has no known size"
            case .badCost(let op): return "operator '\(op)' has a cost that is negative or not finite"
            }
        }
    }

    /// Indexes `graph`. Without a `phase` on every operator, operators are
    /// taken as backward from the step where the given order reaches its
    /// peak (where a training graph's forward pass ends) on.
    public init(graph: Graph, budget: Int) throws(Failure) {
        self.graph = graph
        self.budget = budget
        order = graph.topologicalOrder
        var bytes = [Int](repeating: 0, count: graph.tensors.count)
        for (t, tensor) in graph.tensors.enumerated() where tensor.kind == .activation {
            guard let size = tensor.bytes else { throw .unknownSize(tensor: tensor.name) }
            bytes[t] = size
        }
        self.bytes = bytes
        var costs: [Double] = []
        var outputs: [[Int]] = []
        var reads: [[Int]] = []
        var readers = [[Int]](repeating: [], count: graph.tensors.count)
        for (o, op) in graph.operators.enumerated() {
            let cost = op.executionCost
            guard cost >= 0, cost.isFinite else { throw .badCost(op: op.name) }
            costs.append(cost)
            outputs.append(op.outputs.filter { graph.tensors[$0].kind == .activation })
            var seen = Set<Int>()
            let activationReads = op.reads.filter { graph.tensors[$0].kind == .activation && seen.insert($0).inserted }
            reads.append(activationReads)
            for t in activationReads { readers[t].append(o) }
        }
        self.costs = costs
        self.outputs = outputs
        self.reads = reads
        self.readers = readers
        var isOutput = [Bool](repeating: false, count: graph.tensors.count)
        for t in graph.outputs where graph.tensors[t].kind == .activation { isOutput[t] = true }
        isGraphOutput = isOutput
        baseCost = costs.reduce(0, +)
        if graph.operators.allSatisfy({ $0.phase != nil }) {
            phases = graph.operators.map { $0.phase ?? .forward }
            phasesGiven = true
        } else {
            phasesGiven = false
            var phases = [Operator.Phase](repeating: .forward, count: graph.operators.count)
            let evaluation = RematEvaluation(problem: nil, outputs: outputs, reads: reads, bytes: bytes, isGraphOutput: isOutput,
                                             costs: costs, schedule: graph.topologicalOrder)
            if let peakStep = evaluation.peakStep {
                for o in graph.topologicalOrder[(peakStep + 1)...] { phases[o] = .backward }
            }
            self.phases = phases
        }
    }

    public var operatorCount: Int { graph.operators.count }

    /// The producer of each tensor (nil for pinned tensors).
    public var producers: [Int?] { graph.producers }

    /// The peak of the given order with every operator run once: what
    /// keeping everything costs in memory. O(operators + edges).
    public var keepAllPeak: Int { evaluate(order).peak }

    /// A budget no schedule can go below, and why. Two arguments, each a
    /// moment every schedule has:
    /// 1. every operator runs at least once, and while it runs what it
    ///    reads and what it writes are resident: the largest such sum;
    /// 2. the last execution of a schedule is of some operator o; every
    ///    graph output is resident after it, and an output o does not
    ///    write was made earlier, so it is resident while o runs: the
    ///    graph outputs together with what o reads and writes, at the
    ///    least over the operators o (the graph outputs alone when o
    ///    touches none of them).
    /// Spills do not lower either (a value being copied is resident, and
    /// an operator reads from device memory only). O(operators + edges).
    public var provenMinimum: (bytes: Int, reason: String) {
        var best = 0, reason = "nothing to plan"
        let ends = (0 ..< bytes.count).filter { isGraphOutput[$0] }.reduce(0) { $0 + bytes[$1] }
        var lastBest = Int.max, lastName = ""
        for o in 0 ..< operatorCount {
            let touched = Set(reads[o] + outputs[o])
            let need = touched.reduce(0) { $0 + bytes[$1] }
            if need > best { best = need; reason = "operator '\(graph.operators[o].name)' needs its inputs and outputs resident (\(need) bytes)" }
            let last = ends + touched.filter { !isGraphOutput[$0] }.reduce(0) { $0 + bytes[$1] }
            if last < lastBest { lastBest = last; lastName = graph.operators[o].name }
        }
        if operatorCount > 0, lastBest > best {
            best = lastBest
            reason = "the graph outputs (\(ends) bytes) must all be resident after the last execution, and while it runs (at the least, '\(lastName)' last) \(lastBest) bytes are"
        } else if ends > best {
            best = ends
            reason = "the graph outputs must all be resident at the end (\(ends) bytes)"
        }
        return (best, reason)
    }

    /// The schedule with the earliest frees, its peak and its cost.
    public func evaluate(_ schedule: [Int]) -> RematEvaluation {
        RematEvaluation(problem: self, outputs: outputs, reads: reads, bytes: bytes, isGraphOutput: isGraphOutput,
                        costs: costs, schedule: schedule)
    }

    /// A schedule of executions and copies, with the earliest frees, its peak and its cost.
    public func evaluate(events: [RematEvent]) -> RematEvaluation {
        RematEvaluation(problem: self, outputs: outputs, reads: reads, bytes: bytes, isGraphOutput: isGraphOutput,
                        costs: costs, events: events, spill: spill)
    }

    /// The same problem at another budget.
    public func with(budget: Int) -> RematProblem {
        var copy = self
        copy.budget = budget
        return copy
    }
}
