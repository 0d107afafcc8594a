import MemoryGraph
import Plan

/// The state of a plan being replayed: which tensor is allocated and valid
/// in which tier, who owns which address range, what has run, and the
/// figures measured so far.
///
/// Per tier and tensor the state is a few flat arrays (tiers × tensors
/// entries); address ranges live in one ``AddressMap`` per addressed tier.
/// Replaying a plan of A actions and S steps whose operators read and write
/// E tensors in all costs expected O(A log L + S + E) for at most L ranges
/// held at once, plus, in real-memory mode, O(bytes) per byte range written
/// or read. Memory is O(tiers × tensors + operators) besides the arenas.
///
/// Every number from the plan is distrusted: indices are range-checked,
/// sums and ends use overflow-checked arithmetic.
struct Replay {
    let plan: Plan
    let graph: Graph
    let tiers: [Tier]
    let tierIndex: [String: Int]
    let home: Int
    let compute: Int
    /// Tensors in the graph.
    let width: Int
    /// False only in tests that show what real memory catches on its own.
    let checksOverlaps: Bool

    /// Indexed `tier * width + tensor`.
    var allocated: [Bool]
    var offsets: [Int]
    var valid: [Bool]
    var maps: [AddressMap]
    /// Per tier: bytes allocated now, most ever, highest end (addressed).
    var used: [Int]
    var peak: [Int]
    var height: [Int]
    /// Bytes copied per link that carried any, keyed `from * tiers + to`
    /// (a dictionary: a plan may declare many tiers but uses few links).
    var moved: [Int: Int] = [:]
    var totalMoved = 0
    var compulsory = 0
    /// Whether each tensor had its compulsory load / store counted.
    var loaded: [Bool]
    var stored: [Bool]
    let readByOperators: [Bool]
    let isGraphOutput: [Bool]
    /// The step at which each operator first ran, -1 before it runs.
    var ranAt: [Int]
    /// Whether operators may run more than once (``Plan/recompute``).
    let allowsRecomputation: Bool
    /// The sum of the costs of the operators run so far, in step order.
    var computeCost: Double = 0
    /// Whether the home tier is also the compute tier (a one-memory plan:
    /// stays there run from allocation to free, see ``PlanResidency``).
    var homeIsCompute: Bool { home == compute }

    /// Real-memory mode: the arenas, the content seed of each valid
    /// (tier, tensor), and the reference contents.
    var memory: RealMemory?
    var contents: [UInt64]
    var reference: ReferenceExecution?
    /// Real-memory mode: the content seed of each tensor's first
    /// computation, which a recomputation must reproduce.
    var firstSeeds: [UInt64?]

    /// Where the replay is, for failure reports.
    var step: Int?
    var site = ""
    /// 0 while the before-actions run, 1 for the after-actions.
    var phase = 0

    /// The stays the actions make (``PlanResidency``), derived here
    /// independently of the plan's own table: per cell, the operator step
    /// the open stay started at (-1: none), whether it was loaded, stored.
    var stayStart: [Int]
    var stayLoaded: [Bool]
    var stayStored: [Bool]
    var stays: [PlanResidency] = []

    /// Sets up the state before step 0: graph inputs and weights valid in
    /// the home tier. The caller has checked the plan's structure, so the
    /// home and compute tiers exist and tier names are unique.
    init(plan: Plan, graph: Graph, arenaSizes: [Int]?, checksOverlaps: Bool) {
        self.plan = plan
        self.graph = graph
        tiers = plan.tiers
        var index: [String: Int] = [:]
        for (i, tier) in plan.tiers.enumerated() { index[tier.name] = i }
        tierIndex = index
        home = index[plan.homeTier] ?? 0
        compute = index[plan.computeTier] ?? 0
        width = graph.tensors.count
        self.checksOverlaps = checksOverlaps
        let cells = tiers.count * width
        allocated = [Bool](repeating: false, count: cells)
        offsets = [Int](repeating: 0, count: cells)
        valid = [Bool](repeating: false, count: cells)
        maps = [AddressMap](repeating: AddressMap(), count: tiers.count)
        used = [Int](repeating: 0, count: tiers.count)
        peak = used
        height = used
        loaded = [Bool](repeating: false, count: width)
        stored = loaded
        readByOperators = graph.tensors.indices.map { !graph.consumers(of: $0).isEmpty }
        var outputs = [Bool](repeating: false, count: width)
        for t in graph.outputs { outputs[t] = true }
        isGraphOutput = outputs
        ranAt = [Int](repeating: -1, count: graph.operators.count)
        allowsRecomputation = plan.recompute != nil
        firstSeeds = []
        stayStart = [Int](repeating: -1, count: cells)
        stayLoaded = [Bool](repeating: false, count: cells)
        stayStored = stayLoaded
        for (t, tensor) in graph.tensors.enumerated() where tensor.kind != .activation {
            valid[home * width + t] = true
            stayStart[home * width + t] = 0
        }
        if let arenaSizes {
            memory = RealMemory(arenaSizes: arenaSizes)
            contents = [UInt64](repeating: 0, count: cells)
            for (t, tensor) in graph.tensors.enumerated() where tensor.kind != .activation {
                contents[home * width + t] = RealMemory.initialSeed(tensor: t)
            }
            reference = ReferenceExecution(graph)
            firstSeeds = [UInt64?](repeating: nil, count: width)
        } else {
            contents = []
        }
    }

    // MARK: Running

    /// Replays every step, then the end-of-plan checks. Returns how many
    /// steps ran to completion; throws the first violation.
    mutating func run(stepsDone: inout Int) throws(VerificationFailure) {
        for (s, planStep) in plan.steps.enumerated() {
            step = s
            phase = 0
            for (a, action) in planStep.before.enumerated() {
                site = "before-action \(a)"
                try perform(action)
            }
            site = "operator"
            try runOperator(planStep.op, step: s)
            phase = 1
            for (a, action) in planStep.after.enumerated() {
                site = "after-action \(a)"
                try perform(action)
            }
            stepsDone = s + 1
        }
        step = nil
        site = ""
        try finish()
    }

    /// After the last step: every operator ran, every graph output is valid
    /// (and, in real-memory mode, correct) in the home tier, and the claimed
    /// metrics are the measured ones.
    private mutating func finish() throws(VerificationFailure) {
        let missing = ranAt.indices.filter { ranAt[$0] < 0 }
        if let first = missing.first {
            let name = graph.operators[first].name
            throw fail(.badOrder, tensors: [], "operator '\(name)' never runs" + (missing.count > 1 ? " (nor do \(missing.count - 1) other operators)" : ""),
                       operatorName: name)
        }
        for t in graph.outputs {
            guard valid[home * width + t] else {
                throw fail(.outputNotHome, tensors: [t], "graph output '\(name(t))' is not valid in the home tier '\(tiers[home].name)' at the end of the plan")
            }
            if let memory, let reference {
                let seed = contents[home * width + t]
                var difference: Int?
                if allocated[home * width + t] && memory.hasArena(home) {
                    difference = memory.firstDifference(seed: reference.seeds[t], tier: home,
                                                        offset: offsets[home * width + t], count: bytes(t))
                }
                if seed != reference.seeds[t] || difference != nil {
                    throw fail(.overwritten, tensors: [t],
                               "graph output '\(name(t))' in '\(tiers[home].name)' differs from the reference execution with unlimited memory")
                }
            }
        }
        let measured = measuredMetrics
        if let d = plan.metrics.firstDifference(from: measured) {
            throw fail(.metricMismatch, tensors: [], "the plan claims \(d.metric) = \(d.claimed), the replay measured \(d.measured)")
        }
        if let claim = plan.recompute, !PlanRecomputation.sameCost(claim.computeCost, computeCost) {
            throw fail(.metricMismatch, tensors: [],
                       "the plan claims computeCost = \(claim.computeCost), the costs of its steps add up to \(computeCost)")
        }
        if let claim = plan.recompute { try checkTransferCost(claim) }
        try checkResidencies()
    }

    /// The figures measured so far: peak bytes for every tier, heights for
    /// every addressed tier, bytes for every link that carried any.
    var measuredMetrics: PlanMetrics {
        var metrics = PlanMetrics(compulsoryBytes: compulsory, nonCompulsoryBytes: totalMoved - compulsory,
                                  objective: plan.metrics.objective, bound: plan.metrics.bound,
                                  solverStatus: plan.metrics.solverStatus)
        for (i, tier) in tiers.enumerated() {
            metrics.peakBytes[tier.name] = peak[i]
            if tier.addressed { metrics.heights[tier.name] = height[i] }
        }
        for (link, bytes) in moved where bytes > 0 {
            metrics.bytesMoved[PlanMetrics.link(from: tiers[link / tiers.count].name, to: tiers[link % tiers.count].name)] = bytes
        }
        return metrics
    }

    /// A recomputing plan that copies prices every link it uses
    /// (``PlanRecomputation/linkCosts``), and its claimed transfer cost is
    /// the bytes moved times those prices, summed in link order.
    private func checkTransferCost(_ claim: PlanRecomputation) throws(VerificationFailure) {
        var total = 0.0
        for (link, bytes) in moved.sorted(by: { $0.key < $1.key }) where bytes > 0 {
            let name = PlanMetrics.link(from: tiers[link / tiers.count].name, to: tiers[link % tiers.count].name)
            guard let price = claim.linkCosts?[name], price.isFinite, price >= 0 else {
                throw fail(.metricMismatch, tensors: [], "the plan copies \(bytes) bytes over \(name) but gives that link no cost per byte")
            }
            total += Double(bytes) * price
        }
        let claimed = claim.transferCost ?? 0
        if !PlanRecomputation.sameCost(claimed, total) {
            throw fail(.metricMismatch, tensors: [], "the plan claims transferCost = \(claimed), its copies cost \(total)")
        }
    }

    // MARK: Helpers

    func name(_ t: Int) -> String { graph.tensors[t].name }

    func bytes(_ t: Int) -> Int { graph.tensors[t].bytes ?? 0 }

    /// The failure at the current step and site.
    func fail(_ kind: VerificationFailure.Kind, tensors: [Int], addresses: [[Int]] = [], _ message: String,
              operatorName: String? = nil) -> VerificationFailure {
        var opName = operatorName
        if opName == nil, let step, plan.steps[step].op >= 0, plan.steps[step].op < graph.operators.count {
            opName = graph.operators[plan.steps[step].op].name
        }
        let prefix = site.isEmpty || site == "operator" ? "" : "\(site): "
        return VerificationFailure(kind: kind, step: step, operatorName: opName, tensors: tensors.map(name),
                                   addresses: addresses, message: prefix + message)
    }

    /// The tier called `name`, or a malformed-plan failure.
    func tier(_ name: String?, role: String) throws(VerificationFailure) -> Int {
        guard let name else { throw fail(.malformed, tensors: [], "a copy without a source tier") }
        guard let i = tierIndex[name] else { throw fail(.malformed, tensors: [], "unknown \(role) tier '\(name)'") }
        return i
    }

    /// `t` when it is a tensor of the graph, or a malformed-plan failure.
    func tensor(_ t: Int) throws(VerificationFailure) -> Int {
        guard t >= 0, t < width else {
            throw fail(.malformed, tensors: [], "tensor index \(t) is out of range (the graph has \(width) tensors)")
        }
        return t
    }

    /// `[offset, offset + bytes)` of `t` in an addressed tier, for reports.
    func range(_ tier: Int, _ t: Int) -> [Int] {
        let offset = offsets[tier * width + t]
        return [offset, offset &+ bytes(t)]
    }
}
