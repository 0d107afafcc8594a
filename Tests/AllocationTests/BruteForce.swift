@testable import Allocation

/// The minimum height of a small problem (≤ 8 buffers) by exhaustive
/// enumeration, independent of the library's algorithms.
///
/// Fixed buffers are put in place first; then every permutation of the
/// free buffers is tried, each buffer going to the lowest aligned offset
/// where it overlaps no placed buffer alive at the same time (gaps
/// included). That finds an optimum: list an optimal solution's free
/// buffers by offset; placed in that order, each buffer's own optimal
/// position is still free (the buffers placed before it moved down, and
/// those below it ended below it), so it lands at or below that position.
/// Branches whose height already reaches the best are cut, and the
/// enumeration stops once it meets the peak of live bytes (computed here
/// by checking every instant), which no solution can beat.
enum BruteForce {
    /// nil when the fixed buffers already overlap.
    static func minimumHeight(_ problem: AllocationProblem) -> Int? {
        let b = problem.buffers
        precondition(b.count <= 9, "brute force is for tiny problems")
        let n = b.count
        var offsets = [Int](repeating: 0, count: n)
        var placed = [Bool](repeating: false, count: n)
        var height = 0
        for i in 0 ..< n {
            guard let f = b[i].fixedOffset else { continue }
            for j in 0 ..< n where placed[j] && overlaps(b, i, f, j, offsets[j]) { return nil }
            offsets[i] = f
            placed[i] = true
            height = max(height, f + b[i].size)
        }
        var peak = height
        for t in Set(b.map(\.lower)) {
            var live = 0
            for x in b where x.lower <= t && t < x.upper { live += x.size }
            peak = max(peak, live)
        }
        var order = (0 ..< n).filter { !placed[$0] }
        var best = Int.max

        func lowest(_ i: Int) -> Int {
            var at = 0
            var moved = true
            while moved {
                moved = false
                for j in 0 ..< n where placed[j] && overlaps(b, i, at, j, offsets[j]) {
                    at = offsets[j] + b[j].size
                    moved = true
                }
                let aligned = (at + b[i].alignment - 1) / b[i].alignment * b[i].alignment
                if aligned != at { at = aligned; moved = true }
            }
            return at
        }
        // Heap-free permutation by swapping: positions [0, depth) are placed.
        func recurse(_ depth: Int, _ height: Int) {
            if height >= best || best == peak { return }
            if depth == order.count { best = height; return }
            for k in depth ..< order.count {
                order.swapAt(depth, k)
                let i = order[depth]
                let at = lowest(i)
                offsets[i] = at
                placed[i] = true
                recurse(depth + 1, max(height, at + b[i].size))
                placed[i] = false
                order.swapAt(depth, k)
            }
        }
        recurse(0, height)
        return best
    }

    /// Buffer i at offset oi overlaps buffer j at oj, both alive together.
    private static func overlaps(_ b: [Buffer], _ i: Int, _ oi: Int, _ j: Int, _ oj: Int) -> Bool {
        b[i].lower < b[j].upper && b[j].lower < b[i].upper && b[i].size > 0 && b[j].size > 0
            && oi < oj + b[j].size && oj < oi + b[i].size
    }
}

/// One corpus of small random problems with their brute-force optima,
/// computed once and shared by every suite.
enum Corpus {
    struct Case: Sendable {
        var index: Int
        var problem: AllocationProblem
        /// nil when pinned buffers overlap (no solution at all).
        var optimum: Int?
    }

    static let small: [Case] = RandomProblems.smallSet(count: 400, seed: 7).enumerated().map {
        Case(index: $0, problem: $1, optimum: BruteForce.minimumHeight($1))
    }
}
