import Plan
import Verifier

/// An event simulation of an ``OffloadBlockPlan``: the plan's actions and
/// operators replayed on four links (cpu→gpu, gpu→cpu, disk→cpu, cpu→disk)
/// and the GPU, with the profile's bandwidths and compute rates, tracking
/// every tier's allocated bytes over time.
///
/// Execution model (FlexGen's overlapped generation loop: per operator,
/// issue the next loads and the previous stores on their streams, compute,
/// then synchronise everything):
/// - operator o starts at the synchronisation point S(o−1), once its inputs
///   are valid on the GPU; S(o) = the later of its end and the end of every
///   copy issued at S(o−1) (S(−1) = 0, the prologue of residents taking no
///   time);
/// - at S(o−1) step o−1's `after` actions (stores) and step o's `before`
///   actions (allocations, prefetches) are issued;
/// - a copy starts once issued, once its source is valid and once its link
///   is free (each link is one FIFO queue), and takes bytes / bandwidth;
/// - a layer starts once the GPU is free and every input is valid on it;
/// - an allocation takes effect when issued; a free once issued and every
///   copy reading the tensor from that tier is done.
///
/// Link rates follow FlexGen's constants: cpu→gpu at ctog; gpu→cpu at the
/// cache or the hidden rate by tensor role; disk→cpu at dtoc (0.95·dtoc
/// for weights in decode); cpu→disk at the prefill cache or hidden rate, or
/// the decode rate. O(A log A) for A actions (the peak sweep sorts events).
public struct OffloadSimulation: Sendable {
    public struct Result: Sendable, Equatable {
        /// Seconds from the first load to the last store of the step.
        public var seconds: Double
        /// Most bytes allocated at once per tier, over time.
        public var peakBytes: [String: Double]
        /// Busy seconds per link and of the GPU.
        public var busy: [String: Double]
    }

    let block: OffloadBlockPlan
    let hardware: HardwareProfile

    init(block: OffloadBlockPlan, hardware: HardwareProfile) {
        self.block = block
        self.hardware = hardware
    }

    func rate(of action: PlanAction) -> Double {
        let role = block.roles[action.tensor]
        let gb = Units.gigabyte
        switch (action.from ?? "", action.tier) {
        case ("cpu", "gpu"): return hardware.cpuToGpuGBps * gb
        case ("gpu", "cpu"): return (role == .hidden ? hardware.gpuToCpuHiddenGBps : hardware.gpuToCpuCacheGBps) * gb
        case ("disk", "cpu"):
            let base = hardware.diskToCpuGBps * gb
            return role == .weight && block.phase == .decode ? 0.95 * base : base
        case ("cpu", "disk"):
            if block.phase == .decode { return hardware.cpuToDiskDecodeGBps * gb }
            return (role == .hidden ? hardware.cpuToDiskHiddenPrefillGBps : hardware.cpuToDiskCachePrefillGBps) * gb
        default: return hardware.cpuToGpuGBps * gb  // no other link is used by the builder
        }
    }

    public func run() -> Result {
        let plan = block.plan, graph = block.graph
        let tierNames = plan.tiers.map(\.name)
        let width = graph.tensors.count
        func cell(_ tier: String, _ t: Int) -> Int { (tierNames.firstIndex(of: tier) ?? 0) * width + t }
        // Non-activations start valid at home at time 0.
        var validAt = [Double](repeating: .infinity, count: tierNames.count * width)
        for (t, tensor) in graph.tensors.enumerated() where tensor.kind != .activation { validAt[cell(plan.homeTier, t)] = 0 }
        var lastRead = [Double](repeating: 0, count: tierNames.count * width)
        var linkFree: [String: Double] = [:]
        var busy: [String: Double] = [:]
        var events: [(time: Double, order: Int, tier: String, bytes: Double)] = []
        var gpuFree = 0.0
        var end = 0.0
        /// The latest end of a copy issued at the current issue point.
        var pending = 0.0

        func perform(_ action: PlanAction, at issue: Double, instant: Bool) {
            let bytes = Double(graph.tensors[action.tensor].bytes ?? 0)
            switch action.kind {
            case .allocate:
                events.append((issue, events.count, action.tier, bytes))
            case .free:
                let c = cell(action.tier, action.tensor)
                events.append((max(issue, lastRead[c], validAt[c].isFinite ? validAt[c] : issue), events.count, action.tier, -bytes))
            case .copy:
                let from = action.from ?? plan.homeTier
                let source = cell(from, action.tensor)
                let link = PlanMetrics.link(from: from, to: action.tier)
                if instant {
                    validAt[cell(action.tier, action.tensor)] = 0
                    return
                }
                let start = max(issue, validAt[source], linkFree[link] ?? 0)
                let duration = bytes / rate(of: action)
                let finish = start + duration
                linkFree[link] = finish
                busy[link, default: 0] += duration
                pending = max(pending, finish)
                validAt[cell(action.tier, action.tensor)] = finish
                lastRead[source] = max(lastRead[source], finish)
                end = max(end, finish)
            }
        }

        var issue = 0.0
        for (j, step) in plan.steps.enumerated() {
            for (a, action) in step.before.enumerated() {
                perform(action, at: issue, instant: j == 0 && a < block.prologueActions)
            }
            let op = graph.operators[step.op]
            var start = max(gpuFree, issue)
            for t in op.reads { start = max(start, validAt[cell(plan.computeTier, t)]) }
            let finish = start + block.operatorSeconds[step.op]
            busy["gpu", default: 0] += block.operatorSeconds[step.op]
            for t in op.reads { lastRead[cell(plan.computeTier, t)] = max(lastRead[cell(plan.computeTier, t)], finish) }
            for t in op.outputs { validAt[cell(plan.computeTier, t)] = finish }
            gpuFree = finish
            end = max(end, finish)
            issue = max(finish, pending)  // synchronise
            pending = 0
            for action in step.after { perform(action, at: issue, instant: false) }
        }

        // Peak per tier: sweep the events in time order, equal times in
        // issue order (a step's frees are issued before the next step's
        // allocations).
        events.sort { $0.time != $1.time ? $0.time < $1.time : $0.order < $1.order }
        var used: [String: Double] = [:], peak: [String: Double] = [:]
        for event in events {
            used[event.tier, default: 0] += event.bytes
            peak[event.tier] = max(peak[event.tier] ?? 0, used[event.tier]!)
        }
        return Result(seconds: end, peakBytes: peak, busy: busy)
    }
}

/// The simulated block of a placement: prefill and the average decode step
/// simulated, throughput bls·n / (T_prefill + (n − 1)·T_decode), per-tier
/// peaks the larger of the two, checked against the real capacities (not
/// scaled by α).
public struct SimulatedPolicy: Sendable {
    public var throughput: Double
    public var prefillSeconds: Double
    public var decodeSeconds: Double
    public var gpuPeakBytes: Double
    public var cpuPeakBytes: Double
    public var diskBytes: Double
    /// Capacities the simulated peaks break, with the excess in bytes.
    public var violations: [(tier: String, excessBytes: Double)]
    /// The Verifier's symbolic replay of the two plans: the first failure
    /// of each that failed (sequential semantics, capacities of gpu and cpu).
    public var verifierFailures: [String]
    public var prefillPlan: Plan
    public var decodePlan: Plan

    /// Simulates `placement` at the cost model's batch shape. O(l·T log(l·T)).
    static func simulate(cost: FlexGenCostModel, placement: WholeTensorPlacement) throws -> SimulatedPolicy {
        let prefill = try OffloadBlockPlan.build(cost: cost, placement: placement, phase: .prefill)
        let decode = try OffloadBlockPlan.build(cost: cost, placement: placement, phase: .decode)
        var failures: [String] = []
        for block in [prefill, decode] {
            if let failure = Verifier.verify(block.plan, against: block.graph).failure {
                failures.append("\(block.phase.rawValue) plan: \(failure)")
            }
        }
        let p = OffloadSimulation(block: prefill, hardware: cost.hardware).run()
        let d = OffloadSimulation(block: decode, hardware: cost.hardware).run()
        let n = cost.n
        let total = p.seconds + (n - 1) * d.seconds
        let gpu = max(p.peakBytes["gpu"] ?? 0, d.peakBytes["gpu"] ?? 0)
        let cpu = max(p.peakBytes["cpu"] ?? 0, d.peakBytes["cpu"] ?? 0)
        // Disk: every share homed there, with the cache at its full s + n tokens.
        let f = placement.fractions(cost: cost)
        let disk = (cost.wi * cost.l * f.wn + (cost.s + n) * cost.kv * cost.bls * cost.l * f.cn)
        var violations: [(String, Double)] = []
        for (tier, used, capacity) in [("GPU", gpu, cost.workload.gpuBytes), ("CPU", cpu, cost.workload.cpuBytes),
                                       ("disk", disk, cost.workload.diskBytes)] where used > capacity {
            violations.append((tier, used - capacity))
        }
        return SimulatedPolicy(throughput: cost.bls * n / total, prefillSeconds: p.seconds, decodeSeconds: (n - 1) * d.seconds,
                               gpuPeakBytes: gpu, cpuPeakBytes: cpu, diskBytes: disk, violations: violations,
                               verifierFailures: failures,
                               prefillPlan: prefill.plan, decodePlan: decode.plan)
    }
}

extension WholeTensorPlacement {
    /// The fractions this placement realises (weights by bytes).
    func fractions(cost: FlexGenCostModel) -> (wg: Double, wc: Double, wn: Double, cg: Double, cc: Double, cn: Double) {
        var w = [0.0, 0.0, 0.0]
        for (tensor, named) in zip(cost.sizes.tensors, weights) {
            w[OffloadTier.allCases.firstIndex(of: named.tier)!] += tensor.bytes / cost.sizes.weightBytes
        }
        let units = Double(cacheUnits.reduce(0, +))
        return (w[0], w[1], w[2], Double(cacheUnits[0]) / units, Double(cacheUnits[1]) / units, Double(cacheUnits[2]) / units)
    }

    /// FlexGen's rounding of a fractional policy to whole tensors: each
    /// weight tensor goes to the tier whose cumulative percentage range
    /// holds the midpoint of the tensor's cumulative byte range (as
    /// FlexGen's `init_weight_list`); cache heads and hidden sequences by
    /// largest remainder.
    static func flexGenRounding(of policy: OffloadPolicy, sizes: LayerSizes, kvHeads: Int) -> WholeTensorPlacement {
        var cumulative = 0.0
        let bounds = [policy.wg, policy.wg + policy.wc]
        let weights = sizes.tensors.map { tensor -> NamedTier in
            let mid = (cumulative + tensor.bytes / 2) / sizes.weightBytes
            cumulative += tensor.bytes
            let tier: OffloadTier = mid < bounds[0] ? .gpu : mid < bounds[1] ? .cpu : .disk
            return NamedTier(tensor: tensor.name, tier: tier)
        }
        func apportion(_ shares: [Double], _ total: Int) -> [Int] {
            let exact = shares.map { $0 * Double(total) }
            var counts = exact.map { Int($0.rounded(.down)) }
            let order = exact.indices.sorted { exact[$0] - Double(counts[$0]) > exact[$1] - Double(counts[$1]) }
            var k = 0
            while counts.reduce(0, +) < total { counts[order[k % order.count]] += 1; k += 1 }
            return counts
        }
        return WholeTensorPlacement(weights: weights, cacheUnits: apportion([policy.cg, policy.cc, policy.cn], kvHeads),
                                    activationSequences: apportion([policy.hg, policy.hc], policy.gbs))
    }
}

extension PolicySearch {
    /// Simulates a whole-tensor placement at a batch shape (see ``SimulatedPolicy``).
    public func simulate(gbs: Int, nb: Int, placement: WholeTensorPlacement) throws -> SimulatedPolicy {
        try SimulatedPolicy.simulate(cost: costModel(gbs: gbs, nb: nb), placement: placement)
    }

    /// The placement FlexGen's runtime would execute for a fractional policy.
    public func flexGenPlacement(of policy: OffloadPolicy) -> WholeTensorPlacement {
        WholeTensorPlacement.flexGenRounding(of: policy, sizes: sizes, kvHeads: shape.kvHeads)
    }
}
