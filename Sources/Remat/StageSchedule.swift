/// Schedules in Checkmate's stage form (see ``CheckmateFormulation``): per
/// stage t, the positions (in the given order) that run, ascending, the
/// last being t.
///
/// Every heuristic here runs the given order and recomputes on demand
/// before each operator, so its schedule splits into stages; sorting each
/// stage by position and dropping repeats gives a stage schedule, whose
/// peak may differ (and is measured again), and ``canonical(_:_:)`` then
/// drops the recomputations nothing uses, which never raises the peak.
public enum StageSchedule {
    /// The stages of `schedule`: a new stage at each first computation of
    /// the next position; nil when first computations do not follow the
    /// given order or an operator runs before its first computation's
    /// stage. Repeats inside a stage are dropped and each stage sorted.
    /// O(steps · log steps).
    public static func stages(of schedule: [Int], _ problem: RematProblem) -> [[Int]]? {
        let n = problem.operatorCount
        var position = [Int](repeating: 0, count: n)
        for (p, o) in problem.order.enumerated() { position[o] = p }
        var stages: [[Int]] = []
        var current = Set<Int>()
        var next = 0
        for o in schedule {
            guard o >= 0, o < n else { return nil }
            let p = position[o]
            if p == next {
                current.insert(p)
                stages.append(current.sorted())
                current = []
                next += 1
            } else if p < next {
                current.insert(p)
            } else {
                return nil
            }
        }
        guard next == n else { return nil }
        return stages
    }

    /// `stages` without recomputations whose values nothing uses (no later
    /// operator of the stage reads them, and the next stage does not start
    /// with them under the earliest frees), repeated until none is left.
    /// Each removal lowers or keeps the cost and the resident bytes at
    /// every step. At most (executions) rounds of O(steps + reads).
    public static func canonical(_ stages: [[Int]], _ problem: RematProblem) -> [[Int]] {
        var stages = stages
        let order = problem.order
        var rounds = 0
        let limit = stages.reduce(0) { $0 + $1.count }
        while rounds <= limit {
            rounds += 1
            let evaluation = problem.evaluate(stages.flatMap { $0.map { order[$0] } })
            // Step at which each stage starts.
            var starts: [Int] = []
            var step = 0
            for stage in stages {
                starts.append(step)
                step += stage.count
            }
            // Per step, the step that frees each of its allocations (nil: never).
            var freedAt = [Int: Int]()  // key: step * tensors + tensor
            let tensors = problem.bytes.count
            var lastMade = [Int](repeating: -1, count: tensors)
            for s in evaluation.schedule.indices {
                for v in evaluation.allocations[s] { lastMade[v] = s }
                for v in evaluation.frees[s] where lastMade[v] >= 0 { freedAt[lastMade[v] * tensors + v] = s }
            }
            var changed = false
            for t in stages.indices {
                var kept: [Int] = []
                for (offset, i) in stages[t].enumerated() {
                    let s = starts[t] + offset
                    if i == t { kept.append(i); continue }
                    let made = evaluation.allocations[s]
                    let used = made.contains { v in
                        guard let freed = freedAt[s * tensors + v] else { return true }  // kept to the end
                        // Read later (in this stage, or kept into the next one): the free comes at its last read.
                        return freed > s
                    }
                    if used { kept.append(i) } else { changed = true }
                }
                stages[t] = kept
            }
            if !changed { break }
        }
        return stages
    }
}
