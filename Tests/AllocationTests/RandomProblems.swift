@testable import Allocation

/// Seeded random problems for agreement tests.
enum RandomProblems {
    /// Up to `maxBuffers` buffers over a short horizon, with sizes 0–9,
    /// alignments 1, 2 or 4 in some problems, and a fixed offset or two in
    /// others (kept apart so that most problems stay feasible).
    static func small(_ rng: inout SplitMix64, maxBuffers: Int = 8) -> AllocationProblem {
        let n = Int.random(in: 1 ... maxBuffers, using: &rng)
        let aligned = Int.random(in: 0 ..< 4, using: &rng) == 0
        let pinned = Int.random(in: 0 ..< 4, using: &rng) == 0
        var buffers: [Buffer] = []
        for k in 0 ..< n {
            let lower = Int.random(in: 0 ... 6, using: &rng)
            let upper = lower + Int.random(in: 1 ... 5, using: &rng)
            let size = Int.random(in: 0 ..< 12, using: &rng) == 0 ? 0 : Int.random(in: 1 ... 9, using: &rng)
            let alignment = aligned ? [1, 2, 4].randomElement(using: &rng)! : 1
            buffers.append(Buffer(id: "b\(k)", lower: lower, upper: upper, size: size, alignment: alignment))
        }
        if pinned {
            let i = Int.random(in: 0 ..< n, using: &rng)
            buffers[i].fixedOffset = Int.random(in: 0 ... 6, using: &rng) * buffers[i].alignment
        }
        return AllocationProblem(buffers: buffers)
    }

    /// `count` small problems from `seed`.
    static func smallSet(count: Int, seed: UInt64, maxBuffers: Int = 8) -> [AllocationProblem] {
        var rng = SplitMix64(seed: seed)
        return (0 ..< count).map { _ in small(&rng, maxBuffers: maxBuffers) }
    }

    /// A medium problem for heuristics: `n` buffers over `horizon` steps.
    static func medium(_ rng: inout SplitMix64, n: Int, horizon: Int = 200) -> AllocationProblem {
        let buffers = (0 ..< n).map { k -> Buffer in
            let lower = Int.random(in: 0 ..< horizon, using: &rng)
            let upper = lower + Int.random(in: 1 ... 30, using: &rng)
            let alignment = [1, 8, 64].randomElement(using: &rng)!
            return Buffer(id: "m\(k)", lower: lower, upper: upper, size: Int.random(in: 1 ... 5_000, using: &rng), alignment: alignment)
        }
        return AllocationProblem(buffers: buffers)
    }
}
