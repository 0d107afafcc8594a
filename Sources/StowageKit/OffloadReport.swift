import Foundation
import Offload

/// What `stowage offload` prints (Schemas/offload-report.schema.json).
public struct OffloadReport: Encodable, Sendable {
    /// The format's version: bumped when a key changes meaning or goes away.
    public let version = 1
    public let throughput: Double
    public let gbs, nb: Int
    public let wg, wc, wn, cg, cc, cn, hg, hc, hn: Double
    public let prefillSeconds, decodeSeconds: Double
    public let gpuPeakBytes, cpuPeakBytes, diskPeakBytes: Double
    public let lpSolves: Int
    public var seconds: Double
    public var timedOut: Bool?
    /// Exact mode: placements or shapes passed over because their check (the block simulation and the
    /// verification of its plans) was estimated not to fit in the time left, and the smallest such
    /// estimate; absent when none was. A faster placement may be among them: the answer is the fastest
    /// one that could be checked.
    public var unvalidated: Int?
    public var smallestUnvalidatedSeconds: Double?
    /// Exact mode: the continuous relaxation's throughput (best LP over the
    /// visited shapes), the best throughput any whole-tensor placement of a
    /// visited shape can reach (MILP bounds), MILPs solved, whether the LP
    /// bounds closed, the tiers and the placement.
    public var relaxedThroughput: Double?
    public var bound: Double?
    public var milpSolves: Int?
    public var proven: Bool?
    public var tiers: [String]?
    public var peakBytes: [Double]?
    public var bottlenecks: [String]?
    /// Busy seconds per resource over the block: the cost model's (exact mode) and the simulation's.
    public var busySeconds: [String: Double]?
    public var simulatedBusySeconds: [String: Double]?
    public var placement: PlacementJSON?
    /// The block simulation (exact mode, or --simulate): throughput, the
    /// two phases' seconds and the peaks over time.
    public var simulatedThroughput: Double?
    public var simulatedPrefillSeconds: Double?
    public var simulatedDecodeSeconds: Double?
    public var simulatedGpuPeakBytes: Double?
    public var simulatedCpuPeakBytes: Double?
    public var simulatedPeakBytes: [Double]?

    /// A per-layer placement: counts per tier, and every layer's tiers.
    public struct PlacementJSON: Encodable, Sendable {
        public let tiers: [String]
        /// Layers keeping each weight tensor on each tier.
        public let weightCounts: [String: [Int]]
        /// (layer, KV head, GPU batch) cache units on each tier.
        public let cacheUnits: [Int]
        /// Sequences of each GPU batch whose hidden states live on each tier, in the prefill and while decoding.
        public let hiddenSequences: [Int]
        public let decodeHiddenSequences: [Int]
        public let layers: [Layer]

        public struct Layer: Encodable, Sendable {
            /// Tier of each weight tensor, by name.
            public let weights: [String: String]
            /// (KV head, GPU batch) units of the layer's cache on each tier.
            public let cacheUnits: [Int]
        }
    }

    init(estimate: OffloadEstimate, lpSolves: Int, seconds: Double) {
        let p = estimate.policy
        throughput = estimate.throughput
        gbs = p.gbs; nb = p.nb
        wg = p.wg; wc = p.wc; wn = p.wn; cg = p.cg; cc = p.cc; cn = p.cn; hg = p.hg; hc = p.hc; hn = p.hn
        prefillSeconds = estimate.prefillSeconds
        decodeSeconds = estimate.decodeSeconds
        gpuPeakBytes = estimate.gpuPeakBytes.rounded()
        cpuPeakBytes = estimate.cpuPeakBytes.rounded()
        diskPeakBytes = estimate.diskPeakBytes.rounded()
        self.lpSolves = lpSolves
        self.seconds = seconds
    }

    /// Exact mode. The FlexGen-style shares lump every tier beyond the host into "disk" (n).
    init(placement best: PlacementSearch.Placement, sizes: LayerSizes, outcome: PlacementSearch.Outcome, seconds: Double) {
        let counts = best.counts
        let layers = Double(best.layers.layers)
        let wi = sizes.weightBytes * layers
        func weightShare(_ tiers: ClosedRange<Int>) -> Double {
            zip(sizes.tensors, counts.weights).reduce(0) { sum, pair in
                sum + pair.0.bytes * Double(tiers.reduce(0) { $0 + ($1 < pair.1.count ? pair.1[$1] : 0) })
            } / wi
        }
        func share(_ values: [Int], _ tiers: ClosedRange<Int>) -> Double {
            let total = Double(values.reduce(0, +))
            return total > 0 ? Double(tiers.reduce(0) { $0 + ($1 < values.count ? values[$1] : 0) }) / total : 0
        }
        let K = counts.cache.count
        let deep = 2 ... max(2, K - 1)
        throughput = best.throughput
        gbs = best.gbs; nb = best.nb
        wg = weightShare(0 ... 0); wc = weightShare(1 ... 1); wn = K > 2 ? weightShare(deep) : 0
        cg = share(counts.cache, 0 ... 0); cc = share(counts.cache, 1 ... 1); cn = K > 2 ? share(counts.cache, deep) : 0
        hg = share(counts.hidden, 0 ... 0); hc = share(counts.hidden, 1 ... 1); hn = K > 2 ? share(counts.hidden, deep) : 0
        prefillSeconds = best.prefillSeconds
        decodeSeconds = best.decodeSeconds
        gpuPeakBytes = best.peakBytes[0].rounded()
        cpuPeakBytes = best.peakBytes[1].rounded()
        diskPeakBytes = K > 2 ? best.peakBytes[2...].reduce(0, +).rounded() : 0
        lpSolves = outcome.lpSolves
        self.seconds = seconds
        timedOut = outcome.timedOut ? true : nil
        relaxedThroughput = outcome.relaxed?.throughput
        bound = outcome.bound
        milpSolves = outcome.milpSolves
        if outcome.unvalidated > 0 {
            unvalidated = outcome.unvalidated
            smallestUnvalidatedSeconds = outcome.smallestUnvalidatedEstimate
        }
        proven = outcome.proven
        tiers = best.layers.tiers
        peakBytes = best.peakBytes.map { $0.rounded() }
        bottlenecks = best.bottlenecks
        busySeconds = best.busy
        let names = best.layers.tiers
        var weightCounts: [String: [Int]] = [:]
        for (tensor, row) in zip(sizes.tensors, counts.weights) { weightCounts[tensor.name] = row }
        placement = PlacementJSON(
            tiers: names, weightCounts: weightCounts, cacheUnits: counts.cache, hiddenSequences: counts.hidden,
            decodeHiddenSequences: counts.decodeHidden,
            layers: zip(best.layers.weights, best.layers.cacheUnits).map { weights, units in
                var byName: [String: String] = [:]
                for (t, k) in weights.enumerated() { byName[sizes.tensors[t].name] = names[k] }
                return PlacementJSON.Layer(weights: byName, cacheUnits: units)
            })
    }

    mutating func attach(_ sim: SimulatedPolicy) {
        simulatedThroughput = sim.throughput
        simulatedPrefillSeconds = sim.prefillSeconds
        simulatedDecodeSeconds = sim.decodeSeconds
        simulatedGpuPeakBytes = sim.gpuPeakBytes.rounded()
        simulatedCpuPeakBytes = sim.cpuPeakBytes.rounded()
        simulatedPeakBytes = sim.peakBytes.map { $0.rounded() }
        simulatedBusySeconds = sim.busy
        if tiers == nil { tiers = sim.tiers }
    }

    /// The first figure that is not a finite number, as the reason no
    /// answer is given (a report with one is an answer Stowage cannot
    /// stand by); nil when every figure is finite and the report encodes.
    func nonFiniteFigure(model: String, hardware: String) -> String? {
        let figures = [throughput, prefillSeconds, decodeSeconds, gpuPeakBytes, cpuPeakBytes, diskPeakBytes]
            + [relaxedThroughput, bound, simulatedThroughput, simulatedPrefillSeconds, simulatedDecodeSeconds].compactMap { $0 }
        guard figures.allSatisfy(\.isFinite) else {
            return "\(model) on \(hardware): the answer holds a figure that is not a finite number; no answer is printed"
        }
        do {
            _ = try Self.encoder.encode(self)
        } catch {
            return "the report holds a figure that is not a finite number (\(error)); no answer is printed"
        }
        return nil
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// One JSON object with sorted keys (Schemas/offload-report.schema.json):
    /// what `stowage offload --json` prints. Every figure is finite (checked
    /// before a result is returned).
    public func json() -> Data {
        (try? Self.encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// What `stowage offload` prints for people: the shares per tier, the
    /// times, the peaks and (exact mode) the bound and the placement.
    public func text(model: String, hardware: String) -> String {
        func pct(_ x: Double) -> String { String(format: "%5.1f%%", x * 100) }
        func gib(_ x: Double) -> String { String(format: "%.2f GiB", x / Double(1 << 30)) }
        var lines = """
            \(model) on \(hardware): \(String(format: "%.4g", throughput)) token/s at gbs \(gbs), nb \(nb) (block of \(gbs * nb) sequences)
                         GPU     CPU     disk
            weights    \(pct(wg))  \(pct(wc))  \(pct(wn))
            KV cache   \(pct(cg))  \(pct(cc))  \(pct(cn))
            activation \(pct(hg))  \(pct(hc))  \(pct(hn))
            prefill \(String(format: "%.2f", prefillSeconds)) s, decode \(String(format: "%.2f", decodeSeconds)) s
            """
        if let tiers, let peakBytes {
            lines += "\npeak: " + zip(tiers, peakBytes).map { "\($0) \(gib($1))" }.joined(separator: ", ")
        } else {
            lines += "\npeak: GPU \(gib(gpuPeakBytes)), CPU \(gib(cpuPeakBytes)), disk \(gib(diskPeakBytes))"
        }
        lines += "\n\(lpSolves) LP solves\(milpSolves.map { ", \($0) MILP solves" } ?? "") in \(String(format: "%.1f", seconds * 1000)) ms"
        if timedOut == true { lines += " (time limit reached: the best found so far)" }
        if let unvalidated {
            lines += "\n\(unvalidated) placement\(unvalidated == 1 ? "" : "s") passed over: their check would not fit in the time left"
                + (smallestUnvalidatedSeconds.map { " (the smallest about \(String(format: "%.3g", $0)) s)" } ?? "")
        }
        if let simulatedThroughput, let tiers, let simulatedPeakBytes {
            lines += "\nsimulated block: \(String(format: "%.4g", simulatedThroughput)) token/s, peak "
                + zip(tiers, simulatedPeakBytes).map { "\($0) \(gib($1))" }.joined(separator: ", ")
        }
        guard let placement else { return lines }
        if let relaxedThroughput {
            let gap = relaxedThroughput > 0 ? (relaxedThroughput - throughput) / relaxedThroughput * 100 : 0
            lines += "\ncontinuous relaxation: \(String(format: "%.4g", relaxedThroughput)) token/s (whole tensors \(String(format: "%.2f", gap))% lower)"
            if let bound { lines += "; no whole-tensor placement of the shapes visited exceeds \(String(format: "%.4g", bound)) token/s" }
            if proven == false { lines += "; the search stopped before its bounds closed" }
        }
        if let bottlenecks { lines += "\nbusiest: prefill \(bottlenecks[0])" + (bottlenecks.count > 1 ? ", decode " + bottlenecks.dropFirst().joined(separator: " / ") : "") }
        for (tensor, row) in placement.weightCounts.sorted(by: { $0.key < $1.key }) {
            lines += "\n\(tensor): " + zip(placement.tiers, row).filter { $0.1 > 0 }.map { "\($0.0) in \($0.1) layers" }.joined(separator: ", ")
        }
        lines += "\nKV-cache units (layer × head × GPU batch) per tier: " + zip(placement.tiers, placement.cacheUnits).map { "\($0) \($1)" }.joined(separator: ", ")
        lines += "; hidden sequences per tier (prefill / decode): " + zip(placement.tiers, zip(placement.hiddenSequences, placement.decodeHiddenSequences))
            .map { "\($0) \($1.0)/\($1.1)" }.joined(separator: ", ")
        return lines
    }
}
