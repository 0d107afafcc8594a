/// The state of an order being built one operator at a time: which
/// operators are ready, the live arena bytes, and how many readers each
/// tensor still waits for. The list schedulers share it.
///
/// Running an operator costs O(its reads + its successors); asking what a
/// ready operator would free costs O(its reads).
struct ListScheduling {
    let problem: ArenaProblem
    /// Operators not yet run whose predecessors have all run, in no order.
    private(set) var ready: [Int] = []
    private(set) var order: [Int] = []
    /// Live bytes between steps (tensors produced and still needed).
    private(set) var live = 0
    /// The most live bytes seen at any step so far.
    private(set) var peak = 0
    private var waitingPredecessors: [Int]
    private var waitingReaders: [Int]

    init(_ problem: ArenaProblem) {
        self.problem = problem
        waitingPredecessors = problem.predecessors.map(\.count)
        waitingReaders = problem.consumers.map(\.count)
        ready = (0 ..< problem.operatorCount).filter { waitingPredecessors[$0] == 0 }
    }

    var isDone: Bool { order.count == problem.operatorCount }

    /// Bytes of the tensors `o` reads for the last time, were it run now.
    func freedBytes(_ o: Int) -> Int {
        var freed = 0
        for a in problem.reads[o] where !problem.pinned[a] && waitingReaders[a] == 1 { freed += problem.bytes[a] }
        return freed
    }

    /// Live bytes while `o` runs, were it run now.
    func stepBytes(_ o: Int) -> Int { live + problem.outputBytes[o] }

    /// Change of the live bytes between steps if `o` ran now.
    func growth(_ o: Int) -> Int { problem.keptBytes[o] - freedBytes(o) }

    /// Runs the ready operator at `index` in ``ready``.
    mutating func run(readyIndex index: Int) {
        let o = ready.remove(at: index)
        peak = max(peak, stepBytes(o))
        live += growth(o)
        for a in problem.reads[o] { waitingReaders[a] -= 1 }
        order.append(o)
        for s in problem.successors[o] {
            waitingPredecessors[s] -= 1
            if waitingPredecessors[s] == 0 { ready.append(s) }
        }
    }
}

/// The heuristic orders compilers ship, each also a baseline for the
/// exact search. None proves anything.
public enum OrderHeuristics {
    /// XLA's list scheduler: among the ready operators, the one that frees
    /// the most bytes net of what it keeps alive (bytes freed minus bytes
    /// defined), then the one with more readers, then the earliest in the
    /// given order. O(steps × ready × reads).
    public static func xlaList(_ problem: ArenaProblem) -> [Int] {
        let position = positions(problem.givenOrder)
        var state = ListScheduling(problem)
        while !state.isDone {
            var best = 0
            var bestKey = (Int.min, Int.min, Int.min)
            for (i, o) in state.ready.enumerated() {
                let key = (-state.growth(o), problem.successors[o].count, -position[o])
                if key > bestKey {
                    bestKey = key
                    best = i
                }
            }
            state.run(readyIndex: best)
        }
        return state.order
    }

    /// PyTorch Inductor's peak-memory reordering: least-peak-memory-first
    /// (the ready operator whose step stays lowest, counting the peak so
    /// far; then the smallest growth), a breadth-first order (the operator
    /// whose predecessors ran earliest), and a depth-first order (smallest
    /// operators first, each after its unmet inputs); the one of the three
    /// with the lowest peak. O(steps × ready × reads + edges log edges).
    public static func inductor(_ problem: ArenaProblem) -> [Int] {
        let candidates = [leastPeakFirst(problem), breadthFirst(problem), depthFirst(problem)]
        return candidates.min { problem.peak(of: $0) < problem.peak(of: $1) } ?? []
    }

    static func leastPeakFirst(_ problem: ArenaProblem) -> [Int] {
        let position = positions(problem.givenOrder)
        var state = ListScheduling(problem)
        while !state.isDone {
            var best = 0
            var bestKey = (Int.max, Int.max, Int.max)
            for (i, o) in state.ready.enumerated() {
                let key = (max(state.stepBytes(o), state.peak), state.growth(o), position[o])
                if key < bestKey {
                    bestKey = key
                    best = i
                }
            }
            state.run(readyIndex: best)
        }
        return state.order
    }

    /// Ready operators by the sorted steps at which their predecessors ran
    /// (first-in, first-out), then by given position.
    static func breadthFirst(_ problem: ArenaProblem) -> [Int] {
        let position = positions(problem.givenOrder)
        var stepOf = [Int](repeating: -1, count: problem.operatorCount)
        var state = ListScheduling(problem)
        while !state.isDone {
            var best = 0
            var bestKey: [Int]?
            for (i, o) in state.ready.enumerated() {
                let key = problem.predecessors[o].map { stepOf[$0] }.sorted() + [Int.max, position[o]]
                if bestKey == nil || key.lexicographicallyPrecedes(bestKey!) {
                    bestKey = key
                    best = i
                }
            }
            let o = state.ready[best]
            stepOf[o] = state.order.count
            state.run(readyIndex: best)
        }
        return state.order
    }

    /// Operators visited by their size with reads (outputs plus reads),
    /// smallest first; each visit first runs the operator's unmet
    /// predecessors, smallest first. An explicit stack: no recursion depth
    /// proportional to the graph.
    static func depthFirst(_ problem: ArenaProblem) -> [Int] {
        let n = problem.operatorCount
        let position = positions(problem.givenOrder)
        let size = (0 ..< n).map { o in problem.reads[o].reduce(problem.outputBytes[o]) { $0 + problem.bytes[$1] } }
        func before(_ a: Int, _ b: Int) -> Bool { (size[a], position[a]) < (size[b], position[b]) }
        var done = [Bool](repeating: false, count: n)
        var entered = [Bool](repeating: false, count: n)
        var order: [Int] = []
        order.reserveCapacity(n)
        for root in (0 ..< n).sorted(by: before) where !done[root] {
            // Frames: an operator and the predecessors still to visit.
            var stack: [(op: Int, pending: [Int])] = [(root, problem.predecessors[root].sorted(by: before).reversed())]
            entered[root] = true
            while !stack.isEmpty {
                if let next = stack[stack.count - 1].pending.popLast() {
                    if !done[next] && !entered[next] {
                        entered[next] = true
                        stack.append((next, problem.predecessors[next].sorted(by: before).reversed()))
                    }
                } else {
                    let o = stack.removeLast().op
                    done[o] = true
                    order.append(o)
                }
            }
        }
        return order
    }

    /// `result[o]`: the step of `o` in `order`.
    static func positions(_ order: [Int]) -> [Int] {
        var result = [Int](repeating: 0, count: order.count)
        for (s, o) in order.enumerated() { result[o] = s }
        return result
    }
}
