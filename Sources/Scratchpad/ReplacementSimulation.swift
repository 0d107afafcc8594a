/// Runs the schedule against a byte budget, deciding which tensors are
/// resident at each step: load what a step reads, allocate what it writes,
/// evict by a ``ReplacementPolicy`` when the budget would be exceeded
/// (storing a victim first when its only valid copy is in the scratchpad
/// and it is needed again or is a graph output), store graph outputs right
/// after they are produced, free every tensor after its last use.
///
/// Addresses are not chosen here; each residency becomes a buffer for the
/// offset allocator. O(steps × resident tensors) for the victim scans.
struct ReplacementSimulation {
    struct Outcome {
        var residencies: [Residency]
        var before: [[PendingAction]]
        var after: [[PendingAction]]
        var loadedBytes: Int
        var storedBytes: Int
    }

    enum Failure: Error {
        /// Step `step` needs `footprint` bytes at once, more than the budget.
        case operatorTooLarge(step: Int, footprint: Int)
    }

    let problem: ScratchpadProblem
    let policy: ReplacementPolicy

    func run(budget: Int) throws(Failure) -> Outcome {
        let graph = problem.graph
        let steps = problem.need.count
        let tensorCount = graph.tensors.count
        var residencyOf = [Int?](repeating: nil, count: tensorCount)  // open residency index
        var residentList: [Int] = []  // tensors currently resident
        var residentBytes = 0
        var hostValid = (0 ..< tensorCount).map { problem.startsInHost($0) }
        var nextUseIndex = [Int](repeating: 0, count: tensorCount)  // into uses[t]
        var lastUsed = [Int](repeating: -1, count: tensorCount)
        var outcome = Outcome(residencies: [], before: Array(repeating: [], count: steps),
                              after: Array(repeating: [], count: steps), loadedBytes: 0, storedBytes: 0)

        func nextUse(_ t: Int, after s: Int) -> Int? {
            let uses = problem.uses[t]
            var i = nextUseIndex[t]
            while i < uses.count, uses[i] <= s { i += 1 }
            nextUseIndex[t] = i
            return i < uses.count ? uses[i] : nil
        }

        /// Ends `t`'s residency after `lastStep`; returns its free action.
        func close(_ t: Int, lastStep: Int) -> PendingAction? {
            guard let r = residencyOf[t] else { return nil }
            outcome.residencies[r].last = lastStep
            residencyOf[t] = nil
            residentBytes -= problem.bytes(t)
            if let i = residentList.firstIndex(of: t) { residentList.swapAt(i, residentList.count - 1); residentList.removeLast() }
            return .free(residency: r)
        }

        for s in 0 ..< steps {
            let need = problem.need[s]
            let footprint = problem.footprint(atStep: s)
            guard footprint <= budget else { throw .operatorTooLarge(step: s, footprint: footprint) }
            let needed = Set(need)
            let missing = need.filter { residencyOf[$0] == nil }
            let required = missing.reduce(0) { $0 + problem.bytes($1) }

            while residentBytes + required > budget {
                var victim: Int?
                var victimKey = Int.min
                for t in residentList where !needed.contains(t) {
                    let key: Int
                    switch policy {
                    case .belady: key = nextUse(t, after: s - 1) ?? Int.max
                    case .lru: key = -lastUsed[t]
                    }
                    if victim == nil || key > victimKey || (key == victimKey && problem.bytes(t) > problem.bytes(victim!)) {
                        victim = t
                        victimKey = key
                    }
                }
                guard let v = victim else { break }  // cannot happen: footprint ≤ budget
                let neededLater = nextUse(v, after: s - 1) != nil || problem.isGraphOutput[v]
                if !hostValid[v] && neededLater {
                    outcome.before[s].append(.store(tensor: v))
                    outcome.storedBytes += problem.bytes(v)
                    hostValid[v] = true
                }
                if let free = close(v, lastStep: s - 1) { outcome.before[s].append(free) }
            }

            for t in missing {
                let isOutput = graph.producers[t] == problem.schedule.order[s]
                let r = outcome.residencies.count
                outcome.residencies.append(Residency(tensor: t, first: s, last: s, loaded: !isOutput))
                residencyOf[t] = r
                residentList.append(t)
                residentBytes += problem.bytes(t)
                outcome.before[s].append(.allocate(residency: r))
                if !isOutput {
                    outcome.before[s].append(.load(residency: r))
                    outcome.loadedBytes += problem.bytes(t)
                }
            }

            // The operator runs: its outputs exist only in the scratchpad.
            let op = graph.operators[problem.schedule.order[s]]
            for t in op.outputs { hostValid[t] = false }
            for t in need { lastUsed[t] = s }
            for t in op.outputs where problem.isGraphOutput[t] {
                outcome.after[s].append(.store(tensor: t))
                outcome.storedBytes += problem.bytes(t)
                hostValid[t] = true
            }
            for t in need where nextUse(t, after: s) == nil {
                if let free = close(t, lastStep: s) { outcome.after[s].append(free) }
            }
        }
        return outcome
    }
}
