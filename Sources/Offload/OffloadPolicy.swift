/// Fractions of weights (w), KV cache (c) and activations (h) kept on GPU
/// (g), CPU (c) and disk (n), with the batch shape: `nb` GPU batches of
/// `gbs` sequences form one block of `gbs·nb` sequences.
public struct OffloadPolicy: Sendable, Equatable, Codable {
    public var gbs: Int
    public var nb: Int
    public var wg, wc, wn: Double
    public var cg, cc, cn: Double
    public var hg, hc, hn: Double

    public init(gbs: Int, nb: Int, wg: Double, wc: Double, wn: Double, cg: Double, cc: Double, cn: Double,
                hg: Double, hc: Double, hn: Double) {
        self.gbs = gbs
        self.nb = nb
        self.wg = wg; self.wc = wc; self.wn = wn
        self.cg = cg; self.cc = cc; self.cn = cn
        self.hg = hg; self.hc = hc; self.hn = hn
    }

    /// bls: sequences per block.
    public var blockSize: Int { gbs * nb }
}

/// Percentages pinned by `--percent WG WC CG CC HG HC`; the disk shares
/// are what remains.
public struct PinnedFractions: Sendable, Equatable {
    public var wg, wc, cg, cc, hg, hc: Double

    public init(wg: Double, wc: Double, cg: Double, cc: Double, hg: Double, hc: Double) {
        self.wg = wg; self.wc = wc; self.cg = cg; self.cc = cc; self.hg = hg; self.hc = hc
    }

    /// From six percentages, checking each pair leaves a non-negative disk share.
    public init?(percentages p: [Double]) {
        guard p.count == 6, p.allSatisfy({ $0 >= 0 && $0 <= 100 }),
              p[0] + p[1] <= 100, p[2] + p[3] <= 100, p[4] + p[5] <= 100 else { return nil }
        self.init(wg: p[0] / 100, wc: p[1] / 100, cg: p[2] / 100, cc: p[3] / 100, hg: p[4] / 100, hc: p[5] / 100)
    }
}

/// One evaluated policy: the LP's optimum for a batch shape.
public struct OffloadEstimate: Sendable, Equatable {
    public var policy: OffloadPolicy
    /// Tokens per second: bls·n / T.
    public var throughput: Double
    /// l·Tpre and l·(n−1)·Tgen.
    public var prefillSeconds: Double
    public var decodeSeconds: Double
    /// Peak bytes per tier under the cost model (the larger of prefill and
    /// decode for GPU and CPU), not scaled by α.
    public var gpuPeakBytes: Double
    public var cpuPeakBytes: Double
    public var diskPeakBytes: Double
}
