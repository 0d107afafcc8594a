/// The ancestor-cut bound applied to a state of a stretch: for every
/// operator `v` not yet run, the bytes certainly live when `v` runs,
/// whatever comes next: `v`'s outputs, tensors produced before the
/// stretch or by `v`'s ancestors or by operators already run, that are
/// graph outputs or read by `v`, a descendant of `v`, or after the
/// stretch. The largest over `v` bounds the peak of every completion.
///
/// Per expanded state O(m · R / 64) word operations (``values(done:produced:into:)``,
/// plus one pass over set bits when sizes differ), for m operators and R
/// tensors the stretch touches; then O(m) per successor
/// (``successorBound(of:values:)``): running `i` adds to each `v`'s
/// figure exactly the bytes `i` writes that `v` needs and did not already
/// count, a table of m² entries made once (for m up to
/// ``deltaTableLimit``; beyond, O(R / 64) per entry on demand).
struct CertainLiveBound {
    static let deltaTableLimit = 1_024

    let tensorWords: Int
    /// Rows per local operator `v` (`tensorWords` each): tensors live at
    /// `v` for sure (`certain`), and those live at `v` once produced
    /// (`ifProduced`).
    let certain: [UInt64]
    let ifProduced: [UInt64]
    /// Row per local operator: the tensors it writes.
    let produces: [UInt64]
    let tensorBytes: [Int]
    /// Equal sizes: the bytes of every touched tensor (popcount suffices).
    let uniformBytes: Int?
    /// Bytes live through the whole stretch, untouched by it.
    let constantBytes: Int
    /// `delta[i * m + v]`: bytes `i` writes that `v` needs once written,
    /// beyond those certain at `v` anyway (empty when m is too large).
    private let delta: [Int]
    let operatorCount: Int

    init?(problem: ArenaProblem, operators: [Int], local: (Int) -> Int?, before: (Int) -> Bool, baseLive: Int, limit: Int) {
        let m = operators.count
        // Touched: written in the stretch, or written before and read in it
        // (then live at its start); every other live tensor stays live.
        var touched: [Int] = []
        var index: [Int: Int] = [:]
        var touchedBefore = 0
        for o in operators {
            for a in problem.outputs[o] + problem.reads[o] where index[a] == nil {
                index[a] = touched.count
                touched.append(a)
                if before(problem.producer[a]) { touchedBefore += problem.bytes[a] }
            }
        }
        let constantBytes = baseLive - touchedBefore
        let r = touched.count
        let tensorWords = max(1, (r + 63) / 64)
        guard m * tensorWords <= limit else { return nil }
        let words = max(1, (m + 63) / 64)
        // Local reachability, the stretch's operators being in topological order.
        var ancestors = [UInt64](repeating: 0, count: m * words)
        var descendants = ancestors
        for (i, o) in operators.enumerated() {
            for p in problem.predecessors[o] {
                guard let j = local(p) else { continue }
                for w in 0 ..< words { ancestors[i * words + w] |= ancestors[j * words + w] }
                ancestors[i * words + j / 64] |= 1 << UInt64(j % 64)
            }
        }
        for i in stride(from: m - 1, through: 0, by: -1) {
            for s in problem.successors[operators[i]] {
                guard let j = local(s) else { continue }
                for w in 0 ..< words { descendants[i * words + w] |= descendants[j * words + w] }
                descendants[i * words + j / 64] |= 1 << UInt64(j % 64)
            }
        }
        func has(_ row: [UInt64], _ i: Int, _ j: Int) -> Bool { row[i * words + j / 64] & (1 << UInt64(j % 64)) != 0 }

        var certain = [UInt64](repeating: 0, count: m * tensorWords)
        var ifProduced = certain
        var produces = certain
        for (k, a) in touched.enumerated() {
            let bit: UInt64 = 1 << UInt64(k % 64), word = k / 64
            let producer = local(problem.producer[a])
            if let producer { produces[producer * tensorWords + word] |= bit }
            let toEnd = problem.pinned[a] || problem.consumers[a].contains { local($0) == nil && !before($0) }
            let readers = problem.consumers[a].compactMap { local($0) }
            for v in 0 ..< m {
                let needed = toEnd || readers.contains { $0 == v || has(descendants, v, $0) } || producer == v
                guard needed else { continue }
                ifProduced[v * tensorWords + word] |= bit
                let producedFirst = producer.map { $0 == v || has(ancestors, v, $0) } ?? true
                if producedFirst { certain[v * tensorWords + word] |= bit }
            }
        }
        let sizes = touched.map { problem.bytes[$0] }
        self.tensorWords = tensorWords
        self.certain = certain
        self.ifProduced = ifProduced
        self.produces = produces
        self.tensorBytes = sizes
        self.uniformBytes = sizes.allSatisfy({ $0 == sizes.first }) ? (sizes.first ?? 0) : nil
        self.constantBytes = constantBytes
        operatorCount = m
        var delta: [Int] = []
        if m <= Self.deltaTableLimit {
            delta = [Int](repeating: 0, count: m * m)
            for i in 0 ..< m {
                for v in 0 ..< m {
                    var total = 0
                    for w in 0 ..< tensorWords {
                        var bits = produces[i * tensorWords + w] & ifProduced[v * tensorWords + w] & ~certain[v * tensorWords + w]
                        while bits != 0 {
                            total += sizes[w * 64 + bits.trailingZeroBitCount]
                            bits &= bits - 1
                        }
                    }
                    delta[i * m + v] = total
                }
            }
        }
        self.delta = delta
    }

    /// Per operator `v` not in `done`, the bytes certainly live when `v`
    /// runs (without ``constantBytes``); -1 for operators in `done`.
    func values(done: UnsafeBufferPointer<UInt64>, produced: UnsafeBufferPointer<UInt64>, into result: inout [Int]) {
        let m = operatorCount
        for v in 0 ..< m {
            guard done[v / 64] & (1 << UInt64(v % 64)) == 0 else {
                result[v] = -1
                continue
            }
            let base = v * tensorWords
            var total = 0
            if let uniform = uniformBytes {
                var bitsSet = 0
                for w in 0 ..< tensorWords { bitsSet += (certain[base + w] | (produced[w] & ifProduced[base + w])).nonzeroBitCount }
                total = bitsSet * uniform
            } else {
                for w in 0 ..< tensorWords {
                    var bits = certain[base + w] | (produced[w] & ifProduced[base + w])
                    while bits != 0 {
                        total += tensorBytes[w * 64 + bits.trailingZeroBitCount]
                        bits &= bits - 1
                    }
                }
            }
            result[v] = total
        }
    }

    /// The bound of the state reached by running `i` from the state whose
    /// ``values(done:produced:into:)`` are `values`. O(m), or O(m · R / 64)
    /// without the delta table.
    func successorBound(of i: Int, values: [Int]) -> Int {
        let m = operatorCount
        var best = 0
        if delta.isEmpty {
            for v in 0 ..< m where v != i && values[v] >= 0 {
                var total = values[v]
                for w in 0 ..< tensorWords {
                    var bits = produces[i * tensorWords + w] & ifProduced[v * tensorWords + w] & ~certain[v * tensorWords + w]
                    while bits != 0 {
                        total += tensorBytes[w * 64 + bits.trailingZeroBitCount]
                        bits &= bits - 1
                    }
                }
                best = max(best, total)
            }
        } else {
            let row = i * m
            for v in 0 ..< m where v != i && values[v] >= 0 { best = max(best, values[v] + delta[row + v]) }
        }
        return best + constantBytes
    }

    /// The bound of one state from scratch (the root's).
    func value(done: UnsafeBufferPointer<UInt64>, produced: UnsafeBufferPointer<UInt64>) -> Int {
        var values = [Int](repeating: 0, count: operatorCount)
        self.values(done: done, produced: produced, into: &values)
        return max(0, values.max() ?? 0) + constantBytes
    }
}
