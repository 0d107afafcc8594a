/// Lower bounds on the height of every solution of a problem.
///
/// - ``peakLiveBytes``: at any instant the buffers alive then must be
///   stacked without overlap, so the arena is at least their total size.
/// - ``alignedPeak``: when every alignment is a multiple of g (the gcd of
///   all alignments), every offset is too; stacked buffers then start g-apart
///   boundaries, so each but the topmost occupies its size rounded up to g:
///   height ≥ Σ roundUp(size, g) − (g − 1) over the buffers alive at once.
/// - ``fixedTop``: a pinned buffer ends where it is pinned.
///
/// All three are computed in one sweep, O(n log n).
public struct LowerBounds: Sendable, Equatable {
    public var peakLiveBytes: Int
    public var alignedPeak: Int
    public var fixedTop: Int
    /// The earliest instant at which the live bytes reach their peak.
    public var peakTime: Int?

    /// The strongest of the bounds.
    public var best: Int { max(peakLiveBytes, alignedPeak, fixedTop) }

    public init(_ problem: AllocationProblem) throws(AllocationError) {
        try problem.validate()
        self.init(validated: problem.buffers)
    }

    init(validated buffers: [Buffer]) {
        var g = 0
        var fixedTop = 0
        for b in buffers {
            g = gcd(g, b.alignment)
            if let offset = b.fixedOffset { fixedTop = max(fixedTop, offset + b.size) }
        }
        g = max(g, 1)
        // Events: (time, +size) at lower and (time, −size) at upper; ends
        // sort before starts at equal times because lifetimes are half-open.
        var events: [(time: Int, isStart: Bool, index: Int)] = []
        events.reserveCapacity(2 * buffers.count)
        for (i, b) in buffers.enumerated() where b.size > 0 {
            events.append((b.lower, true, i))
            events.append((b.upper, false, i))
        }
        events.sort { ($0.time, $0.isStart ? 1 : 0) < ($1.time, $1.isStart ? 1 : 0) }
        var live = 0
        var liveRounded = 0
        var peak = 0
        var peakRounded = 0
        var peakTime: Int?
        var k = 0
        while k < events.count {
            let time = events[k].time
            while k < events.count && events[k].time == time {
                let b = buffers[events[k].index]
                let rounded = (b.size + g - 1) / g * g
                if events[k].isStart {
                    live += b.size
                    liveRounded += rounded
                } else {
                    live -= b.size
                    liveRounded -= rounded
                }
                k += 1
            }
            if live > peak {
                peak = live
                peakTime = time
            }
            peakRounded = max(peakRounded, liveRounded)
        }
        self.peakLiveBytes = peak
        self.alignedPeak = max(0, peakRounded - (g - 1))
        self.fixedTop = fixedTop
        self.peakTime = peakTime
    }
}

func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
