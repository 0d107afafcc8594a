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
/// All three in O(n log n) time (a sort of the lifetime endpoints and a
/// difference array over them), O(n) memory.
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
        var lower: [Int] = [], upper: [Int] = [], size: [Int] = []
        lower.reserveCapacity(buffers.count)
        upper.reserveCapacity(buffers.count)
        size.reserveCapacity(buffers.count)
        for i in buffers.indices {
            g = gcd(g, buffers[i].alignment)
            if let offset = buffers[i].fixedOffset { fixedTop = max(fixedTop, offset + buffers[i].size) }
            if buffers[i].size > 0 {
                lower.append(buffers[i].lower)
                upper.append(buffers[i].upper)
                size.append(buffers[i].size)
            }
        }
        g = max(g, 1)
        // Live bytes per elementary interval between distinct endpoints, by
        // a difference array: a buffer adds its size from its start's
        // position to its end's (half-open lifetimes, so one ending where
        // another starts never counts with it).
        let axis = TimeAxis(lower: lower, upper: upper)
        var delta = [Int](repeating: 0, count: axis.times.count + 1)
        var deltaRounded = delta
        for k in size.indices {
            let a = axis.position(lower[k]), b = axis.position(upper[k])
            let rounded = (size[k] + g - 1) / g * g
            delta[a] += size[k]
            delta[b] -= size[k]
            deltaRounded[a] += rounded
            deltaRounded[b] -= rounded
        }
        var live = 0, liveRounded = 0
        var peak = 0, peakRounded = 0
        var peakTime: Int?
        for k in axis.times.indices {
            live += delta[k]
            liveRounded += deltaRounded[k]
            if live > peak {
                peak = live
                peakTime = axis.times[k]
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
