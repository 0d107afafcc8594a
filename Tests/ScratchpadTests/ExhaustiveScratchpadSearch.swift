import MemoryGraph
import Plan
@testable import Scratchpad

/// The exact optimum of the scratchpad problem on tiny graphs, by search,
/// independent of every planner and solver: the reference the ILPs are
/// checked against (issue 6, "equals an exhaustive search over schedules,
/// replacement decisions and addresses").
///
/// Semantics (shared/specs/scratchpad-ilp.md, the ``Plan`` doc): one
/// operator per step in a topological order; while it runs, everything it
/// reads or writes is resident in a scratchpad of `capacity` bytes; inputs
/// and weights start valid in host memory, an activation becomes valid
/// there only by a store while resident, and every graph output is stored
/// at some point. Between steps a resident tensor may be freed or stored,
/// and a host-valid one loaded. A tensor keeps its address while resident.
/// The result is the non-compulsory traffic: all loads and stores minus one
/// load of each input and weight read and one store of each graph output.
///
/// Two variants: bytes only (resident bytes ≤ capacity at every step) and
/// with addresses (resident tensors occupy disjoint ranges of
/// `[0, capacity)`, chosen when a tensor is allocated or loaded).
///
/// ## The search space, and why each reduction loses nothing
///
/// Every plan can be rewritten, without raising its traffic and without
/// breaking it, into one of the following normal form; so searching normal
/// plans only is exact. In each rewrite the set of times at which a tensor
/// is resident only shrinks and addresses never change, so capacity and
/// address disjointness survive in both variants.
///
/// 1. *Loads are lazy*: a tensor is loaded just before a step that reads
///    it. Moving a load later keeps the data valid (host copies never go
///    stale: tensors are written once) and shrinks residency; a load
///    followed by a free with no read between is deleted (saves its bytes).
/// 2. *Frees are eager*: a tensor is freed only right after a step that
///    uses it. A free inside a gap between uses moves to the start of that
///    gap (residency shrinks; the next load is unchanged). After its last
///    use a tensor is always freed (keeping it only occupies space; a graph
///    output has been stored, see 3).
/// 3. *Stores are at the first free*: an activation that is not a graph
///    output is stored exactly when it is first freed while still needed
///    (it is resident from its production until then, so the store is
///    legal; no load of it can happen before, since it is resident), and
///    never otherwise (a store not followed by such a free is useless); a
///    second store never helps (the host copy stays valid). A graph output
///    is stored once right after it is produced (same bytes, host-valid
///    earlier). So "stored" is not a decision of its own: it is "freed
///    while needed", and the state only records which activations are
///    host-valid.
///
/// Rule 2 keeps one move the compact ILP (``CompactReplacementILP``) leaves
/// out: freeing a tensor after a use and loading it again before the very
/// next step, at another address (a relocation; useless in bytes, possibly
/// useful against fragmentation). Measured with the placement brute force
/// of ExhaustiveSearchTests, with and without such moves: it changed no
/// optimum at the file order (80 random graphs, 41 fragmenting chains).
///
/// Hence a normal plan is: an order, and after each step, for each tensor
/// the step used that is needed later, keep it or free it (storing it first
/// when it is an activation without a host copy); plus, with addresses, an
/// offset for each tensor allocated or loaded before a step. Traffic is
/// the sum of those loads and stores.
///
/// ## Algorithm
///
/// - Bytes only: cost-to-go by memoised recursion over states
///   (operators done, resident set, host-valid activations); transitions
///   are the normal-form steps above. The state graph is acyclic (one more
///   operator per step), so the recursion is exact. States ≤ 2^n · 2^(2T)
///   in theory, a few thousand in practice for n ≤ 6.
/// - Addresses: iterative deepening on the traffic budget from the
///   bytes-only optimum (a lower bound: every addressed plan is a bytes-only
///   plan) up to the "free everything after every step" plan (always placeable
///   when each step's footprint fits, so the search terminates). Depth-first
///   search over addressed states, pruned by the exact bytes-only cost-to-go
///   of the state's projection (an admissible heuristic), and by a table of
///   states proven to have no completion within a budget (reused across
///   budgets: failing at budget b implies failing at every b' ≤ b). Two more
///   lossless cuts: mirror symmetry (offset x ↦ capacity − size − x maps
///   every completion of a state to a completion of the mirrored state at the
///   same cost, so both share one table entry), and, when nothing is
///   resident, the first tensor placed takes an offset in the lower half
///   only (the mirrored rest of the plan covers the upper half).
///
/// Limits (checked): at most 12 operators, 24 tensors, capacity 30.
final class ExhaustiveScratchpadSearch {
    struct Outcome {
        /// Non-compulsory bytes of an optimal plan.
        var traffic: Int
        /// The operator order of that plan.
        var order: [Int]
        /// With addresses: the optimal plan itself, checkable by the verifier.
        var plan: Plan?
    }

    /// The optimum for `graph` at `capacity`, over all topological orders or
    /// only `order`; `nil` when no plan exists (some operator's footprint
    /// exceeds the capacity).
    static func optimum(graph: Graph, capacity: Int, order: [Int]? = nil, addresses: Bool) -> (traffic: Int, order: [Int])? {
        solve(graph: graph, capacity: capacity, order: order, addresses: addresses).map { ($0.traffic, $0.order) }
    }

    static func solve(graph: Graph, capacity: Int, order: [Int]? = nil, addresses: Bool) -> Outcome? {
        let search = ExhaustiveScratchpadSearch(graph: graph, capacity: capacity, order: order)
        return addresses ? search.solveWithAddresses() : search.solveBytesOnly()
    }

    // MARK: - Problem tables (bit masks over tensors and operators)

    let graph: Graph
    let capacity: Int
    let fixedOrder: [Int]?
    let operatorCount: Int
    let tensorCount: Int
    let size: [Int]
    /// Per operator: what it reads, writes, and both.
    let reads: [UInt64]
    let writes: [UInt64]
    let needs: [UInt64]
    /// Per operator: the operators producing what it reads.
    let predecessors: [UInt32]
    /// Per tensor: the operators reading it.
    let consumers: [UInt32]
    let startsInHost: UInt64
    let graphOutputs: UInt64
    let allDone: UInt32
    let compulsory: Int

    static let infinity = Int.max / 4

    init(graph: Graph, capacity: Int, order: [Int]?) {
        precondition(graph.operators.count <= 12 && graph.tensors.count <= 24 && capacity <= 30,
                     "exhaustive search is for tiny graphs")
        if let order { precondition((try? Schedule(order, for: graph)) != nil, "not a topological order: \(order)") }
        self.graph = graph
        self.capacity = capacity
        self.fixedOrder = order
        operatorCount = graph.operators.count
        tensorCount = graph.tensors.count
        size = graph.tensors.map { $0.bytes ?? 0 }
        var reads: [UInt64] = [], writes: [UInt64] = [], predecessors: [UInt32] = []
        var consumers = [UInt32](repeating: 0, count: graph.tensors.count)
        for (o, op) in graph.operators.enumerated() {
            var r: UInt64 = 0, w: UInt64 = 0, p: UInt32 = 0
            for t in op.reads {
                r |= 1 << t
                consumers[t] |= 1 << o
                if let producer = graph.producers[t] { p |= 1 << producer }
            }
            for t in op.outputs { w |= 1 << t }
            reads.append(r)
            writes.append(w)
            predecessors.append(p)
        }
        self.reads = reads
        self.writes = writes
        self.needs = zip(reads, writes).map { $0 | $1 }
        self.predecessors = predecessors
        self.consumers = consumers
        var host: UInt64 = 0, outputs: UInt64 = 0
        for (t, tensor) in graph.tensors.enumerated() where tensor.kind != .activation { host |= 1 << t }
        for t in graph.outputs where graph.tensors[t].kind == .activation { outputs |= 1 << t }
        startsInHost = host
        graphOutputs = outputs
        allDone = UInt32((1 << graph.operators.count) - 1)
        // One load of each input or weight read, one store of each output produced.
        var used: UInt64 = 0
        for o in graph.operators.indices { used |= reads[o] | writes[o] }
        var compulsory = 0
        for t in 0 ..< graph.tensors.count where used & (1 << t) != 0 {
            if host & (1 << t) != 0 || outputs & (1 << t) != 0 { compulsory += size[t] }
        }
        self.compulsory = compulsory
    }

    func bytes(_ mask: UInt64) -> Int {
        var total = 0, rest = mask
        while rest != 0 {
            total += size[rest.trailingZeroBitCount]
            rest &= rest - 1
        }
        return total
    }

    /// Operators that may run next after `done`.
    func candidates(_ done: UInt32) -> [Int] {
        if let fixedOrder { return [fixedOrder[done.nonzeroBitCount]] }
        return (0 ..< operatorCount).filter { done & (1 << $0) == 0 && predecessors[$0] & ~done == 0 }
    }

    /// Tensors some operator not in `done` still reads.
    func needed(after done: UInt32) -> UInt64 {
        var mask: UInt64 = 0
        for t in 0 ..< tensorCount where consumers[t] & ~done != 0 { mask |= 1 << t }
        return mask
    }

    /// One normal-form step: what running `op` from a state costs and leaves.
    struct Transition {
        var op: Int
        /// Tensors loaded (lazy loads) and tensors allocated for outputs.
        var loaded: UInt64
        var created: UInt64
        /// Tensors freed after the step while still needed (stored first when
        /// `spilled` has them) and tensors freed after their last use.
        var dropped: UInt64
        var spilled: UInt64
        var finished: UInt64
        var cost: Int
        var done: UInt32
        var resident: UInt64
        var hostValid: UInt64
    }

    /// Every normal-form step from (done, resident, hostValid), ignoring
    /// addresses but checking capacity in bytes. `hostValid` holds only
    /// activations (inputs and weights are always host-valid).
    func transitions(done: UInt32, resident: UInt64, hostValid: UInt64) -> [Transition] {
        var result: [Transition] = []
        for o in candidates(done) {
            let loaded = reads[o] & ~resident
            // Normal plans never free an activation without a host copy while it is needed.
            guard loaded & ~(startsInHost | hostValid) == 0 else { continue }
            let running = resident | needs[o]
            guard bytes(running) <= capacity else { continue }
            let nextDone = done | (1 << o)
            let stillNeeded = needed(after: nextDone)
            let finished = needs[o] & ~stillNeeded
            let optional = needs[o] & stillNeeded
            let outputsStored = writes[o] & graphOutputs
            let valid = hostValid | outputsStored
            let base = bytes(loaded) + bytes(outputsStored)
            // Every subset of the optional frees.
            var subset: UInt64 = 0
            while true {
                let spilled = subset & ~(startsInHost | valid)
                result.append(Transition(
                    op: o, loaded: loaded, created: writes[o], dropped: subset, spilled: spilled, finished: finished,
                    cost: base + bytes(spilled), done: nextDone, resident: running & ~finished & ~subset,
                    hostValid: (valid | spilled) & stillNeeded
                ))
                if subset == optional { break }
                subset = (subset &- optional) & optional
            }
        }
        return result
    }

    // MARK: - Bytes only

    struct BytesState: Hashable {
        var done: UInt32
        var resident: UInt64
        var hostValid: UInt64
    }

    var costToGo: [BytesState: Int] = [:]

    /// Minimal traffic (all loads and stores) from a state to the end, or
    /// `infinity`. Memoised; O(states × transitions).
    func remaining(_ state: BytesState) -> Int {
        if state.done == allDone { return 0 }
        if let known = costToGo[state] { return known }
        var best = Self.infinity
        for step in transitions(done: state.done, resident: state.resident, hostValid: state.hostValid) {
            let rest = remaining(BytesState(done: step.done, resident: step.resident, hostValid: step.hostValid))
            best = min(best, step.cost + rest)
        }
        costToGo[state] = best
        return best
    }

    func solveBytesOnly() -> Outcome? {
        var state = BytesState(done: 0, resident: 0, hostValid: 0)
        let total = remaining(state)
        guard total < Self.infinity else { return nil }
        var order: [Int] = []
        while state.done != allDone {
            let target = remaining(state)
            let step = transitions(done: state.done, resident: state.resident, hostValid: state.hostValid).first {
                $0.cost + remaining(BytesState(done: $0.done, resident: $0.resident, hostValid: $0.hostValid)) == target
            }!
            order.append(step.op)
            state = BytesState(done: step.done, resident: step.resident, hostValid: step.hostValid)
        }
        return Outcome(traffic: total - compulsory, order: order, plan: nil)
    }

    // MARK: - Addresses

    /// Offsets of resident tensors, 5 bits each (offset + 1; 0 = not
    /// resident), tensors 0–11 in `low`, 12–23 in `high`.
    struct Offsets: Hashable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        func offset(of t: Int) -> Int? {
            let field = t < 12 ? (low >> (5 * UInt64(t))) & 31 : (high >> (5 * UInt64(t - 12))) & 31
            return field == 0 ? nil : Int(field) - 1
        }

        mutating func set(_ t: Int, _ offset: Int?) {
            let value = UInt64(offset.map { $0 + 1 } ?? 0)
            if t < 12 {
                let shift = 5 * UInt64(t)
                low = (low & ~(31 << shift)) | (value << shift)
            } else {
                let shift = 5 * UInt64(t - 12)
                high = (high & ~(31 << shift)) | (value << shift)
            }
        }
    }

    struct AddressedState: Hashable {
        var done: UInt32
        var hostValid: UInt64
        var offsets: Offsets
    }

    /// Per addressed state (up to mirroring), the largest budget proven
    /// insufficient.
    var failed: [AddressedState: Int] = [:]
    /// The plan found, last step first, while the search unwinds.
    var witness: [(Transition, Offsets)] = []

    func residentMask(_ offsets: Offsets) -> UInt64 {
        var mask: UInt64 = 0
        for t in 0 ..< tensorCount where offsets.offset(of: t) != nil { mask |= 1 << t }
        return mask
    }

    func occupancy(_ offsets: Offsets, _ resident: UInt64) -> UInt32 {
        var occupied: UInt32 = 0, rest = resident
        while rest != 0 {
            let t = rest.trailingZeroBitCount
            occupied |= ((1 << UInt32(size[t])) - 1) << UInt32(offsets.offset(of: t)!)
            rest &= rest - 1
        }
        return occupied
    }

    /// The state and its mirror image share a table entry: the smaller key.
    func canonical(_ state: AddressedState, _ resident: UInt64) -> AddressedState {
        var mirrored = state
        var rest = resident
        while rest != 0 {
            let t = rest.trailingZeroBitCount
            mirrored.offsets.set(t, capacity - size[t] - state.offsets.offset(of: t)!)
            rest &= rest - 1
        }
        let a = state.offsets, b = mirrored.offsets
        return (b.high, b.low) < (a.high, a.low) ? mirrored : state
    }

    /// Every way to give the tensors of `new` disjoint offsets clear of
    /// `occupied`. When nothing is resident, the first tensor takes the lower
    /// half only (mirror symmetry).
    func placements(of new: UInt64, occupied: UInt32, into offsets: Offsets, symmetric: Bool) -> [Offsets] {
        var tensors: [Int] = []
        var rest = new
        while rest != 0 {
            tensors.append(rest.trailingZeroBitCount)
            rest &= rest - 1
        }
        var result: [Offsets] = []
        func place(_ i: Int, _ occupied: UInt32, _ offsets: Offsets) {
            if i == tensors.count { result.append(offsets); return }
            let t = tensors[i], s = size[t]
            let span: UInt32 = (1 << UInt32(s)) - 1
            let last = symmetric && i == 0 ? (capacity - s) / 2 : capacity - s
            guard last >= 0 else { return }
            for x in 0 ... last where occupied & (span << UInt32(x)) == 0 {
                var next = offsets
                next.set(t, x)
                place(i + 1, occupied | (span << UInt32(x)), next)
            }
        }
        place(0, occupied, offsets)
        return result
    }

    /// Transitions of a projection, computed once: many addressed states
    /// share one projection.
    var transitionsOf: [BytesState: [Transition]] = [:]

    func cachedTransitions(_ state: BytesState) -> [Transition] {
        if let known = transitionsOf[state] { return known }
        let computed = transitions(done: state.done, resident: state.resident, hostValid: state.hostValid)
        transitionsOf[state] = computed
        return computed
    }

    /// Whether a plan of traffic ≤ `budget` completes `state`; on success
    /// `witness` holds its steps (last first).
    func completes(_ state: AddressedState, budget: Int) -> Bool {
        if state.done == allDone { return true }
        let resident = residentMask(state.offsets)
        let bound = remaining(BytesState(done: state.done, resident: resident, hostValid: state.hostValid))
        guard bound <= budget else { return false }
        let key = canonical(state, resident)
        if let known = failed[key], known >= budget { return false }
        let occupied = occupancy(state.offsets, resident)
        // Transitions come grouped by operator and all of one operator bring
        // in the same tensors: placements are enumerated once per operator.
        var placedFor = -1
        var choices: [Offsets] = []
        for step in cachedTransitions(BytesState(done: state.done, resident: resident, hostValid: state.hostValid))
        where step.cost <= budget {
            if step.op != placedFor {
                placedFor = step.op
                choices = placements(of: step.loaded | step.created, occupied: occupied, into: state.offsets,
                                     symmetric: resident == 0)
            }
            for placed in choices {
                var after = placed
                var gone = step.dropped | step.finished
                while gone != 0 {
                    after.set(gone.trailingZeroBitCount, nil)
                    gone &= gone - 1
                }
                let next = AddressedState(done: step.done, hostValid: step.hostValid, offsets: after)
                if completes(next, budget: budget - step.cost) {
                    witness.append((step, placed))
                    return true
                }
            }
        }
        failed[key] = max(failed[key] ?? -1, budget)
        return false
    }

    /// Freeing everything after every step: the most traffic a normal plan
    /// needs, placeable whenever each step fits alone.
    var spillEverythingTraffic: Int {
        var total = 0
        for o in 0 ..< operatorCount { total += bytes(reads[o]) + bytes(writes[o]) }
        return total
    }

    func solveWithAddresses() -> Outcome? {
        let start = AddressedState(done: 0, hostValid: 0, offsets: Offsets())
        let lower = remaining(BytesState(done: 0, resident: 0, hostValid: 0))
        guard lower < Self.infinity else { return nil }
        for budget in lower ... max(lower, spillEverythingTraffic) {
            witness = []
            guard completes(start, budget: budget) else { continue }
            let steps = witness.reversed()
            return Outcome(traffic: budget - compulsory, order: steps.map(\.0.op), plan: plan(Array(steps)))
        }
        preconditionFailure("the spill-everything plan fits whenever every step does")
    }

    /// The witness as a ``Plan``: before a step, allocate what it brings in
    /// and load what it reads; after it, store its graph outputs, store and
    /// free what it spills, free what it drops or has finished with.
    func plan(_ steps: [(Transition, Offsets)]) -> Plan {
        let scratchpad = "scratchpad", host = "host"
        var planSteps: [PlanStep] = []
        var loadedBytes = 0, storedBytes = 0, peak = 0, height = 0
        var resident: UInt64 = 0
        func list(_ mask: UInt64) -> [Int] {
            (0 ..< tensorCount).filter { mask & (1 << $0) != 0 }
        }
        for (step, offsets) in steps {
            var before: [PlanAction] = [], after: [PlanAction] = []
            for t in list(step.loaded | step.created) {
                let offset = offsets.offset(of: t)!
                before.append(.allocate(t, in: scratchpad, at: offset))
                height = max(height, offset + size[t])
                if step.loaded & (1 << t) != 0 {
                    before.append(.copy(t, from: host, to: scratchpad))
                    loadedBytes += size[t]
                }
            }
            resident |= step.loaded | step.created
            peak = max(peak, bytes(resident))
            for t in list((step.created & graphOutputs) | step.spilled) {
                after.append(.copy(t, from: scratchpad, to: host))
                storedBytes += size[t]
            }
            for t in list(step.dropped | step.finished) { after.append(.free(t, in: scratchpad)) }
            resident &= ~(step.dropped | step.finished)
            planSteps.append(PlanStep(op: step.op, before: before, after: after))
        }
        let metrics = PlanMetrics(
            peakBytes: [scratchpad: peak, host: 0], heights: [scratchpad: height],
            bytesMoved: [PlanMetrics.link(from: host, to: scratchpad): loadedBytes,
                         PlanMetrics.link(from: scratchpad, to: host): storedBytes],
            compulsoryBytes: compulsory, nonCompulsoryBytes: loadedBytes + storedBytes - compulsory
        )
        return Plan(method: "exhaustive", graph: GraphIdentity(graph), tensors: PlanTensor.table(for: graph),
                    tiers: [.scratchpad(capacity: capacity), .host], homeTier: host, computeTier: scratchpad,
                    steps: planSteps, metrics: metrics)
    }
}
