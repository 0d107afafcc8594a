import MemoryGraph

/// The schedule of a saved set: the given order, in which each `dropped`
/// activation is freed after its last read in the forward pass and
/// recomputed, with whatever of its ancestors is missing, right before the
/// first operator of the backward pass that reads it; recomputed values
/// then stay until their last read. This is how checkpointing schemes
/// (Chen's segments, PyTorch's saved sets) run a training graph.
///
/// O(executions + their reads), at most operators × (1 + operators)
/// executions (each base step recomputes each operator at most once).
enum OnDemandSchedule {
    static func build(_ problem: RematProblem, dropped: [Bool]) -> [Int] {
        let order = problem.order
        // Per tensor, the base positions of its readers, sorted; a cursor per tensor.
        let uses = problem.readPositions()
        var cursor = [Int](repeating: 0, count: uses.count)
        let producers = problem.producers
        var resident = [Bool](repeating: false, count: uses.count)
        var schedule: [Int] = []
        var base = 0
        // Reads of the operators being run or recomputed right now: never released.
        var pinned = [Int](repeating: 0, count: uses.count)

        func nextUse(_ t: Int) -> Int? {
            while cursor[t] < uses[t].count, uses[t][cursor[t]] <= base { cursor[t] += 1 }
            return cursor[t] < uses[t].count ? uses[t][cursor[t]] : nil
        }
        func release(_ touched: [Int]) {
            for t in touched where resident[t] && pinned[t] == 0 {
                if let next = nextUse(t) {
                    if dropped[t], problem.phases[order[base]] == .forward, problem.phases[order[next]] == .backward {
                        resident[t] = false
                    }
                } else if !problem.isGraphOutput[t] {
                    resident[t] = false
                }
            }
        }
        func run(_ o: Int) {
            for t in problem.reads[o] { pinned[t] += 1 }
            for t in problem.reads[o] where !resident[t] {
                if let p = producers[t] { run(p) }
            }
            schedule.append(o)
            for t in problem.outputs[o] { resident[t] = true }
            for t in problem.reads[o] { pinned[t] -= 1 }
            release(problem.reads[o] + problem.outputs[o])
        }
        for (p, o) in order.enumerated() {
            base = p
            run(o)
        }
        return schedule
    }
}
