/// Griewank's revolve dynamic programme (Griewank 1992; Griewank and
/// Walther, ACM TOMS 26(1), 2000): the fewest forward steps that reverse a
/// chain of `l` steps when `s` snapshots may be held besides the chain's
/// start.
///
/// Positions 1…l; the adjoint (backward step) of position i needs the
/// value *before* step i (a_{i−1}; a_0 is the start, always available),
/// and the adjoints run from position l down to 1. Reversing l positions
/// from a start costs
///
///     P(1, s) = 0
///     P(l, 0) = (l − 1) + P(l − 1, 0) = l(l − 1)/2
///     P(l, s) = min over 1 ≤ j < l of  j + P(l − j, s − 1) + P(j, s)
///
/// (advance j steps from the start and hold a_j as a snapshot; reverse the
/// l − j positions above it with one snapshot fewer, dropping a_j after
/// its last read; reverse the j positions below from the start again).
/// With s = 0 only j = l − 1 is possible (the value a_{l−1} is read by
/// the adjoint right after it is made and needs no slot).
///
/// The start counts as a snapshot in Griewank and Walther's numbering:
/// P(l, s) = t(l, s + 1) with their closed form
/// t(l, c) = r·l − C(c + r, c + 1) for the r with C(c + r − 1, c) < l ≤ C(c + r, c),
/// and the most positions reversible with c snapshots when no step runs
/// more than r times beyond its first is C(c + r, c) (``maxPositions(slots:repetitions:)``).
///
/// Tables of (l + 1) × (s + 1) entries; filling one costs O(l² · s) time.
public struct Revolve: Sendable {
    public let positions: Int
    public let slots: Int
    /// `steps[s][l]` = P(l, s).
    let steps: [[Int]]
    /// The split j that attains P(l, s) (0 where l ≤ 1).
    let split: [[Int]]

    /// The largest table this type builds: positions² × (slots + 1) at most this.
    public static let workLimit = 400_000_000

    /// Fills the table for up to `positions` positions and `slots` snapshots
    /// (slots beyond positions − 2 cannot help and are clamped). Nil when
    /// the table would pass ``workLimit``.
    public init?(positions: Int, slots: Int) {
        guard positions >= 0, slots >= 0 else { return nil }
        let s = min(slots, max(0, positions - 2))
        let l = positions
        guard l <= 100_000, Double(l) * Double(l) * Double(s + 1) <= Double(Self.workLimit) else { return nil }
        self.positions = l
        self.slots = s
        var steps = [[Int]](repeating: [Int](repeating: 0, count: l + 1), count: s + 1)
        var split = steps
        for length in stride(from: 2, through: max(1, l), by: 1) {
            steps[0][length] = (length - 1) + steps[0][length - 1]
            split[0][length] = length - 1
        }
        if s >= 1 {
            for k in 1 ... s {
                for length in stride(from: 2, through: max(1, l), by: 1) {
                    var best = Int.max, bestJ = length - 1
                    for j in 1 ..< length {
                        let cost = j + steps[k - 1][length - j] + steps[k][j]
                        if cost < best { best = cost; bestJ = j }
                    }
                    steps[k][length] = best
                    split[k][length] = bestJ
                }
            }
        }
        self.steps = steps
        self.split = split
    }

    /// P(l, s): forward steps to reverse `l` positions with `s` snapshots.
    public func forwardSteps(positions l: Int, slots s: Int) -> Int {
        steps[min(max(0, s), slots)][l]
    }

    /// One event of a reversal: a forward step computing a_i, or the adjoint of position i.
    public enum Event: Sendable, Equatable {
        case forward(Int)
        case adjoint(Int)
    }

    /// The events that reverse positions `lo + 1 … hi` from a_lo with `s`
    /// snapshots, following the table's splits. O(events) time, recursion
    /// depth at most the number of snapshots plus one per nested segment.
    public func reversal(from lo: Int = 0, to hi: Int? = nil, slots s: Int? = nil) -> [Event] {
        var events: [Event] = []
        reverse(lo, hi ?? positions, min(s ?? slots, slots), into: &events)
        return events
    }

    private func reverse(_ lo: Int, _ hi: Int, _ s: Int, into events: inout [Event]) {
        var hi = hi
        // Iterate over the lower part (same slot count) to keep the recursion shallow.
        while hi - lo >= 1 {
            let length = hi - lo
            if length == 1 {
                events.append(.adjoint(hi))
                return
            }
            let j = split[max(0, s)][length]
            for i in lo + 1 ... lo + j { events.append(.forward(i)) }
            reverse(lo + j, hi, s - 1, into: &events)
            hi = lo + j
        }
    }

    /// The most positions reversible with `slots` snapshots beside the
    /// start when no step runs more than `repetitions` times (Griewank's
    /// β(s + 1, r) = C(s + 1 + r, s + 1)), computed by a second recursion
    /// over the schedules of this type (not by the closed form):
    /// R(l, s) = min over splits of max(1 + R(j, s), R(l − j, s − 1)), the
    /// most times a step runs; the answer is the largest l with R(l, s) ≤ r.
    /// O(l² · s) for the l it reaches; for tests and small arguments.
    public static func maxPositions(slots: Int, repetitions: Int, limit: Int = 5_000) -> Int? {
        guard slots >= 0, repetitions >= 0 else { return nil }
        var r = [[Int]](repeating: [0, 0], count: slots + 1)  // R(0, ·) = R(1, ·) = 0
        var l = 1
        while l < limit {
            let next = l + 1
            for k in 0 ... slots {
                var best = Int.max
                for j in 1 ..< next {
                    let upper = next - j
                    if k == 0 && upper != 1 { continue }
                    let above = upper == 1 ? 0 : r[k - 1][upper]
                    best = min(best, max(1 + r[k][j], above))
                }
                r[k].append(best)
            }
            if r[slots][next] > repetitions { return l }
            l = next
        }
        return nil
    }
}
