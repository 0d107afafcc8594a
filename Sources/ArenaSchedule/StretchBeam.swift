import MILP

/// A beam search over the down-sets of a stretch, for a good order fast:
/// level by level (one more operator run), every state of the level is
/// expanded by its ready operators, equal sets are merged, and only the
/// `width` best successors survive, best meaning the smallest of (the peak
/// so far or the state's lower bound, whichever is larger; the peak so
/// far; the live bytes). It proves nothing; it hands the exact search a
/// tight incumbent, and when the exact search stops short its order is
/// what the user gets.
///
/// Time O(m · width · ready · (m + reads) ) for m operators; memory
/// O(width · (m / 64 + m)) for two levels plus O(m · width) back pointers.
struct StretchBeam {
    let model: StretchModel
    let width: Int
    let deadline: Deadline

    /// The local order found and the largest step of it (live bytes while
    /// an operator runs), or nil when the deadline came first.
    func run() -> (order: [Int], peak: Int)? {
        let m = model.count
        let words = model.words
        let certain = model.bound
        let tensorWords = certain?.tensorWords ?? 1
        var zobrist = [UInt64](repeating: 0, count: m)
        var generator = SearchRandom(seed: 0xBEA_15EED)
        for i in 0 ..< m { zobrist[i] = generator.next() }

        struct Candidate {
            var parent: Int32
            var op: Int32
            var score: Int
            var peak: Int
            var live: Int
            var hash: UInt64
        }
        // The current level: sets, peaks, live bytes, hashes.
        var sets = [UInt64](repeating: 0, count: words)
        var peaks = [model.baseLive]
        var lives = [model.baseLive]
        var hashes: [UInt64] = [0]
        var back: [[(parent: Int32, op: Int32)]] = []
        var produced = [UInt64](repeating: 0, count: tensorWords)
        var values = [Int](repeating: 0, count: m)
        var done = [UInt64](repeating: 0, count: words)

        for _ in 0 ..< m {
            if deadline.expired { return nil }
            var candidates: [Candidate] = []
            var childSets: [UInt64] = []
            var slot: [UInt64: [Int]] = [:]
            for s in 0 ..< peaks.count {
                for w in 0 ..< words { done[w] = sets[s * words + w] }
                let live = lives[s], peak = peaks[s]
                var ready: [(op: Int, freed: Int)] = []
                var forced: (op: Int, freed: Int)?
                done.withUnsafeBufferPointer { set in
                    for i in 0 ..< m where set[i / 64] & (1 << UInt64(i % 64)) == 0 && model.isReady(i, after: set) {
                        let freed = model.freedBytes(i, after: set)
                        ready.append((i, freed))
                        if forced == nil && live + model.outputBytes[i] <= peak && model.keptBytes[i] <= freed { forced = (i, freed) }
                    }
                }
                if let forced { ready = [forced] }
                if let certain {
                    for w in 0 ..< tensorWords { produced[w] = 0 }
                    for j in 0 ..< m where done[j / 64] & (1 << UInt64(j % 64)) != 0 {
                        for w in 0 ..< tensorWords { produced[w] |= certain.produces[j * tensorWords + w] }
                    }
                    done.withUnsafeBufferPointer { d in produced.withUnsafeBufferPointer { certain.values(done: d, produced: $0, into: &values) } }
                }
                for (i, freed) in ready {
                    let childPeak = max(peak, live + model.outputBytes[i])
                    let childLive = live + model.keptBytes[i] - freed
                    let score = max(childPeak, certain?.successorBound(of: i, values: values) ?? 0)
                    let hash = hashes[s] ^ zobrist[i]
                    var merged = false
                    for c in slot[hash] ?? [] where (0 ..< words).allSatisfy({ w in
                        childSets[c * words + w] == (done[w] | (w == i / 64 ? 1 << UInt64(i % 64) : 0))
                    }) {
                        if childPeak < candidates[c].peak {
                            candidates[c] = Candidate(parent: Int32(s), op: Int32(i), score: score, peak: childPeak, live: childLive, hash: hash)
                        }
                        merged = true
                    }
                    if merged { continue }
                    slot[hash, default: []].append(candidates.count)
                    for w in 0 ..< words { childSets.append(done[w] | (w == i / 64 ? 1 << UInt64(i % 64) : 0)) }
                    candidates.append(Candidate(parent: Int32(s), op: Int32(i), score: score, peak: childPeak, live: childLive, hash: hash))
                }
            }
            let kept = candidates.indices.sorted {
                (candidates[$0].score, candidates[$0].peak, candidates[$0].live) < (candidates[$1].score, candidates[$1].peak, candidates[$1].live)
            }.prefix(width)
            var nextSets: [UInt64] = []
            nextSets.reserveCapacity(kept.count * words)
            for c in kept { nextSets.append(contentsOf: childSets[c * words ..< (c + 1) * words]) }
            sets = nextSets
            peaks = kept.map { candidates[$0].peak }
            lives = kept.map { candidates[$0].live }
            hashes = kept.map { candidates[$0].hash }
            back.append(kept.map { (candidates[$0].parent, candidates[$0].op) })
        }
        guard let best = peaks.indices.min(by: { peaks[$0] < peaks[$1] }) else { return nil }
        var order: [Int] = []
        var index = best
        for level in back.indices.reversed() {
            order.append(Int(back[level][index].op))
            index = Int(back[level][index].parent)
        }
        return (order.reversed(), peaks[best])
    }
}
