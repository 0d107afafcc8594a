import MILP

/// The branch-and-bound engine behind ``ExactSearch``, for one set of
/// buffers of positive size and one capacity.
///
/// **Canonical solutions.** Take any solution and repeatedly move each
/// buffer down to the lowest aligned offset above the conflicting buffers
/// below it; heights never grow, and at the fixed point every free buffer
/// sits at `roundUp(base)`, where `base` is the highest end among the
/// conflicting buffers below it. Placing buffers in increasing offset order
/// therefore puts each at `roundUp(base)` of the buffers placed before it:
/// the search decides an order, offsets follow, and offsets never decrease
/// along a branch. Nothing is lost.
///
/// **Branching.** At the lowest level m where some buffer can go next,
/// each section is covered by at most one buffer starting at m (they would
/// conflict otherwise). The node takes the section with the fewest such
/// buffers and branches on which of them starts there, or on none
/// ("closing" the section at m). Every solution follows exactly one
/// branch; a section with a single option costs no branching.
///
/// **Sections.** Time is cut at every lower and upper into sections; a
/// section keeps a floor (the end of the highest buffer placed across it)
/// and the total size of the buffers still to place across it. Every
/// unplaced buffer can go no lower than where it would go now, so for
/// every section and every level t, the buffers across it that can go no
/// lower than t must stack between t and the capacity; a node is
/// abandoned as soon as some section breaks this for some t (see
/// ``stacksFit``). Space a branch skips over is charged at once, a
/// "valley" no buffer can fill is seen long before the search climbs to
/// it, and so is a valley the buffers inside it cannot fill up to its
/// walls (those crossing a wall start at or above it).
///
/// **Decomposition.** When no unplaced buffer crosses some section
/// boundary, the two sides no longer interact: each is solved on its own
/// (from the current level), and a failure of one fails the node without
/// retrying the other side's alternatives.
///
/// **Dominance.** Buffers with identical lifetime, size and alignment are
/// interchangeable: they are placed in index order only. A buffer whose
/// base already rules it out (above the capacity, above its fixed offset)
/// fails the node, since bases only grow.
///
/// The depth-first search is iterative (explicit frames), so deep searches
/// never exhaust a thread's stack. Place and undo keep what nodes would
/// otherwise rescan: each buffer's lowest start, the count of dead
/// buffers, the list of unplaced buffers, and bit sets of uncrossed
/// boundaries and unfilled sections. A node costs O(m + s) for the m
/// unplaced buffers and s sections of its part (O(s / 64) of it to find
/// the decomposition), plus O(m log m + area) for the area check where it
/// runs (area: the sections the unplaced buffers cross, counted with
/// repetition); placing a buffer costs O(length + degree), and so does
/// undoing it. Memory O(n + s + conflicts).
struct SectionSearch {
    enum RunResult: Equatable { case fit, noFit, nodeLimit, timeLimit }

    // Buffers, sorted by first section.
    let n: Int
    let sectionCount: Int
    let first: [Int]          // first section
    let last: [Int]           // one past the last section
    let size: [Int]
    let alignment: [Int]
    let fixed: [Int]          // -1 when free
    let duration: [Int]       // upper - lower in time units
    let original: [Int]       // index in the caller's list
    let firstBuffer: [Int]    // per section s (and s = sectionCount): first buffer with first >= s
    let neighbourStart: [Int] // conflicts in CSR form
    let neighbours: [Int]
    let previousTwin: [Int]   // previous identical buffer or -1
    let capacity: Int

    // State.
    private var floor: [Int]
    private var remaining: [Int]
    private var crossing: [Int]  // per boundary k (between sections k - 1 and k): unplaced buffers across it
    /// Boundaries k with `crossing[k] == 0` (where the search decomposes).
    private var uncrossed: SectionBits
    /// Sections with `remaining > 0`.
    private var unfilled: SectionBits
    private var base: [Int]
    /// Per buffer: the lowest offset it can start at now, `roundUp(base)`
    /// (its fixed offset when pinned); kept up to date by place and undo.
    private var lowestStart: [Int]
    /// Unplaced buffers that can no longer be placed (above the capacity,
    /// or their base above their fixed offset). Bases only grow along a
    /// branch, so a node with any is dead; kept by place and undo.
    private var deadCount = 0
    /// The unplaced buffers as a doubly linked list in index order (so by
    /// first section), with a sentinel `n + k` before the buffers whose
    /// first section is k (k = 0 ... sectionCount). Place unlinks, undo
    /// relinks (dancing links): scans visit only unplaced buffers.
    private var nextNode: [Int]
    private var previousNode: [Int]
    private var placed: [Bool]
    private(set) var offset: [Int]
    private var rank: [Int]

    // Undo log. An entry with a negative buffer `~s` closed section s
    // (`floors` then holds the section's previous closed level).
    private var trail: [(buffer: Int, floors: Int, bases: Int)] = []
    private var floorLog: [Int] = []
    private var baseLog: [(buffer: Int, value: Int, start: Int)] = []

    // Search stacks.
    private struct Frame {
        var isSplit: Bool
        var r0: Int, r1: Int
        var level: Int
        var start: Int, end: Int, next: Int
        var mark: Int
        /// The section to close once the candidates are exhausted (-1: none).
        var close: Int
    }
    private typealias Pending = (r0: Int, r1: Int, level: Int)
    private var frames: [Frame] = []
    /// `buffer` is complemented (`~i`) when the candidate needs the full section check.
    private var candidates: [(offset: Int, rank: Int, buffer: Int)] = []
    private var parts: [(r0: Int, r1: Int)] = []

    private(set) var nodes = 0
    /// Nodes cut by ``valleysTile`` (for tests).
    private(set) var valleyCuts = 0
    /// Whether candidates that fit their surroundings go first (see
    /// ``fitScore``; tilings only).
    private var fitFirst = true
    private var lowest: [(at: Int, buffer: Int)] = []
    /// The buffers that can start at the node's level m.
    private var atLowest: [Int] = []
    private var closedLevel: [Int]
    private var closedPrefix: [Int]
    private var coverage: [Int]
    private var packed: [Int] = []
    private var waiting: [(at: Int, buffer: Int)] = []
    private var stacked: [Int]
    private var reach: [Bool]
    private var closedAt: [Int]

    /// `buffers` must be valid with positive sizes; `original[i]` is
    /// reported back with their offsets.
    init(buffers: [Buffer], original: [Int], capacity: Int) {
        var times = Array(Set(buffers.flatMap { [$0.lower, $0.upper] })).sorted()
        if times.isEmpty { times = [0] }
        var timeIndex: [Int: Int] = [:]
        timeIndex.reserveCapacity(times.count)
        for (k, t) in times.enumerated() { timeIndex[t] = k }
        let s = times.count - 1
        let order = buffers.indices.sorted {
            let a = buffers[$0], b = buffers[$1]
            return (a.lower, a.upper, -a.size, $0) < (b.lower, b.upper, -b.size, $1)
        }
        n = buffers.count
        sectionCount = s
        first = order.map { timeIndex[buffers[$0].lower]! }
        last = order.map { timeIndex[buffers[$0].upper]! }
        size = order.map { buffers[$0].size }
        alignment = order.map { buffers[$0].alignment }
        fixed = order.map { buffers[$0].fixedOffset ?? -1 }
        duration = order.map { buffers[$0].upper - buffers[$0].lower }
        self.original = order.map { original[$0] }
        self.capacity = capacity

        var firstBuffer = [Int](repeating: n, count: s + 1)
        var b = n
        for section in stride(from: s, through: 0, by: -1) {
            while b > 0 && first[b - 1] >= section { b -= 1 }
            firstBuffer[section] = b
        }
        self.firstBuffer = firstBuffer

        // Conflicts: sorted by first section, j > i conflicts with i iff
        // first[j] < last[i]; the scan stops at the first that does not.
        var lists = [[Int]](repeating: [], count: n)
        for i in 0 ..< n {
            var j = i + 1
            while j < n && first[j] < last[i] {
                lists[i].append(j)
                lists[j].append(i)
                j += 1
            }
        }
        var starts = [0]
        starts.reserveCapacity(n + 1)
        var flat: [Int] = []
        for list in lists {
            flat.append(contentsOf: list)
            starts.append(flat.count)
        }
        neighbourStart = starts
        neighbours = flat

        var twins: [String: Int] = [:]
        var previousTwin = [Int](repeating: -1, count: n)
        for i in 0 ..< n where fixed[i] < 0 {
            let key = "\(first[i]),\(last[i]),\(size[i]),\(alignment[i])"
            if let p = twins[key] { previousTwin[i] = p }
            twins[key] = i
        }
        self.previousTwin = previousTwin

        var remaining = [Int](repeating: 0, count: s + 1)
        var crossing = [Int](repeating: 0, count: s + 2)
        for i in 0 ..< n {
            remaining[first[i]] += size[i]
            remaining[last[i]] -= size[i]
            crossing[first[i] + 1] += 1
            crossing[last[i]] -= 1
        }
        for k in stride(from: 1, through: s, by: 1) {
            remaining[k] += remaining[k - 1]
            crossing[k] += crossing[k - 1]
        }
        self.remaining = Array(remaining.prefix(s))
        isTiling = s > 0 && remaining.prefix(s).allSatisfy { $0 == capacity }
        checksStacks = !isTiling
        self.crossing = Array(crossing.prefix(s + 1))
        uncrossed = SectionBits(count: s + 1)
        unfilled = SectionBits(count: s)
        for k in 0 ... s where crossing[k] == 0 { uncrossed.insert(k) }
        for k in 0 ..< s where remaining[k] > 0 { unfilled.insert(k) }
        floor = [Int](repeating: 0, count: s)
        base = [Int](repeating: 0, count: n)
        lowestStart = fixed.map { Swift.max($0, 0) }
        // Node ids: sentinel of section k, then its buffers, for k = 0 ... s.
        var chain: [Int] = []
        chain.reserveCapacity(n + s + 1)
        var next = 0
        for k in 0 ... s {
            chain.append(n + k)
            while next < n && first[next] == k { chain.append(next); next += 1 }
        }
        nextNode = [Int](repeating: -1, count: n + s + 1)
        previousNode = [Int](repeating: -1, count: n + s + 1)
        for k in 0 ..< chain.count - 1 {
            nextNode[chain[k]] = chain[k + 1]
            previousNode[chain[k + 1]] = chain[k]
        }
        placed = [Bool](repeating: false, count: n)
        offset = [Int](repeating: 0, count: n)
        rank = Array(0 ..< n)
        closedLevel = [Int](repeating: Int.min, count: s + 1)
        closedPrefix = [Int](repeating: 0, count: s + 1)
        coverage = [Int](repeating: 0, count: s + 1)
        stacked = [Int](repeating: 0, count: s)
        reach = [Bool](repeating: false, count: s + 1)
        closedAt = [Int](repeating: 0, count: s + 1)
        deadCount = (0 ..< n).filter { isDead($0) }.count
    }

    /// Whether unplaced buffer i can no longer be placed: bases only grow
    /// along a branch, so neither can it further down.
    private func isDead(_ i: Int) -> Bool {
        fixed[i] >= 0 ? base[i] > fixed[i] || fixed[i] + size[i] > capacity : lowestStart[i] + size[i] > capacity
    }

    /// Whether the buffers fill every section exactly up to the capacity
    /// (no slack anywhere, like the guillotine problems): then no sliver may
    /// be left, and candidates that fit their surroundings go first.
    let isTiling: Bool

    /// Whether nodes run the area check (``stacksFit``). Off on tilings:
    /// there every placement must sit flush (no section can be closed, any
    /// gap is lost space), so the valley check (``valleysTile``) sees the
    /// same dead ends. Serially on the guillotine benchmark's six hardest
    /// problems (600k nodes each), the area check cut 2 % of the nodes
    /// the valley check let through, the search needed the same nodes to
    /// fit on four of them (within 12 % on the other two), and the check
    /// cost 40 % of the time. On problems with slack it cuts a fifth of
    /// the nodes (minimalloc G) and stays on.
    var checksStacks: Bool

    /// Whether some section needs more than the capacity even before any
    /// placement (the peak of live bytes is above it).
    var exceedsCapacityAtOnce: Bool { remaining.contains { $0 > capacity } }

    /// One depth-first search trying the buffers that could cover a
    /// section in `order`. Stops after `nodeLimit` nodes, at `deadline`, or
    /// when `tick` (called every 1,024 nodes) returns false (`.timeLimit`
    /// then too). On `.fit`, ``offset`` holds the solution (in this
    /// engine's buffer order: use ``original``); the state is reset before
    /// returning otherwise.
    mutating func run(order: CandidateOrder, fitFirst: Bool = true, nodeLimit: Int, deadline: Deadline, tick: (Int) -> Bool) -> RunResult {
        setRanks(order)
        self.fitFirst = fitFirst && isTiling
        resetToRoot()
        var pending: Pending? = (0, sectionCount, Int.min)
        var result: Bool?
        let startNodes = nodes
        while true {
            if let p = pending {
                pending = nil
                if nodes - startNodes >= nodeLimit { resetToRoot(); return .nodeLimit }
                if nodes & 1023 == 0 {
                    if !tick(nodes) || deadline.expired { resetToRoot(); return .timeLimit }
                }
                nodes += 1
                switch enter(p.r0, p.r1, p.level, &pending) {
                case .some(let r): result = r
                case .none: break
                }
            }
            guard let r = result else { continue }
            result = nil
            guard let top = frames.last else {
                if r { return .fit }
                resetToRoot()
                return .noFit
            }
            let f = frames.count - 1
            if top.isSplit {
                if r {
                    frames[f].next += 1
                    if frames[f].next < top.end {
                        let part = parts[frames[f].next]
                        pending = (part.r0, part.r1, top.level)
                    } else {
                        parts.removeSubrange(top.start...)
                        frames.removeLast()
                        result = true
                    }
                } else {
                    undo(to: top.mark)
                    parts.removeSubrange(top.start...)
                    frames.removeLast()
                    result = false
                }
            } else if r {
                candidates.removeSubrange(top.start...)
                frames.removeLast()
                result = true
            } else {
                undo(to: top.mark)
                if !tryNext(&pending) { result = false }
            }
        }
    }

    /// The caller's index and offset of every buffer (after `.fit`).
    var solution: [(original: Int, offset: Int)] { (0 ..< n).map { (original[$0], offset[$0]) } }

    // MARK: Nodes

    /// Opens a node for the part [r0, r1) whose placements must be at
    /// `level` or higher: returns its result at once, or nil after pushing
    /// a frame and setting `pending` to its first child.
    ///
    /// Branching: let m be the lowest offset at which some buffer can go
    /// now. Every section has at most one buffer starting exactly at m
    /// (such buffers never conflict), so the node picks the section at
    /// level m with the fewest buffers able to start there and branches on
    /// which of them does — or none ("closing" the section at m). Each
    /// solution follows exactly one branch, and forced sections (one
    /// option) cost no branching at all.
    private mutating func enter(_ r0: Int, _ r1: Int, _ level: Int, _ pending: inout Pending?) -> Bool? {
        // Parts: maximal runs of sections that unplaced buffers join,
        // keeping those with something left to place.
        let partStart = parts.count
        var runStart = r0
        while true {
            let k = uncrossed.next(from: runStart + 1, below: r1)
            if unfilled.intersects(runStart ..< k) { parts.append((runStart, k)) }
            if k == r1 { break }
            runStart = k
        }
        let partCount = parts.count - partStart
        if partCount == 0 { return true }
        if partCount > 1 {
            frames.append(Frame(isSplit: true, r0: r0, r1: r1, level: level, start: partStart, end: parts.count,
                                next: partStart, mark: trail.count, close: -1))
            pending = (parts[partStart].r0, parts[partStart].r1, level)
            return nil
        }
        let (a, b) = parts.removeLast()

        var maxRemaining = 0
        var fullest = a
        for s in a ..< b where remaining[s] > maxRemaining {
            maxRemaining = remaining[s]
            fullest = s
        }
        // Sections closed at this level, as prefix counts (only needed
        // for buffers that could start at `level` itself).
        var knowsClosed = false

        // The lowest level m where some unplaced buffer can go now, and the
        // buffers that can go there. A dead buffer fails the node at once.
        if deadCount > 0 { return false }
        let keepsAll = checksStacks
        if keepsAll {
            lowest.removeAll(keepingCapacity: true)
            waiting.removeAll(keepingCapacity: true)
        }
        atLowest.removeAll(keepingCapacity: true)
        var m = Int.max
        let stop = n + b
        var i = nextNode[n + a]
        while i != stop {
            defer { i = nextNode[i] }
            if i >= n { continue }  // a section's sentinel
            let at = lowestStart[i]
            let twin = previousTwin[i]
            if twin >= 0 && !placed[twin] {
                // Waits for its predecessor; it can go no lower than that one.
                if keepsAll { waiting.append((at, i)) }
                continue
            }
            if keepsAll { lowest.append((at, i)) }
            if at < level || at > m { continue }
            if at == level {
                if !knowsClosed {
                    knowsClosed = true
                    closedPrefix[a] = 0
                    for s in a ..< b { closedPrefix[s + 1] = closedPrefix[s] + (closedLevel[s] == level ? 1 : 0) }
                }
                if closedPrefix[last[i]] - closedPrefix[first[i]] > 0 { continue }
            }
            if at < m {
                m = at
                atLowest.removeAll(keepingCapacity: true)
            }
            atLowest.append(i)
        }
        if m == Int.max { return false }
        if !valleysTile(a, b, from: m) {
            valleyCuts += 1
            return false
        }
        if checksStacks && !stacksFit(a, b, fullest: maxRemaining) { return false }

        // How many buffers could start at m across each section.
        for s in a ... b { coverage[s] = 0 }
        for i in atLowest {
            coverage[first[i]] += 1
            coverage[last[i]] -= 1
        }
        var running = 0
        var chosen = -1
        var fewest = Int.max
        for s in a ..< b {
            running += coverage[s]
            if running > 0 && running < fewest { fewest = running; chosen = s }
        }

        // Placing a buffer at `at` leaves every section needing
        // `at + remaining` (the section check after placement, given that it
        // held before), so candidates with `at + maxRemaining <= capacity`
        // pass it for sure; above that, only a buffer that completes the
        // fullest section can, and it gets the full check.
        let start = candidates.count
        for i in atLowest where first[i] <= chosen && chosen < last[i] {
            let at = m
            let key = fitFirst ? (4 - fitScore(i, at: at, in: a, b)) * n + rank[i] : rank[i]
            if at + maxRemaining > capacity {
                guard size[i] == maxRemaining && first[i] <= fullest && fullest < last[i] else { continue }
                candidates.append((at, key, ~i))
            } else {
                candidates.append((at, key, i))
            }
        }
        candidates[start...].sort { $0.rank < $1.rank }
        // Closing the section: its next buffer starts above m, and all that
        // remains there must still fit.
        let canClose = m + 1 + remaining[chosen] <= capacity
        frames.append(Frame(isSplit: false, r0: a, r1: b, level: m, start: start, end: candidates.count, next: start,
                            mark: trail.count, close: canClose ? chosen : -1))
        return tryNext(&pending) ? nil : false
    }

    /// Places the top frame's next viable candidate, or closes its section,
    /// and sets `pending` to the child; pops the frame and returns false
    /// when no branch is left.
    private mutating func tryNext(_ pending: inout Pending?) -> Bool {
        let f = frames.count - 1
        let frame = frames[f]
        var next = frame.next
        while next < frame.end {
            let c = candidates[next]
            next += 1
            let checked = c.buffer < 0
            let i = checked ? ~c.buffer : c.buffer
            place(i, at: c.offset)
            if !checked || fitsAbove(c.offset, in: frame.r0, frame.r1) {
                frames[f].next = next
                pending = (frame.r0, frame.r1, frame.level)
                return true
            }
            undo(to: frame.mark)
        }
        if frame.close >= 0 {
            frames[f].next = next
            frames[f].close = -1
            trail.append((~frame.close, closedLevel[frame.close], baseLog.count))
            closedLevel[frame.close] = frame.level
            pending = (frame.r0, frame.r1, frame.level)
            return true
        }
        candidates.removeSubrange(frame.start...)
        frames.removeLast()
        return false
    }

    /// Every unplaced buffer d ends up at `at(d)` or higher (bases only
    /// grow), and the buffers of one section never overlap: so for every
    /// section s and every level t, the buffers across s with `at(d) ≥ t`
    /// must fit between t and the capacity. With t the lowest `at` in s
    /// this says that all that remains there fits above its lowest
    /// possible start (a valley nothing can reach at its floor is dead
    /// long before the search climbs to it); with higher t it also says
    /// that a valley between walls must be filled up to the walls by the
    /// buffers that fit inside it, since those crossing a wall start at
    /// or above it.
    ///
    /// The levels are taken from the highest down, adding the buffers with
    /// `at(d) ≥ t` to per-section sums, so the fullest section so far is
    /// compared with `capacity - t` at each level. O(m log m + s + area)
    /// for the m unplaced buffers, s sections and area = Σ sections per
    /// unplaced buffer. (A segment tree with range addition, O(m log s),
    /// was three times slower per node on the guillotine benchmark.)
    private mutating func stacksFit(_ a: Int, _ b: Int, fullest bound: Int) -> Bool {
        // No section's sum can pass `bound`, the most that remains across
        // any section of the part, so levels t ≤ capacity - bound pass, and
        // buffers that can go no higher than that count only at such
        // levels: they are left out.
        let safe = capacity - bound
        // `lowest` and `waiting` hold (at, buffer) for the part's unplaced
        // buffers. Offsets below 2^42 and indices below 2^20 pack into one
        // Int, which sorts several times faster than tuples.
        let packing = capacity < 1 << 42 && n < 1 << 20
        packed.removeAll(keepingCapacity: true)
        if packing {
            for (at, i) in lowest where at > safe { packed.append(at << 20 | i) }
            for (at, i) in waiting where at > safe { packed.append(at << 20 | i) }
            packed.sort()
        } else {
            // `waiting` becomes the sorted list of both (`lowest` must keep
            // only the buffers that can go next).
            waiting.append(contentsOf: lowest)
            waiting.removeAll { $0.at <= safe }
            waiting.sort { $0.at < $1.at }
            for (_, i) in waiting { packed.append(i) }
        }
        let capacity = self.capacity
        return stacked.withUnsafeMutableBufferPointer { stacked in
            packed.withUnsafeBufferPointer { packed in
                first.withUnsafeBufferPointer { first in
                    last.withUnsafeBufferPointer { last in
                        size.withUnsafeBufferPointer { size in
                            for s in a ..< b { stacked[s] = 0 }
                            // Sums only grow, so the fullest section is the
                            // fullest one touched so far.
                            var fullest = 0
                            var k = packed.count - 1
                            while k >= 0 {
                                let t = packing ? packed[k] >> 20 : waiting[k].at
                                repeat {
                                    let i = packing ? packed[k] & (1 << 20 - 1) : packed[k]
                                    let z = size[i]
                                    for s in first[i] ..< last[i] {
                                        let v = stacked[s] + z
                                        stacked[s] = v
                                        fullest = max(fullest, v)
                                    }
                                    k -= 1
                                } while k >= 0 && (packing ? packed[k] >> 20 : waiting[k].at) == t
                                if fullest > capacity - t { return false }
                            }
                            return true
                        }
                    }
                }
            }
        }
    }

    /// A section is *tight* when what remains to place across it exactly
    /// fills the room between its floor and the capacity: every unplaced
    /// buffer across it goes no lower than the floor, so one of them must
    /// start exactly at the floor. Take a *valley*: a maximal run of
    /// sections with the same floor f ≥ `level`, whose neighbours (if any
    /// in the part) have higher floors. A buffer starting at f cannot cross
    /// a neighbour (the top buffer there started at or below the current
    /// level, so it overlaps [f, f + size)), and buffers starting at f never
    /// share a section. So the tight sections of the valley must be covered
    /// by disjoint lifetimes, inside the valley, of unplaced buffers that
    /// can start at f (aligned there or pinned there, fitting below the
    /// capacity, not crossing a section closed at f). Whether such a cover
    /// exists is a reachability over the valley's section boundaries.
    ///
    /// The area check (``stacksFit``) cannot see this: zero-slack problems
    /// (a tiling, like the guillotine benchmark) leave valleys whose sums
    /// are right but whose width no set of remaining lifetimes fills, and
    /// chronological backtracking finds that out only many levels later.
    ///
    /// O(s + m) for the s sections of the part and its m unplaced buffers.
    private mutating func valleysTile(_ a: Int, _ b: Int, from level: Int) -> Bool {
        var ra = a
        while ra < b {
            let f = floor[ra]
            var rb = ra + 1
            while rb < b && floor[rb] == f { rb += 1 }
            defer { ra = rb }
            if f < level { continue }
            var anyTight = false
            for s in ra ..< rb {
                let r = remaining[s]
                if r > 0 && f + r >= capacity { anyTight = true; break }
            }
            if !anyTight { continue }
            // Only valleys walled on both sides (by higher floors or the
            // part's ends).
            if (ra > a && floor[ra - 1] < f) || (rb < b && floor[rb] < f) { continue }
            let lo = ra, hi = rb
            closedAt[lo] = 0
            for s in lo ..< hi {
                closedAt[s + 1] = closedAt[s] + (closedLevel[s] == f ? 1 : 0)
                reach[s] = false
            }
            reach[hi] = false
            reach[lo] = true
            for s in lo ..< hi {
                let open = reach[s]
                if !open { continue }
                // The unplaced buffers whose first section is s.
                var i = nextNode[n + s]
                while i < n {
                    if last[i] <= hi && f + size[i] <= capacity
                        && (fixed[i] >= 0 ? fixed[i] == f : alignment[i] == 1 || f % alignment[i] == 0)
                        && closedAt[last[i]] == closedAt[s] {
                        reach[last[i]] = true
                    }
                    i = nextNode[i]
                }
                do {
                    let r = remaining[s]
                    if floor[s] != f || !(r > 0 && f + r >= capacity) { reach[s + 1] = true }
                }
            }
            if !reach[hi] { return false }
        }
        return true
    }

    /// How well buffer i placed at `at` fits its surroundings, 0 to 4: one
    /// point per side where it abuts a higher neighbour (or the part's end),
    /// so it leaves no sliver at this level, and one per side where its top
    /// meets that neighbour's floor, so the skyline stays flat. Tilings fill
    /// valleys with pieces that match them; trying those first finds them
    /// sooner. O(1).
    private func fitScore(_ i: Int, at: Int, in a: Int, _ b: Int) -> Int {
        let top = at + size[i]
        let left = first[i] > a ? floor[first[i] - 1] : Int.max
        let right = last[i] < b ? floor[last[i]] : Int.max
        var score = 0
        if left > at { score += 1 }
        if right > at { score += 1 }
        if top == left { score += 1 }
        if top == right { score += 1 }
        return score
    }

    /// Every section of the part can still hold what remains to place in
    /// it above both its floor and `offset`.
    private func fitsAbove(_ offset: Int, in r0: Int, _ r1: Int) -> Bool {
        for s in r0 ..< r1 {
            let r = remaining[s]
            if r > 0 && max(floor[s], offset) + r > capacity { return false }
        }
        return true
    }

    // MARK: State

    private mutating func place(_ i: Int, at position: Int) {
        trail.append((i, floorLog.count, baseLog.count))
        placed[i] = true
        nextNode[previousNode[i]] = nextNode[i]
        previousNode[nextNode[i]] = previousNode[i]
        offset[i] = position
        let end = position + size[i]
        for s in first[i] ..< last[i] {
            floorLog.append(floor[s])
            floor[s] = end
            remaining[s] -= size[i]
            if remaining[s] == 0 { unfilled.remove(s) }
        }
        var k = first[i] + 1
        while k < last[i] {
            crossing[k] -= 1
            if crossing[k] == 0 { uncrossed.insert(k) }
            k += 1
        }
        for e in neighbourStart[i] ..< neighbourStart[i + 1] {
            let j = neighbours[e]
            let old = base[j]
            if old < end && !placed[j] {
                let start = lowestStart[j]
                baseLog.append((j, old, start))
                base[j] = end
                // Dead now and not before (see isDead).
                let pin = fixed[j]
                if pin < 0 {
                    let next = roundUp(end, alignment[j])
                    lowestStart[j] = next
                    if next + size[j] > capacity && start + size[j] <= capacity { deadCount += 1 }
                } else if end > pin && old <= pin {
                    deadCount += 1
                }
            }
        }
    }

    private mutating func undo(to mark: Int) {
        while trail.count > mark {
            let entry = trail.removeLast()
            if entry.buffer < 0 {
                closedLevel[~entry.buffer] = entry.floors
                continue
            }
            let i = entry.buffer
            while baseLog.count > entry.bases {
                let (j, value, start) = baseLog.removeLast()
                // The reverse of place's update.
                let pin = fixed[j]
                if pin < 0 {
                    if lowestStart[j] + size[j] > capacity && start + size[j] <= capacity { deadCount -= 1 }
                    lowestStart[j] = start
                } else if base[j] > pin && value <= pin {
                    deadCount -= 1
                }
                base[j] = value
            }
            var s = last[i] - 1
            while s >= first[i] {
                floor[s] = floorLog.removeLast()
                if remaining[s] == 0 { unfilled.insert(s) }
                remaining[s] += size[i]
                s -= 1
            }
            var k = first[i] + 1
            while k < last[i] {
                if crossing[k] == 0 { uncrossed.remove(k) }
                crossing[k] += 1
                k += 1
            }
            placed[i] = false
            nextNode[previousNode[i]] = i
            previousNode[nextNode[i]] = i
        }
    }

    private mutating func resetToRoot() {
        undo(to: 0)
        frames.removeAll(keepingCapacity: true)
        candidates.removeAll(keepingCapacity: true)
        parts.removeAll(keepingCapacity: true)
    }

    private mutating func setRanks(_ order: CandidateOrder) {
        if case .noisy(let base, let seed) = order {
            setRanks(base)
            var rng = SplitMix64(seed: seed)
            let spread = UInt64(max(2, n / 8))
            let noisy = (0 ..< n).map { rank[$0] + Int(rng.next() % spread) }
            let keys = (0 ..< n).sorted { (noisy[$0], rank[$0]) < (noisy[$1], rank[$1]) }
            for (r, i) in keys.enumerated() { rank[i] = r }
            return
        }
        var keys: [Int] = Array(0 ..< n)
        switch order {
        case .size:
            keys.sort { (-size[$0], -duration[$0], $0) < (-size[$1], -duration[$1], $1) }
        case .lifetime:
            keys.sort { (-duration[$0], -size[$0], $0) < (-duration[$1], -size[$1], $1) }
        case .area:
            keys.sort {
                let a = Double(size[$0]) * Double(duration[$0]), b = Double(size[$1]) * Double(duration[$1])
                return a != b ? a > b : $0 < $1
            }
        case .start:
            keys.sort { (first[$0], -size[$0], $0) < (first[$1], -size[$1], $1) }
        case .random(let seed):
            var rng = SplitMix64(seed: seed)
            keys.shuffle(using: &rng)
        case .noisy:
            break  // handled above
        }
        for (r, i) in keys.enumerated() { rank[i] = r }
    }
}
