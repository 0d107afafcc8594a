import MILP
import Plan
import Verifier

/// An event simulation of an ``OffloadBlockPlan``: its actions and
/// operators replayed on the machine's links and the GPU, with the chain's
/// bandwidths (and chunk-size curves) and the cost model's operator times,
/// tracking every tier's allocated bytes over time.
///
/// Execution model (a runtime thread that launches one operator at a time
/// and issues asynchronous copies):
/// - step o's `before` actions are issued when operator o − 1 ends (step 0
///   at time 0), its `after` actions when operator o ends;
/// - an operator starts once the GPU is free and every input is valid on
///   the GPU, its CPU attention's context valid on the host, and every
///   tier beneath the GPU (the home excepted) has room for what is
///   allocated there when the operator ends (back-pressure: without it
///   the GPU ran ahead of stores draining to a slow disk and the host held
///   tens of GiB of them, e.g. OPT-66B on A100-40GB);
/// - a cell allocated again while copies of its earlier allocation are in
///   flight (a hidden state loaded back while its store still passes
///   through the host) keeps that data for those copies;
/// - each direction of each link moves one copy at a time at the link's
///   rate (a read over a curved link at the rate of its requests), from two
///   streams, each in issue order, a copy once its source is valid: the
///   copies operators wait for (hidden states, cache contexts, new keys and
///   values, results) go before weight prefetches, which move in pieces
///   (a millisecond of the link, 1 to 64 MiB) so that such a copy waits
///   for one piece at most;
/// - an allocation takes effect when issued; a free once issued, once
///   every copy or operator reading the tensor from that tier is done, and
///   once the data arriving there has arrived;
/// - the prologue (step 0's first actions) takes no time.
///
/// O(E·L + A) for E events (operators and pieces of copies), L link
/// directions and A actions.
public struct OffloadSimulation: Sendable {
    public struct Result: Sendable, Equatable {
        /// Seconds from the first action to the last store of the phase.
        public var seconds: Double
        /// Most bytes allocated at once per tier (the home tier excepted), over time.
        public var peakBytes: [String: Double]
        /// Busy seconds per link direction ("cpu->gpu") and of the GPU.
        public var busy: [String: Double]
        /// When the replay stalled (seconds infinite): the operator that never
        /// started and the inputs it was missing, for the error message.
        public var stall: String? = nil
    }

    /// A weight prefetch moves in pieces of what its link carries in a
    /// millisecond, at least 1 MiB and at most 64 MiB: the granularity at
    /// which an operator's own copy can overtake it.
    static func prefetchPiece(bytes: Double, seconds: Double) -> Double {
        min(Double(64 << 20), max(Double(1 << 20), bytes / seconds * 1e-3))
    }

    let block: OffloadBlockPlan
    let chain: TierChain
    /// Bytes of each tensor and seconds of each operator (the plan's own by
    /// default; a decode plan replayed at another context gives its own).
    let bytes: [Double]
    let operatorSeconds: [Double]
    /// The replay stops (unfinished, seconds infinite) once this has passed.
    var deadline = Deadline.none

    init(block: OffloadBlockPlan, chain: TierChain, bytes: [Double]? = nil, operatorSeconds: [Double]? = nil) {
        self.block = block
        self.chain = chain
        self.bytes = bytes ?? block.graph.tensors.map { Double($0.bytes ?? 0) }
        self.operatorSeconds = operatorSeconds ?? block.operatorSeconds
    }

    /// The decode plan's replay at another segment's context: every
    /// tensor's bytes and every operator's seconds at that context.
    init(block: OffloadBlockPlan, chain: TierChain, cost: ChainCostModel, segment: ChainCostModel.DecodeSegment) {
        self.init(block: block, chain: chain, bytes: block.affineBytes.map { max(0, $0.base + $0.perToken * segment.context) },
                  operatorSeconds: block.gpuHeads.map { cost.operatorSeconds(.decode(segment), gpuHeads: $0) })
    }

    /// The seconds a copy from tier `a` to tier `b` takes over the link
    /// between them; nil for copies that skip a link (only the prologue
    /// makes them).
    func transfer(_ bytes: Double, from a: Int, to b: Int, cache: Bool) -> Double? {
        if block.parents[a] == b { return chain.readSeconds(bytes, link: a) }
        if block.parents[b] == a { return chain.writeSeconds(bytes, link: b, cache: cache) }
        return nil
    }

    struct Copy {
        var tensor: Int
        var source: Int
        /// When the source was already valid as the copy was issued: the
        /// copy reads that data even if the cell is later reallocated for
        /// another use of the tensor (a store still running when the tensor
        /// is loaded back).
        var sourceReady: Double?
        /// The allocations of the source and destination cells the copy
        /// belongs to (a cell is allocated again when a tensor is loaded back
        /// while its store is still passing through).
        var sourceGeneration = 0
        var destinationGeneration = 0
        /// The copy's rank among the copies ever issued on its source and destination cells.
        var sourceRank: Int = 0
        var destinationRank: Int = 0
        var destination: Int
        var resource: Int
        var seconds: Double
        var remaining: Double
        /// 0: an operator waits for it; 1: weight prefetch (moved in pieces).
        var priority: Int
        var piece: Double
        var order: Int
    }

    public func run() -> Result {
        let plan = block.plan, graph = block.graph
        let names = block.tierNames
        /// Tier names are few and short: a scan beats hashing them per action.
        func tierIndex(_ name: String?) -> Int? {
            guard let name else { return nil }
            for k in names.indices where names[k] == name { return k }
            return nil
        }
        let width = graph.tensors.count
        let K = names.count
        let home = K - 1, gpu = 0, host = min(1, K - 1)
        func cell(_ k: Int, _ t: Int) -> Int { k * width + t }
        var validAt = [Double](repeating: .infinity, count: K * width)
        for (t, tensor) in graph.tensors.enumerated() where tensor.kind != .activation { validAt[cell(home, t)] = 0 }
        /// Each cell's allocation count, and when the data of earlier
        /// allocations (still read or written by copies in flight) was valid.
        var generation = [Int](repeating: 0, count: K * width)
        var earlierValidAt: [Int: Double] = [:]
        func key(_ c: Int, _ g: Int) -> Int { g * K * width + c }
        func valid(_ c: Int, _ g: Int) -> Double { g == generation[c] ? validAt[c] : earlierValidAt[key(c, g)] ?? .infinity }
        // Back-pressure: operator o starts only when every tier beneath the
        // GPU (the home excepted) has room for what is allocated there when
        // it ends (its `after` actions and the next step's `before`), as a
        // runtime holds the GPU back rather than overfill the host with
        // stores still draining to a slower tier.
        let capacities = plan.tiers.map { $0.capacity.map(Double.init) }
        var nextAllocations = [[Double]](repeating: [Double](repeating: 0, count: K), count: plan.steps.count)
        for (i, step) in plan.steps.enumerated() {
            for action in step.after + (i + 1 < plan.steps.count ? plan.steps[i + 1].before : []) where action.kind == .allocate {
                if let k = tierIndex(action.tier) { nextAllocations[i][k] += self.bytes[action.tensor] }
            }
        }
        /// Copies in flight from or into each cell; frees wait for them.
        var outstanding = [Int](repeating: 0, count: K * width)
        var issuedOnCell = [Int](repeating: 0, count: K * width)
        /// Frees waiting for the copies in flight on their cell when they
        /// were issued (those ranked below `before`), `remaining` of them.
        var waitingFrees: [Int: [(tier: Int, bytes: Double, before: Int, remaining: Int)]] = [:]
        var resourceNames: [String] = []
        /// Link direction of a copy from tier a to tier b, by a·K + b (−1: not met yet).
        var resourceIndex = [Int](repeating: -1, count: K * K)
        var copies: [Copy] = []
        /// Per link direction, two FIFO queues of copies in issue order (two
        /// streams): queue 0 for what operators wait for, queue 1 for weight
        /// prefetches; `heads` marks the first copy not yet moved.
        var queues: [[[Int]]] = []
        var heads: [[Int]] = []
        var current: [Int?] = []
        var pieceEnd: [Double] = []
        var busy: [String: Double] = [:]
        // Allocations and frees happen in time order (the replay never goes
        // back in time), so each tier's peak is kept as they come.
        var used = [Double](repeating: 0, count: K), peak = [Double](repeating: 0, count: K)
        func account(_ k: Int, _ bytes: Double) {
            used[k] += bytes
            if used[k] > peak[k] { peak[k] = used[k] }
        }
        var order = 0
        var end = 0.0

        func perform(_ action: PlanAction, at now: Double, instant: Bool) {
            let t = action.tensor
            let bytes = self.bytes[t]
            let k = tierIndex(action.tier) ?? 0
            order += 1
            switch action.kind {
            case .allocate:
                account(k, bytes)
                if !instant {
                    // New space holds no valid data yet; copies of the earlier allocation keep theirs.
                    let c = cell(k, t)
                    if outstanding[c] > 0 { earlierValidAt[key(c, generation[c])] = validAt[c] }
                    generation[c] += 1
                    validAt[c] = .infinity
                }
            case .free:
                let c = cell(k, t)
                if outstanding[c] == 0 {
                    account(k, -bytes)
                } else {
                    waitingFrees[c, default: []].append((k, -bytes, issuedOnCell[c], outstanding[c]))
                }
            case .copy:
                let from = tierIndex(action.from) ?? home
                if instant {
                    validAt[cell(k, t)] = 0
                    return
                }
                let role = block.roles[t]
                guard let seconds = transfer(bytes, from: from, to: k, cache: role == .newCache) else {
                    validAt[cell(k, t)] = max(now, validAt[cell(from, t)])
                    return
                }
                var r = resourceIndex[from * K + k]
                if r < 0 {
                    r = resourceNames.count
                    resourceIndex[from * K + k] = r
                    resourceNames.append("\(names[from])->\(names[k])")
                    queues.append([[], []])
                    heads.append([0, 0])
                    current.append(nil)
                    pieceEnd.append(0)
                }
                let prefetch = role == .weight
                let pieceBytes = Self.prefetchPiece(bytes: bytes, seconds: seconds)
                let piece = prefetch && bytes > pieceBytes ? seconds * pieceBytes / bytes : seconds
                let sourceTime = validAt[cell(from, t)]
                let (a, b) = (cell(from, t), cell(k, t))
                copies.append(Copy(tensor: t, source: from, sourceReady: sourceTime.isFinite ? sourceTime : nil,
                                   sourceGeneration: generation[a], destinationGeneration: generation[b],
                                   sourceRank: issuedOnCell[a], destinationRank: issuedOnCell[b], destination: k,
                                   resource: r, seconds: seconds, remaining: seconds, priority: prefetch ? 1 : 0, piece: piece, order: order))
                outstanding[a] += 1
                issuedOnCell[a] += 1
                outstanding[b] += 1
                issuedOnCell[b] += 1
                queues[r][prefetch ? 1 : 0].append(copies.count - 1)
            }
        }

        let steps = plan.steps
        var now = 0.0
        var next = 0                 // next operator to run
        var running: (step: Int, end: Double)?
        for (a, action) in (steps.first?.before ?? []).enumerated() {
            perform(action, at: 0, instant: a < block.prologueActions)
        }
        var gpuBusy = 0.0
        /// The first tier beneath the GPU without room for step i's allocations at its end.
        func roomBeneath(_ i: Int) -> Int? {
            (1 ..< K).first { k in
                guard k != home, let capacity = capacities[k] else { return false }
                return used[k] + nextAllocations[i][k] > capacity * (1 + 1e-12)
            }
        }
        var rounds = 0
        while true {
            rounds += 1
            if rounds & 4095 == 0, deadline.expired { break }
            // Idle links take the head of the operators' queue when its source
            // is valid, else the head of the prefetch queue when its source is.
            for r in resourceNames.indices where current[r] == nil {
                for q in 0 ..< 2 where heads[r][q] < queues[r][q].count {
                    let c = queues[r][q][heads[r][q]]
                    guard (copies[c].sourceReady ?? valid(cell(copies[c].source, copies[c].tensor), copies[c].sourceGeneration)) <= now else { continue }
                    current[r] = c
                    pieceEnd[r] = now + min(copies[c].remaining, copies[c].piece)
                    break
                }
            }
            // The GPU takes the next operator once its inputs are in place.
            if running == nil, next < steps.count {
                let op = graph.operators[steps[next].op]
                let ready = op.reads.allSatisfy { validAt[cell(gpu, $0)] <= now }
                    && block.hostReads[steps[next].op].allSatisfy { validAt[cell(host, $0)] <= now }
                    && roomBeneath(next) == nil
                if ready {
                    let seconds = operatorSeconds[steps[next].op]
                    running = (next, now + seconds)
                    gpuBusy += seconds
                }
            }
            var upcoming = Double.infinity
            for r in resourceNames.indices where current[r] != nil { upcoming = min(upcoming, pieceEnd[r]) }
            if let running { upcoming = min(upcoming, running.end) }
            guard upcoming.isFinite else { break }
            now = upcoming
            end = max(end, now)
            for r in resourceNames.indices {
                guard let c = current[r], pieceEnd[r] <= now else { continue }
                let moved = min(copies[c].remaining, copies[c].piece)
                copies[c].remaining -= moved
                busy[resourceNames[r], default: 0] += moved
                current[r] = nil
                if copies[c].remaining <= copies[c].seconds * 1e-12 {
                    let copy = copies[c]
                    let destination = cell(copy.destination, copy.tensor)
                    if copy.destinationGeneration == generation[destination] {
                        validAt[destination] = now
                    } else {
                        earlierValidAt[key(destination, copy.destinationGeneration)] = now
                    }
                    heads[r][copies[c].priority] += 1
                    func finished(_ done: Int, rank: Int) {
                        outstanding[done] -= 1
                        guard var waiting = waitingFrees[done] else { return }
                        for i in waiting.indices where rank < waiting[i].before { waiting[i].remaining -= 1 }
                        for free in waiting where free.remaining == 0 { account(free.tier, free.bytes) }
                        waiting.removeAll { $0.remaining == 0 }
                        waitingFrees[done] = waiting.isEmpty ? nil : waiting
                    }
                    finished(cell(copy.source, copy.tensor), rank: copy.sourceRank)
                    finished(cell(copy.destination, copy.tensor), rank: copy.destinationRank)
                }
            }
            if let (step, finish) = running, finish <= now {
                let op = graph.operators[steps[step].op]
                for t in op.outputs { validAt[cell(gpu, t)] = now }
                running = nil
                for action in steps[step].after { perform(action, at: now, instant: false) }
                next = step + 1
                if next < steps.count { for action in steps[next].before { perform(action, at: now, instant: false) } }
            }
        }
        var stall: String?
        if next < steps.count || running != nil {
            // An operator never got its inputs (a plan error): name them.
            end = .infinity
            if next < steps.count {
                let op = graph.operators[steps[next].op]
                let missing = op.reads.filter { validAt[cell(gpu, $0)] > now }.map { "\(graph.tensors[$0].name)@\(names[gpu])" }
                    + block.hostReads[steps[next].op].filter { validAt[cell(host, $0)] > now }.map { "\(graph.tensors[$0].name)@\(names[host])" }
                if missing.isEmpty, let k = roomBeneath(next) {
                    stall = "operator \(op.name) waited for room in \(names[k]) that never came"
                } else {
                    stall = "operator \(op.name) never got \(missing.prefix(4).joined(separator: ", "))"
                }
            }
        }
        busy["gpu"] = gpuBusy

        var peaks: [String: Double] = [:]
        for k in 0 ..< K where k != home { peaks[names[k]] = peak[k] }
        return Result(seconds: end, peakBytes: peaks, busy: busy, stall: stall)
    }
}

/// A placement simulated: the prefill and one decode step per segment of
/// the cost model simulated and verified, throughput bls·n / (prefill +
/// Σ steps × decode step), per-tier peaks the largest over the phases (the
/// home tier: what is homed there, from the cost model), checked against
/// the real capacities (not scaled by α).
public struct SimulatedPolicy: Sendable {
    public var throughput: Double
    public var prefillSeconds: Double
    /// All n − 1 decode steps.
    public var decodeSeconds: Double
    /// Tier names, GPU first, and the peak bytes of each.
    public var tiers: [String]
    public var peakBytes: [Double]
    /// Capacities the simulated peaks break, with the excess in bytes.
    public var violations: [(tier: String, excessBytes: Double)]
    /// The Verifier's symbolic replay of the prefill and the decode plan:
    /// the first failure of each that failed (and any phase whose
    /// simulation could not finish).
    public var verifierFailures: [String]
    public var prefillPlan: Plan
    /// The decode plan (at the last segment's context, the largest).
    public var decodePlan: Plan?
    /// Busy seconds per resource over the whole block (prefill + every decode step).
    public var busy: [String: Double]
    /// Plan actions processed to check the placement: each plan's actions
    /// once built, once verified and once per replay (the work
    /// ``PlacementSearch`` budgets for before it chooses a shape).
    public var checkedActions = 0

    public var gpuPeakBytes: Double { peakBytes.first ?? 0 }
    public var cpuPeakBytes: Double { peakBytes.count > 1 ? peakBytes[1] : 0 }
    public var fits: Bool { violations.isEmpty && verifierFailures.isEmpty }

    /// Simulates `placement` at the cost model's batch shape. O(S·A log A)
    /// for S phases of A actions each. Stops with
    /// ``OffloadBlockPlan/BuildError/timeLimit`` once `deadline` has passed
    /// (checked between the plans' builds, verifications and replays, so it
    /// runs past the deadline by one of them at most: callers budget for
    /// the whole beforehand, see ``PlacementSearch/validationSeconds(nb:)``).
    static func simulate(cost: ChainCostModel, segments: [ChainCostModel.DecodeSegment], placement: LayerPlacement,
                         verify: Bool = true, deadline: Deadline = .none) throws(OffloadBlockPlan.BuildError) -> SimulatedPolicy {
        func checkTime() throws(OffloadBlockPlan.BuildError) { if deadline.expired { throw .timeLimit } }
        let phases: [ChainCostModel.Phase] = [.prefill] + segments.map { .decode($0) }
        let weights: [Double] = [1] + segments.map { Double($0.steps) }
        var seconds: [Double] = []
        var peaks = [Double](repeating: 0, count: cost.tiers)
        var failures: [String] = []
        var busy: [String: Double] = [:]
        var prefillPlan: Plan?, decodePlan: Plan?
        // The prefill plan, and one decode plan (built at the largest
        // context, verified, replayed at each segment's context: the actions
        // are the same, only the cache's sizes and the attention time differ).
        try checkTime()
        var blocks: [OffloadBlockPlan] = [try OffloadBlockPlan.build(cost: cost, placement: placement, phase: .prefill, deadline: deadline)]
        if let last = segments.last {
            try checkTime()
            blocks.append(try OffloadBlockPlan.build(cost: cost, placement: placement, phase: .decode(last), deadline: deadline))
        }
        let actions = blocks.map { $0.plan.steps.reduce(0) { $0 + $1.before.count + $1.after.count } }
        var checked = actions.reduce(0, +)
        for block in blocks where verify {
            try checkTime()
            checked += actions[block.isPrefill ? 0 : 1]
            if let failure = Verifier.verify(block.plan, against: block.graph).failure {
                failures.append("\(block.isPrefill ? "prefill" : "decode") plan: \(failure)")
            }
        }
        prefillPlan = blocks[0].plan
        decodePlan = blocks.count > 1 ? blocks[1].plan : nil
        for (p, phase) in phases.enumerated() {
            var simulation: OffloadSimulation
            if case .decode(let segment) = phase {
                simulation = OffloadSimulation(block: blocks[1], chain: cost.chain, cost: cost, segment: segment)
            } else {
                simulation = OffloadSimulation(block: blocks[0], chain: cost.chain)
            }
            try checkTime()
            simulation.deadline = deadline
            let result = simulation.run()
            try checkTime()
            checked += actions[p == 0 ? 0 : 1]
            if !result.seconds.isFinite {
                failures.append("the simulation of the \(p == 0 ? "prefill" : "decode segment \(p)") did not finish: \(result.stall ?? "an operator never got its inputs")")
            }
            seconds.append(result.seconds)
            for (k, name) in blocks[0].tierNames.enumerated() { peaks[k] = max(peaks[k], result.peakBytes[name] ?? 0) }
            for (resource, value) in result.busy { busy[resource, default: 0] += value * weights[p] }
        }
        // The home tier is not allocated by the plans: what is homed there.
        let home = cost.chain.home
        let evaluation = PlacementEvaluation(cost: cost, segments: segments, counts: placement.counts)
        peaks[home] = evaluation.peakBytes[home]
        var violations: [(String, Double)] = []
        for (k, tier) in cost.chain.tiers.enumerated() where peaks[k] > tier.capacity {
            violations.append((tier.name, peaks[k] - tier.capacity))
        }
        let decode = zip(seconds.dropFirst(), weights.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
        let total = seconds[0] + decode
        return SimulatedPolicy(throughput: cost.g * cost.batches * cost.n / total, prefillSeconds: seconds[0],
                               decodeSeconds: decode, tiers: cost.chain.tiers.map(\.name), peakBytes: peaks,
                               violations: violations, verifierFailures: failures, prefillPlan: prefillPlan!,
                               decodePlan: decodePlan, busy: busy, checkedActions: checked)
    }
}
