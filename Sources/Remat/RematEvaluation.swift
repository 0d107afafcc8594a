/// A schedule (a sequence of operator executions, and with spills of
/// stores to and loads from host memory) under the memory model of
/// ``Remat``, with the earliest frees: each device copy of a tensor (made
/// by a computation or a load) is freed right after its last use (a read,
/// or a store) before the tensor's next computation or load, or right
/// after it is made when nothing uses it, except that the last copy of a
/// graph output stays to the end. Each host copy is freed right after its
/// last load (or its store, when nothing loads it) before the tensor is
/// computed or stored again.
///
/// O(events + reads of the runs) time and memory.
public struct RematEvaluation: Sendable {
    /// The operator executions, in order.
    public let schedule: [Int]
    /// Every event: the executions and, with spills, the copies.
    public let events: [RematEvent]
    /// Per execution: the activations allocated before the operator runs (its outputs).
    public let allocations: [[Int]]
    /// Per execution: the activations freed on the device after it runs
    /// and before the next event (the frees of copies that follow are in ``eventFrees``).
    public let frees: [[Int]]
    /// Per event: device frees right after it, and host frees right after it.
    public let eventFrees: [[Int]]
    public let hostFrees: [[Int]]
    /// The largest resident total on the device (while an operator runs
    /// or a value is copied).
    public let peak: Int
    /// The first event that reaches ``peak`` (nil for an empty schedule).
    public let peakEvent: Int?
    /// The execution at or before ``peakEvent`` (nil for an empty schedule).
    public let peakStep: Int?
    /// The most bytes held in host memory at once.
    public let hostPeak: Int
    /// The sum of the costs of the executions.
    public let computeCost: Double
    /// Stores and loads, priced by the problem's ``SpillCosts``.
    public let transferCost: Double
    /// ``computeCost`` + ``transferCost``: what the planners minimise.
    public let cost: Double
    /// Bytes stored to host and loaded back.
    public let storedBytes: Int
    public let loadedBytes: Int
    /// Executions beyond the first of each operator.
    public let recomputations: Int
    /// Why the schedule breaks the model (a read before any computation,
    /// an operator that never runs, a load without a store), nil when it does not.
    public let violation: String?

    public var isValid: Bool { violation == nil }
    public var hasCopies: Bool { events.count != schedule.count }

    init(problem: RematProblem?, outputs: [[Int]], reads: [[Int]], bytes: [Int], isGraphOutput: [Bool], costs: [Double],
         schedule: [Int]) {
        self.init(problem: problem, outputs: outputs, reads: reads, bytes: bytes, isGraphOutput: isGraphOutput, costs: costs,
                  events: schedule.map { .run($0) }, spill: nil)
    }

    init(problem: RematProblem?, outputs: [[Int]], reads: [[Int]], bytes: [Int], isGraphOutput: [Bool], costs: [Double],
         events: [RematEvent], spill: SpillCosts?) {
        self.events = events
        let n = outputs.count
        let count = events.count
        var eventFrees = [[Int]](repeating: [], count: count)
        var hostFrees = [[Int]](repeating: [], count: count)
        var eventAllocations = [[Int]](repeating: [], count: count)
        var hostAllocations = [Int](repeating: -1, count: count)
        var current = [Int](repeating: -1, count: bytes.count)
        var lastUse = [Int](repeating: -1, count: bytes.count)
        var hostValid = [Bool](repeating: false, count: bytes.count)
        var hostLastUse = [Int](repeating: -1, count: bytes.count)
        var ran = [Bool](repeating: false, count: n)
        var violation: String?
        var compute = 0.0, transfer = 0.0
        var stored = 0, loaded = 0
        var schedule: [Int] = []
        func name(_ o: Int) -> String { problem?.graph.operators[o].name ?? "#\(o)" }
        func tensorName(_ t: Int) -> String { problem?.graph.tensors[t].name ?? "#\(t)" }
        func note(_ text: String) { if violation == nil { violation = text } }
        func releaseHost(_ t: Int) {
            if hostValid[t] { hostFrees[hostLastUse[t]].append(t) }
            hostValid[t] = false
        }
        func materialise(_ t: Int, at e: Int) {
            if current[t] >= 0 { eventFrees[lastUse[t]].append(t) }
            current[t] = e
            lastUse[t] = e
            eventAllocations[e].append(t)
        }
        for (e, event) in events.enumerated() {
            switch event {
            case .run(let o):
                guard o >= 0, o < n else { note("event \(e) names operator #\(o), which does not exist"); continue }
                for t in reads[o] {
                    if current[t] < 0 { note("event \(e): '\(name(o))' reads '\(tensorName(t))' before any computation of it") } else { lastUse[t] = e }
                }
                for t in outputs[o] {
                    releaseHost(t)
                    materialise(t, at: e)
                }
                ran[o] = true
                compute += costs[o]
                schedule.append(o)
            case .store(let t):
                guard t >= 0, t < bytes.count else { note("event \(e) stores tensor #\(t), which does not exist"); continue }
                guard let spill else { note("event \(e) stores '\(tensorName(t))' but spills are not allowed"); continue }
                if current[t] < 0 { note("event \(e) stores '\(tensorName(t))', which is not on the device"); continue }
                if hostValid[t] { note("event \(e) stores '\(tensorName(t))' again while its host copy is valid"); continue }
                lastUse[t] = e
                hostValid[t] = true
                hostLastUse[t] = e
                hostAllocations[e] = t
                stored += bytes[t]
                transfer += spill.store(bytes[t])
            case .load(let t):
                guard t >= 0, t < bytes.count else { note("event \(e) loads tensor #\(t), which does not exist"); continue }
                guard let spill else { note("event \(e) loads '\(tensorName(t))' but spills are not allowed"); continue }
                if !hostValid[t] { note("event \(e) loads '\(tensorName(t))' without a valid copy stored on the host"); continue }
                hostLastUse[t] = e
                materialise(t, at: e)
                loaded += bytes[t]
                transfer += spill.load(bytes[t])
            }
        }
        for t in current.indices where current[t] >= 0 && !isGraphOutput[t] { eventFrees[lastUse[t]].append(t) }
        for t in hostValid.indices { releaseHost(t) }
        if violation == nil, let missing = ran.firstIndex(of: false) { note("operator '\(name(missing))' never runs") }

        var used = 0, peak = 0, hostUsed = 0, hostPeak = 0
        var peakEvent: Int?, peakStep: Int?
        var allocations: [[Int]] = [], frees: [[Int]] = []
        var run = -1
        for e in events.indices {
            for t in eventAllocations[e] { used += bytes[t] }
            if hostAllocations[e] >= 0 { hostUsed += bytes[hostAllocations[e]] }
            hostPeak = max(hostPeak, hostUsed)
            if case .run = events[e] {
                run += 1
                allocations.append(eventAllocations[e])
                frees.append(eventFrees[e])
            } else if run >= 0 {
                frees[run].append(contentsOf: eventFrees[e])
            }
            if peakEvent == nil || used > peak {
                peak = used
                peakEvent = e
                peakStep = run >= 0 ? run : nil
            }
            for t in eventFrees[e] { used -= bytes[t] }
            for t in hostFrees[e] { hostUsed -= bytes[t] }
        }
        self.schedule = schedule
        self.allocations = allocations
        self.frees = frees
        self.eventFrees = eventFrees
        self.hostFrees = hostFrees
        self.peak = peak
        self.peakEvent = peakEvent
        self.peakStep = schedule.isEmpty ? nil : peakStep
        self.hostPeak = hostPeak
        self.computeCost = compute
        self.transferCost = transfer
        self.cost = compute + transfer
        self.storedBytes = stored
        self.loadedBytes = loaded
        self.recomputations = schedule.count - ran.filter { $0 }.count
        self.violation = violation
    }

    /// Whether the schedule is valid and fits `budget`.
    public func fits(_ budget: Int) -> Bool { isValid && peak <= budget }
}

/// One event of a schedule with spills.
public enum RematEvent: Sendable, Hashable {
    /// The operator runs (its outputs are allocated before, its host copies become stale).
    case run(Int)
    /// The tensor's device copy is copied to host memory (which allocates it there).
    case store(Int)
    /// The tensor's host copy is copied back into freshly allocated device memory.
    case load(Int)
}

/// What copying to and from host memory costs, in the unit of operator
/// costs per byte: bytes / link bandwidth, converted to that unit. Copies
/// do not overlap compute: their cost adds to the schedule's (the simple,
/// pessimistic choice; a runtime that overlaps them does at least as well).
public struct SpillCosts: Sendable, Equatable {
    /// Device → host, per byte.
    public var storePerByte: Double
    /// Host → device, per byte.
    public var loadPerByte: Double

    public init(storePerByte: Double, loadPerByte: Double) {
        self.storePerByte = storePerByte
        self.loadPerByte = loadPerByte
    }

    public func store(_ bytes: Int) -> Double { Double(bytes) * storePerByte }
    public func load(_ bytes: Int) -> Double { Double(bytes) * loadPerByte }
}
