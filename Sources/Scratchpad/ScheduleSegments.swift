import MemoryGraph

/// The operators that every path of the graph crosses, and the segments of
/// steps between them: where the problem over every order falls apart into
/// independent parts.
///
/// *Detached* operators compute from weights and constants only (every
/// tensor they read is a weight or the output of another detached
/// operator; ONNX `Constant` reads nothing at all). They can run
/// anywhere before their consumers, so they are left out of the
/// decomposition: plans run each just before its first consumer
/// (``order(core:)``), and sub-problems see their outputs as weights.
///
/// Among the other (*core*) operators, in a topological order, position
/// `c` is a *clean cut* when every core operator before it is an ancestor,
/// every one after it a descendant, and no activation made by a core
/// operator is used both before and after it. Then the same core operators
/// run before and after it in every order, so a segment between two cuts
/// can be re-ordered and planned on its own (``subproblem(_:of:)``).
///
/// The sum of the segments' lower bounds is a lower bound on any plan of
/// the graph: a plan restricted to a segment is a plan of its sub-problem
/// that costs no less (a weight, a graph input or a detached output read
/// in the segment is loaded once for free there, which the plan pays at
/// least as much for; the detached operators' own steps, and the capacity
/// that tensors crossing a cut take outside their segments, are left out).
/// When nothing crosses the cuts it is also the optimum's value, and the
/// segments' optimal orders stitched together give it.
///
/// With no activation crossing `c`, the first two conditions reduce to: no
/// core operator before `c` without core successors and none after `c`
/// without core predecessors (follow successors from one before `c`: they
/// never jump over `c`, so they reach `c` or one with none). Everything is
/// found in sweeps: O(operators + edges) time, O(steps + tensors) memory.
struct ScheduleSegments: Sendable {
    struct Segment: Sendable, Equatable {
        /// Positions in the core order, from one cut (or the first) to the
        /// next (or the last), both included.
        var positions: ClosedRange<Int>
        /// Whether its core operators have one order only: every one is a cut.
        var isFixed: Bool
    }

    /// Per operator: it computes from weights and constants only.
    let detached: [Bool]
    /// The core operators in the order the segmentation was made from.
    let core: [Int]
    /// Positions (into `core`) of the clean cuts.
    let cuts: [Int]
    let segments: [Segment]
    /// Per cut position: the tensors valid in host memory (weights, graph
    /// inputs, detached outputs) used on both sides of it (by core
    /// operators, or by detached ones feeding them), smallest first, at
    /// most ``carriedLimit`` of them.
    let carriedAcross: [Int: [Int]]
    static let carriedLimit = 64

    init(_ problem: ScratchpadProblem) {
        let graph = problem.graph
        let operators = graph.operators.count
        // Detached: in topological order, every read is host-valid or detached.
        var detached = [Bool](repeating: false, count: operators)
        for o in problem.schedule.order {
            detached[o] = graph.operators[o].reads.allSatisfy { t in
                guard let p = graph.producers[t] else { return graph.tensors[t].kind == .weight }
                return detached[p]
            }
        }
        self.detached = detached
        let core = problem.schedule.order.filter { !detached[$0] }
        self.core = core
        let n = core.count
        var position = [Int](repeating: -1, count: operators)
        for (i, o) in core.enumerated() { position[o] = i }

        // Core activations used strictly on both sides of a position make it no cut.
        var crossing = [Int](repeating: 0, count: n + 1)
        var users: [Int] = []
        for (t, producer) in graph.producers.enumerated() {
            guard let producer, !detached[producer] else { continue }
            users = [position[producer]]
            for c in graph.consumers(of: t) where !detached[c] { users.append(position[c]) }
            guard let first = users.min(), let last = users.max(), last - first >= 2 else { continue }
            crossing[first + 1] += 1
            crossing[last] -= 1
        }
        var hasSuccessor = [Bool](repeating: false, count: operators)
        var hasPredecessor = [Bool](repeating: false, count: operators)
        for o in core {
            for t in graph.operators[o].reads {
                if let p = graph.producers[t], p != o, !detached[p] {
                    hasSuccessor[p] = true
                    hasPredecessor[o] = true
                }
            }
        }
        var sinkBefore = [Bool](repeating: false, count: n)
        var seen = false
        for i in 0 ..< n {
            sinkBefore[i] = seen
            if !hasSuccessor[core[i]] { seen = true }
        }
        var sourceAfter = [Bool](repeating: false, count: n)
        seen = false
        for i in stride(from: n - 1, through: 0, by: -1) {
            sourceAfter[i] = seen
            if !hasPredecessor[core[i]] { seen = true }
        }
        var cuts: [Int] = []
        var running = 0
        for i in 0 ..< n {
            running += crossing[i]
            if running == 0, !sinkBefore[i], !sourceAfter[i] { cuts.append(i) }
        }
        self.cuts = cuts

        var bounds = cuts
        if n > 0 {
            if bounds.first != 0 { bounds.insert(0, at: 0) }
            if bounds.last != n - 1 { bounds.append(n - 1) }
        }
        let isCut = Set(cuts)
        var segments: [Segment] = []
        if bounds.count == 1 { segments.append(Segment(positions: 0 ... 0, isFixed: true)) }
        for i in 0 ..< max(0, bounds.count - 1) {
            let range = bounds[i] ... bounds[i + 1]
            segments.append(Segment(positions: range, isFixed: range.allSatisfy { isCut.contains($0) }))
        }
        self.segments = segments
        // Host-valid tensors live across cuts: O(tensors + edges + Σ cuts
        // crossed). A detached operator counts as used where the first core
        // operator that needs its result runs (it runs just before).
        var anchor = [Int](repeating: Int.max, count: operators)
        for o in problem.schedule.order.reversed() where detached[o] {
            for t in graph.operators[o].outputs {
                for c in graph.consumers(of: t) { anchor[o] = min(anchor[o], detached[c] ? anchor[c] : position[c]) }
            }
        }
        var carried: [Int: [Int]] = [:]
        for (t, producer) in graph.producers.enumerated() where producer.map({ detached[$0] }) ?? true {
            let positions = graph.consumers(of: t).compactMap { c -> Int? in
                detached[c] ? (anchor[c] == Int.max ? nil : anchor[c]) : position[c]
            }
            guard let first = positions.min(), let last = positions.max(), last - first >= 2 else { continue }
            // Cuts strictly inside (first, last), by binary search.
            var lo = 0, hi = cuts.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if cuts[mid] <= first { lo = mid + 1 } else { hi = mid }
            }
            var c = lo
            while c < cuts.count, cuts[c] < last {
                carried[cuts[c], default: []].append(t)
                c += 1
            }
        }
        for (cut, list) in carried {
            carried[cut] = Array(list.sorted { (graph.tensors[$0].bytes ?? 0, $0) < (graph.tensors[$1].bytes ?? 0, $1) }
                .prefix(Self.carriedLimit))
        }
        self.carriedAcross = carried
    }

    /// A whole order from an order of the core operators: each detached
    /// operator runs just before the first operator that reads its output
    /// (after its own detached producers), or at the end when none does.
    /// O(operators + edges).
    func order(core: [Int], graph: Graph) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(detached.count)
        var emitted = [Bool](repeating: false, count: detached.count)
        // Depth-first over detached producers, so each comes after its own.
        func emitDetachedInputs(of o: Int) {
            var stack: [(op: Int, next: Int)] = [(o, 0)]
            while let top = stack.last {
                let reads = graph.operators[top.op].reads
                if top.next < reads.count {
                    stack[stack.count - 1].next += 1
                    if let p = graph.producers[reads[top.next]], detached[p], !emitted[p] {
                        emitted[p] = true
                        stack.append((p, 0))
                    }
                } else {
                    stack.removeLast()
                    if top.op != o { result.append(top.op) }
                }
            }
        }
        for o in core {
            emitDetachedInputs(of: o)
            emitted[o] = true
            result.append(o)
        }
        for o in detached.indices where detached[o] && !emitted[o] {
            emitDetachedInputs(of: o)
            emitted[o] = true
            result.append(o)
        }
        return result
    }

    /// Segment `k` as a problem of its own: its core operators in the order
    /// `core` gives them, the tensors they touch, and the same capacity and
    /// alignment. Tensors made outside it (by core operators of earlier
    /// segments, or by detached operators) become inputs, loaded once at a
    /// cost that counts as compulsory; its graph outputs are those it makes
    /// and uses last. O(the segment's operators + edges).
    func subproblem(_ k: Int, core order: [Int], of problem: ScratchpadProblem) throws(GraphError) -> SegmentProblem {
        let graph = problem.graph
        let range = segments[k].positions
        let ops = Array(order[range])
        let inside = Set(ops)
        var local: [Int: Int] = [:]
        var tensors: [Tensor] = []
        var global: [Int] = []
        func index(_ t: Int) -> Int {
            if let i = local[t] { return i }
            var tensor = graph.tensors[t]
            if tensor.kind == .activation, let p = graph.producers[t], !inside.contains(p) { tensor.kind = .input }
            local[t] = tensors.count
            tensors.append(tensor)
            global.append(t)
            return tensors.count - 1
        }
        var operators: [Operator] = []
        for o in ops {
            let op = graph.operators[o]
            operators.append(Operator(name: op.name, type: op.type, inputs: op.inputs.map(index),
                                      outputs: op.outputs.map(index), capturedInputs: op.capturedInputs.map(index)))
        }
        // Tensors valid in host memory (weights, graph inputs, detached
        // outputs) live across a seam may be resident there in a plan of
        // the whole graph. The seam's operator reads them here: at the
        // first step they enter for free, at the last they must be back (a
        // reload this segment pays instead of the one after the seam, which
        // then finds them resident). Only while the seam has room for them
        // beside its own tensors, smallest first: then any plan of the whole
        // graph restricted to the segment is still a plan of it that costs
        // no more, each of its reloads counted in one segment at most.
        for (step, seam) in [(0, range.lowerBound), (ops.count - 1, range.upperBound)] where ops.count > 1 {
            guard let carried = carriedAcross[seam] else { continue }
            let op = graph.operators[ops[step]]
            let own = Set(op.reads + op.outputs)
            var room = problem.capacity - own.reduce(0) { $0 + (graph.tensors[$1].bytes ?? 0) }
            for t in carried where !own.contains(t) {
                let bytes = graph.tensors[t].bytes ?? 0
                guard bytes <= room else { break }
                room -= bytes
                operators[step].inputs.append(index(t))
            }
        }
        // Graph outputs made here and not read by a later segment (the cut
        // a segment ends at makes tensors for the next one).
        let last = ops.last
        let outputs = graph.outputs.compactMap { t -> Int? in
            guard let i = local[t], tensors[i].kind == .activation, k == segments.count - 1 || graph.producers[t] != last
            else { return nil }
            return i
        }
        let sub = try Graph(name: "\(graph.name) segment \(k + 1)", tensors: tensors, operators: operators, outputs: outputs)
        let subProblem = ScratchpadProblem(graph: sub, schedule: .default(for: sub), capacity: problem.capacity,
                                           alignment: problem.alignment)
        return SegmentProblem(index: k, problem: subProblem, operators: ops, tensors: global)
    }
}

/// One segment of a ``ScheduleSegments`` decomposition as a problem of its
/// own, with the way back to the whole graph's indices.
struct SegmentProblem: Sendable {
    let index: Int
    let problem: ScratchpadProblem
    /// `operators[i]`: the whole graph's index of the sub-graph's operator `i`.
    let operators: [Int]
    /// `tensors[i]`: the whole graph's index of the sub-graph's tensor `i`.
    let tensors: [Int]

    /// A sub-graph order as whole-graph operators.
    func globalOrder(_ order: [Int]) -> [Int] { order.map { operators[$0] } }
}
