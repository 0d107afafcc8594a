import MILP
import MemoryGraph
import Plan
import Testing
@testable import Scratchpad
import Verifier

/// The exhaustive reference (``ExhaustiveScratchpadSearch``) against the
/// gap brute force, the fixed-order ILP planner, the verifier, and itself.
@Suite struct ExhaustiveSearchTests {
    static let seeds = UInt64(1) ... 120

    /// From the smallest capacity at which every operator fits (the same for
    /// every order) up to two bytes more, stopping at the file order's
    /// no-spill peak: the range where replacement and addresses matter.
    static func capacities(_ graph: Graph) -> [Int] {
        let problem = ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 0)
        let budgets = ScratchpadBudgets(problem)
        return Array(budgets.minimum ... max(budgets.minimum, min(budgets.minimum + 2, budgets.noSpill)))
    }

    static func problem(_ graph: Graph, _ capacity: Int) -> ScratchpadProblem {
        ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: capacity)
    }

    @Test func theGeneratorIsDeterministicAndTiny() {
        for seed in Self.seeds {
            let a = TinyGraphs.graph(seed: seed), b = TinyGraphs.graph(seed: seed)
            #expect(a.tensors == b.tensors && a.operators == b.operators && a.outputs == b.outputs)
            #expect((4 ... 6).contains(a.operators.count))
            #expect(a.tensors.allSatisfy { (1 ... 3).contains($0.bytes ?? 0) })
            #expect(!a.outputs.isEmpty)
        }
        // Not all the same graph.
        #expect(Set(Self.seeds.map { TinyGraphs.graph(seed: $0).tensors.count }).count > 1)
    }

    /// Bytes only, file order: the normal-form search and the brute force
    /// over evicted gaps (ILPPlannerTests) explore different spaces that
    /// must have the same optimum.
    @Test func bytesOnlyAtFileOrderEqualsTheGapBruteForce() throws {
        var checked = 0
        for seed in Self.seeds {
            let graph = TinyGraphs.graph(seed: seed)
            for capacity in Self.capacities(graph) {
                let problem = Self.problem(graph, capacity)
                guard let expected = ILPPlannerTests.bruteForce(problem) else { continue }
                let found = ExhaustiveScratchpadSearch.optimum(
                    graph: graph, capacity: capacity, order: problem.schedule.order, addresses: false)
                #expect(found?.traffic == expected, "seed \(seed) capacity \(capacity)")
                #expect(found?.order == problem.schedule.order)
                checked += 1
            }
        }
        #expect(checked >= 80)
    }

    /// A second, independent reference for addresses at a fixed order:
    /// every choice of gaps between consecutive uses to evict (each tensor
    /// reloaded at its next use, an activation stored once if evicted at
    /// all), cheapest first, until the resulting stretches fit in bytes and
    /// then get disjoint offsets by backtracking. With `relocations`, gaps
    /// between uses at consecutive steps count too (evicting one moves the
    /// tensor to a new address); without, they never help in bytes and the
    /// space is the compact ILP's. Returns nil beyond 14 gaps.
    /// O(2^gaps · (steps + tensors)) plus the placement checks.
    static func gapPlacementBruteForce(_ problem: ScratchpadProblem, relocations: Bool = true) -> Int? {
        var gaps: [(tensor: Int, use: Int)] = []  // evict after uses[tensor][use]
        for (t, uses) in problem.uses.enumerated() where uses.count >= 2 {
            for i in 0 ..< uses.count - 1 where relocations || uses[i + 1] - uses[i] >= 2 { gaps.append((t, i)) }
        }
        guard gaps.count <= 14 else { return nil }
        var candidates: [(cost: Int, mask: Int)] = []
        for mask in 0 ..< (1 << gaps.count) {
            var cost = 0, spilled = Set<Int>()
            var kept = [Int](repeating: 0, count: problem.need.count)
            for (g, gap) in gaps.enumerated() {
                let uses = problem.uses[gap.tensor], bytes = problem.bytes(gap.tensor)
                if mask & (1 << g) != 0 {
                    cost += bytes
                    if !problem.startsInHost(gap.tensor), !problem.isGraphOutput[gap.tensor] { spilled.insert(gap.tensor) }
                } else {
                    for s in uses[gap.use] + 1 ..< uses[gap.use + 1] { kept[s] += bytes }
                }
            }
            cost += spilled.reduce(0) { $0 + problem.bytes($1) }
            if problem.need.indices.allSatisfy({ problem.footprint(atStep: $0) + kept[$0] <= problem.capacity }) {
                candidates.append((cost, mask))
            }
        }
        for (cost, mask) in candidates.sorted(by: { $0.cost < $1.cost }) {
            var stretches: [(first: Int, last: Int, size: Int)] = []
            for (t, uses) in problem.uses.enumerated() where !uses.isEmpty {
                var first = uses[0]
                for i in 0 ..< uses.count - 1 {
                    if let g = gaps.firstIndex(where: { $0.tensor == t && $0.use == i }), mask & (1 << g) != 0 {
                        stretches.append((first, uses[i], problem.bytes(t)))
                        first = uses[i + 1]
                    }
                }
                stretches.append((first, uses[uses.count - 1], problem.bytes(t)))
            }
            stretches.sort { $0.first < $1.first }
            var offsets = [Int](repeating: 0, count: stretches.count)
            func place(_ i: Int) -> Bool {
                if i == stretches.count { return true }
                let a = stretches[i]
                guard a.size <= problem.capacity else { return false }
                for x in 0 ... problem.capacity - a.size {
                    let clear = (0 ..< i).allSatisfy { j in
                        let b = stretches[j]
                        return b.last < a.first || a.last < b.first || offsets[j] + b.size <= x || x + a.size <= offsets[j]
                    }
                    if clear {
                        offsets[i] = x
                        if place(i + 1) { return true }
                    }
                }
                return false
            }
            if place(0) { return cost }
        }
        return nil
    }

    /// Addresses, file order: the search equals the placement brute force
    /// on the random graphs and the fragmenting chains.
    @Test func addressedAtFileOrderEqualsThePlacementBruteForce() throws {
        var checked = 0
        for (name, graph) in Self.graphs {
            for capacity in Self.capacities(graph) {
                let problem = Self.problem(graph, capacity)
                guard let expected = Self.gapPlacementBruteForce(problem) else { continue }
                let found = ExhaustiveScratchpadSearch.optimum(
                    graph: graph, capacity: capacity, order: problem.schedule.order, addresses: true)
                #expect(found?.traffic == expected, "\(name) capacity \(capacity)")
                checked += 1
            }
        }
        #expect(checked >= 100)
    }

    /// Free order: the search equals the best over every topological order
    /// of the two brute forces (bytes only and with addresses), on the
    /// graphs with at most 12 orders (the brute forces are slow beyond).
    @Test func freeOrderEqualsTheBestFixedOrder() throws {
        var checked = 0
        for (name, graph) in Self.graphs {
            let orders = Self.topologicalOrders(graph)
            guard orders.count <= 12 else { continue }
            for capacity in Self.capacities(graph) {
                var bytes: Int?, addressed: Int?
                for order in orders {
                    let problem = ScratchpadProblem(graph: graph, schedule: try Schedule(order, for: graph), capacity: capacity)
                    if let b = ILPPlannerTests.bruteForce(problem) { bytes = min(bytes ?? b, b) }
                    if let a = Self.gapPlacementBruteForce(problem) { addressed = min(addressed ?? a, a) }
                }
                let label = "\(name) capacity \(capacity)"
                #expect(ExhaustiveScratchpadSearch.optimum(graph: graph, capacity: capacity, addresses: false)?.traffic == bytes, "\(label)")
                #expect(ExhaustiveScratchpadSearch.optimum(graph: graph, capacity: capacity, addresses: true)?.traffic == addressed, "\(label)")
                checked += 1
            }
        }
        #expect(checked >= 40)
    }

    /// Addresses, file order: the two-phase planner can only be worse than
    /// the true optimum, and equal to it whenever it proves its plan optimal.
    @Test func ilpPlannerAtFileOrderIsNeverBelowTheAddressedOptimum() throws {
        var provedOptimal = 0
        for seed in Self.seeds {
            let graph = TinyGraphs.graph(seed: seed)
            for capacity in Self.capacities(graph) {
                let problem = Self.problem(graph, capacity)
                let order = problem.schedule.order
                let exact = try #require(ExhaustiveScratchpadSearch.optimum(
                    graph: graph, capacity: capacity, order: order, addresses: true))
                let outcome = try ILPPlanner(solver: CBCSolver()).plan(problem)
                let report = Verifier.verify(outcome.plan, against: graph, mode: .realMemory())
                #expect(report.passed, "seed \(seed) capacity \(capacity): \(report.failure?.description ?? "")")
                let traffic = outcome.plan.metrics.nonCompulsoryBytes
                #expect(traffic >= exact.traffic, "seed \(seed) capacity \(capacity)")
                if Int(outcome.bound.rounded()) == traffic {
                    #expect(traffic == exact.traffic, "seed \(seed) capacity \(capacity): a proved plan above the optimum")
                    provedOptimal += 1
                }
            }
        }
        #expect(provedOptimal > 0)
    }

    /// Every topological order of a tiny graph, by depth-first search.
    static func topologicalOrders(_ graph: Graph) -> [[Int]] {
        var orders: [[Int]] = []
        var order: [Int] = []
        var done = Set<Int>()
        func extend() {
            if order.count == graph.operators.count { orders.append(order); return }
            for o in graph.operators.indices where !done.contains(o) {
                let ready = graph.operators[o].reads.allSatisfy { graph.producers[$0].map(done.contains) ?? true }
                guard ready else { continue }
                order.append(o); done.insert(o)
                extend()
                order.removeLast(); done.remove(o)
            }
        }
        extend()
        return orders
    }

    /// The random family plus the fragmenting chain and its perturbations.
    static var graphs: [(label: String, graph: Graph)] {
        seeds.map { ("seed \($0)", TinyGraphs.graph(seed: $0)) }
            + (UInt64(0) ... 40).map { ("fragmenting \($0)", TinyGraphs.fragmentingChain(seed: $0)) }
    }

    /// The optimal plans found with addresses replay in real memory with the
    /// traffic claimed; the variants are ordered as they must be (addresses
    /// only constrain, a free order only relaxes); zero traffic in bytes is
    /// reached exactly when some order keeps every tensor from first to last
    /// use within the capacity; and the graphs are meaningful: in some cases
    /// the order matters, in some addresses do.
    @Test func witnessesVerifyAndTheVariantsAreConsistent() throws {
        var orderMatters = 0, addressesMatter = 0
        for (name, graph) in Self.graphs {
            let orders = Self.topologicalOrders(graph)
            for capacity in Self.capacities(graph) {
                let order = Schedule.default(for: graph).order
                let bytesFixed = try #require(ExhaustiveScratchpadSearch.solve(graph: graph, capacity: capacity, order: order, addresses: false))
                let bytesFree = try #require(ExhaustiveScratchpadSearch.solve(graph: graph, capacity: capacity, addresses: false))
                let addressedFixed = try #require(ExhaustiveScratchpadSearch.solve(graph: graph, capacity: capacity, order: order, addresses: true))
                let addressedFree = try #require(ExhaustiveScratchpadSearch.solve(graph: graph, capacity: capacity, addresses: true))
                let label = "\(name) capacity \(capacity)"
                for found in [addressedFixed, addressedFree] {
                    let plan = try #require(found.plan)
                    let report = Verifier.verify(plan, against: graph, mode: .realMemory())
                    #expect(report.passed, "\(label): \(report.failure?.description ?? "")")
                    #expect(plan.metrics.nonCompulsoryBytes == found.traffic, "\(label)")
                    #expect(plan.steps.map(\.op) == found.order, "\(label)")
                }
                #expect(addressedFixed.order == order)
                #expect(orders.contains(bytesFree.order) && orders.contains(addressedFree.order), "\(label)")
                // The bytes-only optimum of the order found is the free optimum.
                #expect(ExhaustiveScratchpadSearch.optimum(graph: graph, capacity: capacity, order: bytesFree.order, addresses: false)?.traffic == bytesFree.traffic, "\(label)")
                let fits = orders.map { ScratchpadBudgets(ScratchpadProblem(graph: graph, schedule: try! Schedule($0, for: graph), capacity: 0)).noSpill <= capacity }
                #expect((bytesFree.traffic == 0) == fits.contains(true), "\(label)")
                #expect((bytesFixed.traffic == 0) == fits[orders.firstIndex(of: order)!], "\(label)")
                #expect(bytesFree.traffic <= bytesFixed.traffic, "\(label)")
                #expect(addressedFree.traffic <= addressedFixed.traffic, "\(label)")
                #expect(bytesFixed.traffic <= addressedFixed.traffic, "\(label)")
                #expect(bytesFree.traffic <= addressedFree.traffic, "\(label)")
                if addressedFree.traffic < addressedFixed.traffic { orderMatters += 1 }
                if bytesFixed.traffic < addressedFixed.traffic || bytesFree.traffic < addressedFree.traffic { addressesMatter += 1 }
            }
            // Below the largest operator footprint nothing runs.
            let tooSmall = Self.capacities(graph)[0] - 1
            #expect(ExhaustiveScratchpadSearch.optimum(graph: graph, capacity: tooSmall, addresses: false) == nil)
            #expect(ExhaustiveScratchpadSearch.optimum(graph: graph, capacity: tooSmall, addresses: true) == nil)
        }
        #expect(orderMatters > 0)
        #expect(addressesMatter > 0)
    }

    /// The chain of ``TinyGraphs/fragmentingChain(seed:)`` at 4 bytes: no
    /// spill in bytes, but addresses force one. Its only order is the file
    /// order; the cheapest fix spills one 1-byte activation (store and
    /// load: 2 bytes; the only input is 2 bytes, and every spill costs at
    /// least 2), and spilling D works (see the doc of the graph).
    @Test func fragmentationCostsTwoBytesOnTheChain() throws {
        let graph = TinyGraphs.fragmentingChain()
        #expect(Self.topologicalOrders(graph).count == 1)
        #expect(ExhaustiveScratchpadSearch.optimum(graph: graph, capacity: 4, addresses: false)?.traffic == 0)
        let found = try #require(ExhaustiveScratchpadSearch.solve(graph: graph, capacity: 4, addresses: true))
        #expect(found.traffic == 2)
        let report = Verifier.verify(try #require(found.plan), against: graph, mode: .realMemory())
        #expect(report.passed, "\(report.failure?.description ?? "")")
        #expect(ExhaustiveScratchpadSearch.optimum(graph: graph, capacity: 5, addresses: true)?.traffic == 0)
        // The fixed-order planner cannot do better, and does not claim to be optimal when it is not.
        let problem = Self.problem(graph, 4)
        let outcome = try ILPPlanner(solver: CBCSolver()).plan(problem)
        #expect(Verifier.verify(outcome.plan, against: graph, mode: .realMemory()).passed)
        #expect(outcome.plan.metrics.nonCompulsoryBytes >= 2)
    }
}
