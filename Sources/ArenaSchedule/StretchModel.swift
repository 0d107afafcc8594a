/// One stretch of operators between two cuts (see ``OrderSegments``), in
/// local numbering, with everything the exact search asks per state
/// precomputed as bitsets over the stretch's operators.
///
/// Every operator before the stretch has run; none after it has. The live
/// bytes of a state are `baseLive` plus what the stretch's operators added
/// and freed; a tensor read in the stretch dies when its last reader runs,
/// unless it is a graph output or read after the stretch.
///
/// Built in O(m² / 64 + m · R / 32 + edges · m / 64) for m operators and R
/// tensors touched (the reachability rows and the lower-bound masks).
struct StretchModel {
    /// Local operator `i` is graph operator `operators[i]`.
    let operators: [Int]
    let words: Int
    /// Row `i` (`words` each): the local predecessors of `i`.
    let predecessorBits: [UInt64]
    let outputBytes: [Int]
    let keptBytes: [Int]
    /// Reads of `i` that may die in the stretch: `dyingStart[i] ..< dyingStart[i + 1]`
    /// index `dyingBytes` and the rows of `dyingReaders` (the tensor's
    /// readers in the stretch, `words` each).
    let dyingStart: [Int]
    let dyingBytes: [Int]
    let dyingReaders: [UInt64]
    /// Live bytes when the stretch begins.
    let baseLive: Int

    /// Lower bound per state (nil when the stretch is too large for it):
    /// over the R tensors the stretch touches, rows of `boundWords` words.
    let bound: CertainLiveBound?

    var count: Int { operators.count }

    /// - Parameters:
    ///   - order: a topological order; the stretch is `order[range]`.
    ///   - position: the step of every operator in `order`.
    ///   - baseLive: the live bytes after `order[..<range.lowerBound]`.
    ///   - boundLimit: words of lower-bound masks allowed (m × R / 64);
    ///     above it the stretch goes without ``bound``.
    init(problem: ArenaProblem, order: [Int], position: [Int], range: Range<Int>, baseLive: Int, boundLimit: Int) {
        let operators = Array(order[range])
        let m = operators.count
        let words = max(1, (m + 63) / 64)
        func local(_ o: Int) -> Int? { range.contains(position[o]) ? position[o] - range.lowerBound : nil }
        func before(_ o: Int) -> Bool { position[o] < range.lowerBound }

        var predecessorBits = [UInt64](repeating: 0, count: m * words)
        for (i, o) in operators.enumerated() {
            for p in problem.predecessors[o] {
                if let j = local(p) { predecessorBits[i * words + j / 64] |= 1 << UInt64(j % 64) }
            }
        }
        // A tensor dies in the stretch when it is not a graph output and
        // every reader is before or in the stretch.
        func readersBits(_ a: Int) -> [UInt64]? {
            guard !problem.pinned[a] else { return nil }
            var row = [UInt64](repeating: 0, count: words)
            for c in problem.consumers[a] {
                if let j = local(c) {
                    row[j / 64] |= 1 << UInt64(j % 64)
                } else if !before(c) {
                    return nil
                }
            }
            return row
        }
        var dyingStart = [0]
        var dyingBytes: [Int] = []
        var dyingReaders: [UInt64] = []
        for o in operators {
            for a in problem.reads[o] {
                guard let row = readersBits(a) else { continue }
                dyingBytes.append(problem.bytes[a])
                dyingReaders.append(contentsOf: row)
            }
            dyingStart.append(dyingBytes.count)
        }
        self.operators = operators
        self.words = words
        self.predecessorBits = predecessorBits
        self.outputBytes = operators.map { problem.outputBytes[$0] }
        self.keptBytes = operators.map { problem.keptBytes[$0] }
        self.dyingStart = dyingStart
        self.dyingBytes = dyingBytes
        self.dyingReaders = dyingReaders
        self.baseLive = baseLive
        self.bound = CertainLiveBound(problem: problem, operators: operators, local: local, before: before,
                                      baseLive: baseLive, limit: boundLimit)
    }

    /// Bytes that local operator `i` frees when run after the set `done`
    /// (which does not hold `i`). O(dying reads × words).
    func freedBytes(_ i: Int, after done: UnsafeBufferPointer<UInt64>) -> Int {
        var freed = 0
        let own: UInt64 = 1 << UInt64(i % 64), ownWord = i / 64
        for r in dyingStart[i] ..< dyingStart[i + 1] {
            var last = true
            for w in 0 ..< words {
                var waiting = dyingReaders[r * words + w] & ~done[w]
                if w == ownWord { waiting &= ~own }
                if waiting != 0 {
                    last = false
                    break
                }
            }
            if last { freed += dyingBytes[r] }
        }
        return freed
    }

    /// Whether every local predecessor of `i` is in `done`. O(words).
    func isReady(_ i: Int, after done: UnsafeBufferPointer<UInt64>) -> Bool {
        for w in 0 ..< words where predecessorBits[i * words + w] & ~done[w] != 0 { return false }
        return true
    }
}
