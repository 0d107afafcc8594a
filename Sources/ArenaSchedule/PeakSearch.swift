import MILP

/// The exact minimum-peak operator order, by dynamic programming over
/// down-sets (Serenity, MLSys 2020), run as a best-first search.
///
/// A state is the set of operators already run (a down-set of the graph).
/// Its live bytes depend on the set alone, so the best peak to reach it is
/// a function of the set: states are memoised in a table keyed by a
/// Zobrist hash of the set (``DownSetTable``). From a state every ready
/// operator leads on, the step costing the live bytes plus its outputs.
///
/// - Best first: states leave the queue by their key, the largest of the
///   peak so far, a lower bound on every completion (``CertainLiveBound``:
///   the ancestor cut of every operator not yet run, given what has run)
///   and the floor (the best proven bound of the whole graph, below which
///   nothing needs proving); deeper states first on equal keys. The first
///   complete state out of the queue is optimal, and at any moment the
///   smallest key in the queue is a lower bound on every order.
/// - Incumbent pruning: a state whose key reaches the incumbent's peak is
///   never stored; an exhausted queue proves the incumbent optimal.
/// - Dominance: when a ready operator keeps no more bytes alive than it
///   frees, and its step stays within the state's key, running it first
///   is never worse (every step it overtakes holds fewer bytes, none
///   more), so it is the state's only successor.
/// - Divide and conquer: at operators that every path crosses
///   (``OrderSegments``) the live set is the same in every order, so each
///   stretch between two of them is searched on its own, with bitsets as
///   wide as the stretch, the largest stretches first (each proven peak
///   raises the floor for the rest).
///
/// Complexity: per stretch of m operators, at most as many states as the
/// stretch has down-sets (2^m for m independent operators, m + 1 for a
/// chain); each expansion costs O(m · w + reads · w) for w = ⌈m/64⌉ words,
/// plus O(m · R / 64) for the bound (R tensors the stretch touches) per new
/// state. Memory: per state about 8·w + 70 bytes (set, fields, table slot,
/// queue entries), for at most ``Limits/maxStates`` states of one stretch
/// at a time. At the state limit or the deadline the search stops cleanly:
/// the stretch keeps the incumbent's order, and the bound is the smallest
/// key left in the queue.
public struct PeakSearch: Sendable {
    public struct Limits: Sendable {
        /// States stored at once (one stretch at a time).
        public var maxStates: Int
        public var deadline: Deadline
        /// Words of bound masks a stretch may use before it goes without
        /// the per-state bound (then only the peak so far and the floor).
        public var boundWords: Int

        /// Widths of the beam searches run first for an incumbent (none: start
        /// from the given incumbent).
        public var beamWidths: [Int]

        public init(maxStates: Int = 4_000_000, deadline: Deadline = .none, boundWords: Int = 1 << 18,
                    beamWidths: [Int] = [64, 1_024]) {
            self.maxStates = maxStates
            self.deadline = deadline
            self.boundWords = boundWords
            self.beamWidths = beamWidths
        }
    }

    public enum Stop: String, Sendable {
        case stateLimit = "state limit"
        case deadline = "time limit"
    }

    public struct Outcome: Sendable {
        /// The best order found: the optimum when ``proved``.
        public var order: [Int]
        /// Its peak, measured by ``ArenaProblem/peak(of:)``.
        public var peak: Int
        /// A lower bound on the peak of every order.
        public var lowerBound: Int
        /// States stored, summed over the stretches.
        public var states: Int
        /// States expanded, summed over the stretches.
        public var expansions: Int
        /// Stretches between cuts, and those that needed a search.
        public var stretches: Int
        public var searchedStretches: Int
        /// Why a stretch was left unproven, if one was.
        public var stop: Stop?

        public var proved: Bool { peak <= lowerBound }
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Searches from `incumbent` (any topological order; its peak is the
    /// first upper bound) with `lowerBound` already known (e.g. the
    /// ancestor cut); see the type's description for the method.
    public func minimumPeak(_ problem: ArenaProblem, incumbent: [Int], lowerBound known: Int) -> Outcome {
        let n = problem.operatorCount
        let segments = OrderSegments(problem: problem, order: incumbent)
        var position = [Int](repeating: 0, count: n)
        for (s, o) in incumbent.enumerated() { position[o] = s }
        let live = problem.liveBytes(incumbent)
        let liveAfter = Self.liveAfterSteps(problem, incumbent)
        var pieces: [[Int]] = segments.ranges.map { Array(incumbent[$0]) }
        let piecePeak = segments.ranges.map { range in live[range].max() ?? 0 }
        var floor = known
        var states = 0, expansions = 0, searched = 0
        var stop: Stop?
        for k in piecePeak.indices.sorted(by: { piecePeak[$0] > piecePeak[$1] }) {
            let range = segments.ranges[k]
            guard piecePeak[k] > floor else { continue }
            // One operator: its step is the same in every order.
            guard range.count > 1 else {
                floor = piecePeak[k]
                continue
            }
            if limits.deadline.expired {
                stop = .deadline
                continue
            }
            searched += 1
            let model = StretchModel(problem: problem, order: incumbent, position: position, range: range,
                                     baseLive: range.lowerBound == 0 ? 0 : liveAfter[range.lowerBound - 1],
                                     boundLimit: limits.boundWords)
            // A good incumbent first: the states it does not beat are never stored.
            var incumbentPeak = piecePeak[k]
            for width in limits.beamWidths where incumbentPeak > floor {
                guard let beam = StretchBeam(model: model, width: width, deadline: limits.deadline).run() else { break }
                if beam.peak < incumbentPeak {
                    incumbentPeak = beam.peak
                    pieces[k] = beam.order.map { model.operators[$0] }
                }
            }
            guard incumbentPeak > floor else { continue }
            let result = StretchSearch(model: model, floor: floor, incumbentPeak: incumbentPeak, limits: limits).run()
            states += result.states
            expansions += result.expansions
            if let order = result.order { pieces[k] = order.map { model.operators[$0] } }
            floor = max(floor, result.bound)
            if let reason = result.stop { stop = stop ?? reason }
        }
        let order = pieces.flatMap { $0 }
        let peak = problem.peak(of: order)
        return Outcome(order: order, peak: peak, lowerBound: min(max(known, floor), peak), states: states,
                       expansions: expansions, stretches: segments.ranges.count, searchedStretches: searched,
                       stop: peak <= max(known, floor) ? nil : stop)
    }

    /// `result[s]`: live bytes once step `s` of `order` is over (tensors
    /// produced by then that are graph outputs or read later).
    static func liveAfterSteps(_ problem: ArenaProblem, _ order: [Int]) -> [Int] {
        var delta = [Int](repeating: 0, count: order.count + 1)
        for (a, lifetime) in problem.lifetimes(order).enumerated() {
            let end = problem.pinned[a] ? order.count : lifetime.last
            guard end > lifetime.first else { continue }
            delta[lifetime.first] += problem.bytes[a]
            delta[end] -= problem.bytes[a]
        }
        var running = 0
        return (0 ..< order.count).map { s in
            running += delta[s]
            return running
        }
    }
}

/// The best-first search over one stretch; see ``PeakSearch``.
struct StretchSearch {
    let model: StretchModel
    let floor: Int
    let incumbentPeak: Int
    let limits: PeakSearch.Limits

    struct Result {
        /// Local order, when the search finished with one better than (or
        /// as good as, within the floor) the incumbent's.
        var order: [Int]?
        /// Proven: every order of the stretch, with the floor, has a peak
        /// of at least this.
        var bound: Int
        var states: Int
        var expansions: Int
        var stop: PeakSearch.Stop?
    }

    func run() -> Result {
        let m = model.count
        let words = model.words
        var zobrist = [UInt64](repeating: 0, count: m)
        var generator = SearchRandom(seed: 0x5EED_0F_A2E4A)
        for i in 0 ..< m { zobrist[i] = generator.next() }
        let certain = model.bound
        let tensorWords = certain?.tensorWords ?? 1

        var table = DownSetTable(words: words)
        var queue = StateQueue(depths: m)
        var done = [UInt64](repeating: 0, count: words)
        var child = [UInt64](repeating: 0, count: words)
        var produced = [UInt64](repeating: 0, count: tensorWords)
        var values = [Int](repeating: 0, count: m)
        var ready: [Int] = []
        ready.reserveCapacity(m)
        var expansions = 0

        let rootBound = certain.map { bound in done.withUnsafeBufferPointer { d in produced.withUnsafeBufferPointer { bound.value(done: d, produced: $0) } } } ?? 0
        let rootKey = max(model.baseLive, floor, rootBound)
        guard rootKey < incumbentPeak else {
            return Result(order: nil, bound: incumbentPeak, states: 0, expansions: 0, stop: nil)
        }
        _ = done.withUnsafeBufferPointer {
            table.insert($0, hash: 0, key: rootKey, bound: rootBound, live: model.baseLive, parent: -1, lastOperator: -1, depth: 0)
        }
        queue.push(key: rootKey, depth: 0, state: 0)

        while let entry = queue.pop() {
            let state = entry.state
            guard !table.closed[state], table.keys[state] == entry.key else { continue }
            table.closed[state] = true
            let depth = entry.depth
            let key = entry.key
            if depth == m { return Result(order: path(to: state, in: table), bound: key, states: table.count, expansions: expansions, stop: nil) }
            expansions += 1
            if expansions & 1023 == 0 && limits.deadline.expired {
                return Result(order: nil, bound: key, states: table.count, expansions: expansions, stop: .deadline)
            }
            done.withUnsafeMutableBufferPointer { table.copySet(state, into: $0) }
            let live = table.live[state]
            let hash = table.hashes[state]
            ready.removeAll(keepingCapacity: true)
            var forced: (op: Int, freed: Int)?
            done.withUnsafeBufferPointer { set in
                for i in 0 ..< m where set[i / 64] & (1 << UInt64(i % 64)) == 0 && model.isReady(i, after: set) {
                    ready.append(i)
                    if forced == nil && live + model.outputBytes[i] <= key {
                        let freed = model.freedBytes(i, after: set)
                        if model.keptBytes[i] <= freed { forced = (i, freed) }
                    }
                }
            }
            if let forced { ready = [forced.op] }
            var haveValues = false
            for i in ready {
                let step = live + model.outputBytes[i]
                var childKey = max(key, step)
                guard childKey < incumbentPeak else { continue }
                let freed = forced?.freed ?? done.withUnsafeBufferPointer { model.freedBytes(i, after: $0) }
                let childLive = live + model.keptBytes[i] - freed
                for w in 0 ..< words { child[w] = done[w] }
                child[i / 64] |= 1 << UInt64(i % 64)
                let childHash = hash ^ zobrist[i]
                let existing = child.withUnsafeBufferPointer { table.find($0, hash: childHash) }
                if let existing {
                    guard !table.closed[existing] else { continue }
                    childKey = max(childKey, table.bounds[existing])
                    if childKey < table.keys[existing] {
                        table.keys[existing] = childKey
                        table.parents[existing] = Int32(state)
                        table.lastOperators[existing] = Int32(i)
                        queue.push(key: childKey, depth: depth + 1, state: existing)
                    }
                    continue
                }
                var childBound = 0
                if let certain {
                    if !haveValues {
                        // The state's own figures, once per expansion.
                        for w in 0 ..< tensorWords { produced[w] = 0 }
                        for j in 0 ..< m where done[j / 64] & (1 << UInt64(j % 64)) != 0 {
                            for w in 0 ..< tensorWords { produced[w] |= certain.produces[j * tensorWords + w] }
                        }
                        done.withUnsafeBufferPointer { d in produced.withUnsafeBufferPointer { certain.values(done: d, produced: $0, into: &values) } }
                        haveValues = true
                    }
                    childBound = certain.successorBound(of: i, values: values)
                    childKey = max(childKey, childBound)
                    guard childKey < incumbentPeak else { continue }
                }
                guard table.count < limits.maxStates else {
                    return Result(order: nil, bound: key, states: table.count, expansions: expansions, stop: .stateLimit)
                }
                // A rehash of millions of states takes a while: not past the deadline.
                if table.growsOnNextInsert && table.count > 1 << 16,
                   let left = limits.deadline.remaining, left < Double(table.count) * 2e-7 {
                    return Result(order: nil, bound: key, states: table.count, expansions: expansions, stop: .deadline)
                }
                let index = child.withUnsafeBufferPointer {
                    table.insert($0, hash: childHash, key: childKey, bound: childBound, live: childLive, parent: state, lastOperator: i, depth: depth + 1)
                }
                queue.push(key: childKey, depth: depth + 1, state: index)
            }
        }
        // Nothing below the incumbent's peak: it is optimal.
        return Result(order: nil, bound: incumbentPeak, states: table.count, expansions: expansions, stop: nil)
    }

    /// The operators from the root to `state`, in order.
    private func path(to state: Int, in table: DownSetTable) -> [Int] {
        var result: [Int] = []
        var s = state
        while table.parents[s] >= 0 {
            result.append(Int(table.lastOperators[s]))
            s = Int(table.parents[s])
        }
        return result.reversed()
    }
}
