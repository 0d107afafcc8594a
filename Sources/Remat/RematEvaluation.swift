/// A schedule (a sequence of operator executions) under the memory model
/// of ``Remat``, with the earliest frees: each computation of a tensor is
/// freed right after its last read before the tensor is computed again,
/// or right after it is made when nothing reads it, except that the last
/// computation of a graph output stays to the end.
///
/// O(steps + reads of the steps) time and memory.
public struct RematEvaluation: Sendable {
    public let schedule: [Int]
    /// Per step: the activations allocated before the operator runs (its outputs).
    public let allocations: [[Int]]
    /// Per step: the activations freed after the operator runs.
    public let frees: [[Int]]
    /// The largest resident total while an operator runs.
    public let peak: Int
    /// The first step that reaches ``peak`` (nil for an empty schedule).
    public let peakStep: Int?
    /// The sum of the costs of the executions.
    public let cost: Double
    /// Executions beyond the first of each operator.
    public let recomputations: Int
    /// Why the schedule breaks the model (a read before any computation,
    /// an operator that never runs), nil when it does not.
    public let violation: String?

    public var isValid: Bool { violation == nil }

    init(problem: RematProblem?, outputs: [[Int]], reads: [[Int]], bytes: [Int], isGraphOutput: [Bool], costs: [Double],
         schedule: [Int]) {
        self.schedule = schedule
        let n = outputs.count
        var allocations = [[Int]](repeating: [], count: schedule.count)
        var frees = [[Int]](repeating: [], count: schedule.count)
        var current = [Int](repeating: -1, count: bytes.count)
        var lastRead = [Int](repeating: -1, count: bytes.count)
        var ran = [Bool](repeating: false, count: n)
        var violation: String?
        var cost = 0.0
        var executions = 0
        func name(_ o: Int) -> String { problem?.graph.operators[o].name ?? "#\(o)" }
        func tensorName(_ t: Int) -> String { problem?.graph.tensors[t].name ?? "#\(t)" }
        for (s, o) in schedule.enumerated() {
            guard o >= 0, o < n else {
                violation = violation ?? "step \(s) names operator #\(o), which does not exist"
                continue
            }
            for t in reads[o] {
                if current[t] < 0 {
                    violation = violation ?? "step \(s): '\(name(o))' reads '\(tensorName(t))' before any computation of it"
                } else {
                    lastRead[t] = s
                }
            }
            for t in outputs[o] {
                if current[t] >= 0 { frees[lastRead[t]].append(t) }
                current[t] = s
                lastRead[t] = s
                allocations[s].append(t)
            }
            ran[o] = true
            cost += costs[o]
            executions += 1
        }
        for t in current.indices where current[t] >= 0 && !isGraphOutput[t] {
            frees[lastRead[t]].append(t)
        }
        if violation == nil, let missing = ran.firstIndex(of: false) {
            violation = "operator '\(name(missing))' never runs"
        }
        var used = 0, peak = 0
        var peakStep: Int?
        for s in schedule.indices {
            for t in allocations[s] { used += bytes[t] }
            if peakStep == nil || used > peak {
                peak = used
                peakStep = s
            }
            for t in frees[s] { used -= bytes[t] }
        }
        self.allocations = allocations
        self.frees = frees
        self.peak = peak
        self.peakStep = peakStep
        self.cost = cost
        self.recomputations = executions - ran.filter { $0 }.count
        self.violation = violation
    }

    /// Whether the schedule is valid and fits `budget`.
    public func fits(_ budget: Int) -> Bool { isValid && peak <= budget }
}
