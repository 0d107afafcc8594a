/// Tight problems with a known optimum, for testing exact methods.
///
/// A rectangle of `width` time steps × `height` bytes is cut, again and
/// again, by a straight cut across one of its current pieces (a guillotine
/// cut), until there are `pieces` pieces. Each piece becomes a buffer whose
/// lifetime is its time extent and whose size is its address extent. The
/// pieces tile the rectangle, so at every instant the live bytes add up to
/// exactly `height`: the optimum height, the peak of live bytes and the
/// lower bound are all `height`, and the tiling itself is a solution.
/// Greedy allocators typically need 30–40 % more on such problems.
public struct GuillotineProblem: Sendable {
    public var problem: AllocationProblem
    /// The rectangle's height: the optimum.
    public var optimum: Int
    /// The tiling the problem came from (offsets in buffer order).
    public var knownSolution: [Int]
}

public enum GuillotineProblems {
    /// One problem. Pieces are cut until `pieces` exist or none can be cut
    /// further (every piece 1 × 1). Cost O(pieces²) for picking pieces.
    public static func make(pieces: Int, width: Int = 1_000, height: Int = 1_000, seed: UInt64) -> GuillotineProblem {
        var rng = SplitMix64(seed: seed)
        struct Piece { var x0, x1, y0, y1: Int }
        var tiles = [Piece(x0: 0, x1: max(1, width), y0: 0, y1: max(1, height))]
        while tiles.count < pieces {
            // A piece chosen with probability proportional to its area, so
            // that pieces stay of comparable size rather than crumbling.
            let cuttable = tiles.indices.filter { tiles[$0].x1 - tiles[$0].x0 > 1 || tiles[$0].y1 - tiles[$0].y0 > 1 }
            if cuttable.isEmpty { break }
            let areas = cuttable.map { Double((tiles[$0].x1 - tiles[$0].x0) * (tiles[$0].y1 - tiles[$0].y0)) }
            var pick = Double.random(in: 0 ..< areas.reduce(0, +), using: &rng)
            var chosen = cuttable[cuttable.count - 1]
            for (k, a) in areas.enumerated() {
                if pick < a { chosen = cuttable[k]; break }
                pick -= a
            }
            let t = tiles[chosen]
            let w = t.x1 - t.x0, h = t.y1 - t.y0
            let vertical = h <= 1 || (w > 1 && Bool.random(using: &rng))
            if vertical {
                let x = t.x0 + Int.random(in: 1 ..< w, using: &rng)
                tiles[chosen].x1 = x
                tiles.append(Piece(x0: x, x1: t.x1, y0: t.y0, y1: t.y1))
            } else {
                let y = t.y0 + Int.random(in: 1 ..< h, using: &rng)
                tiles[chosen].y1 = y
                tiles.append(Piece(x0: t.x0, x1: t.x1, y0: y, y1: t.y1))
            }
        }
        // Shuffle so that the buffer order reveals nothing of the tiling.
        tiles.shuffle(using: &rng)
        let buffers = tiles.enumerated().map { k, t in
            Buffer(id: "g\(k)", lower: t.x0, upper: t.x1, size: t.y1 - t.y0)
        }
        return GuillotineProblem(
            problem: AllocationProblem(buffers: buffers, capacity: max(1, height)),
            optimum: max(1, height),
            knownSolution: tiles.map(\.y0))
    }

    /// The benchmark set: `count` problems of 150–450 pieces, seeded
    /// `seed`, `seed + 1`, … (piece counts drawn from the same seeds).
    public static func benchmarkSet(count: Int = 50, seed: UInt64 = 2024) -> [GuillotineProblem] {
        (0 ..< max(0, count)).map { k in
            var rng = SplitMix64(seed: seed &+ UInt64(k))
            let pieces = Int.random(in: 150 ... 450, using: &rng)
            return make(pieces: pieces, seed: rng.next())
        }
    }
}
