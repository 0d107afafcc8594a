import MILP

/// Solves the compact replacement ILP of a fixed order component by
/// component (``CompactReplacementILP/components(capacity:)``), small
/// components batched into one model, with the time where the gaps are.
///
/// Each batch's bound is rounded up to the next achievable traffic
/// (``AchievableTraffic``), and the solver is told to stop as soon as its
/// bound passes the achievable value just below the incumbent (a relative
/// gap equal to that step): then the rounded bound meets the incumbent and
/// the batch is proven optimal. A first pass gives every batch a share of
/// the time by size; later passes split what is left among the batches
/// still open, in proportion to their gaps, largest first, warm-started
/// from their best solution.
///
/// Memory: the ILP's (O(gaps + Σ gap lengths + steps)) plus one batch's
/// model at a time; time: the solver's, within `deadline`.
struct ReplacementSearch {
    let ilp: CompactReplacementILP
    let solver: any Solver
    var options: SolveOptions
    /// A batch holds at most this many variables unless one component is larger.
    var batchVariables = 400
    var report: (@Sendable (String) -> Void)?

    struct Batch: Sendable {
        var steps: ClosedRange<Int>
        var traffic: Int
        var bound: Int
        var variables: Int
    }

    struct Result: Sendable {
        /// Per gap of the ILP, whether it is evicted.
        var evicted: [Bool]
        var traffic: Int
        /// Sum of the batches' rounded bounds: a lower bound for this order,
        /// addresses ignored.
        var bound: Int
        var batches: [Batch]
        var solves: Int
        var largestBatch: (variables: Int, rows: Int)
        var isOptimal: Bool { bound >= traffic }
    }

    enum Failure: Error {
        /// Some capacity row cannot be met even with every gap evicted.
        case infeasible
        /// The time ran out before a batch without a start had a solution.
        case noSolution
    }

    /// `start`: per-gap evictions that respect `capacity` (Belady's), the
    /// incumbent every batch begins from; without one, a batch needs a
    /// solution from the solver.
    func solve(capacity: Int, start: [Bool]?, deadline: Deadline) throws(Failure) -> Result {
        try solve(capacities: [Int](repeating: capacity, count: ilp.problem.need.count), start: start, deadline: deadline)
    }

    /// The same with a byte budget per step.
    func solve(capacities: [Int], start: [Bool]?, deadline: Deadline) throws(Failure) -> Result {
        let components = ilp.components(capacities: capacities)
        var evicted = start ?? [Bool](repeating: false, count: ilp.gaps.count)
        // Batches of consecutive components.
        var groups: [[CompactReplacementILP.Component]] = []
        var size = 0
        for component in components {
            let variables = component.gaps.count + component.tensors.count
            if groups.isEmpty || size + variables > batchVariables {
                groups.append([])
                size = 0
            }
            groups[groups.count - 1].append(component)
            size += variables
        }
        struct Open {
            var component: CompactReplacementILP.Component
            var built: CompactReplacementILP.Built
            var lattice: AchievableTraffic
            var traffic: Int?
            var bound: Int
        }
        var open: [Open] = []
        var largest = (variables: 0, rows: 0)
        for group in groups {
            let component = ilp.merged(group)
            let built = ilp.build(component: component)
            if built.model.variableCount > largest.variables { largest = (built.model.variableCount, built.model.constraintCount) }
            let traffic: Int? = start.map { _ in built.model.objectiveValue(at: ilp.warmStart(evicted: evicted, built: built)) }
                .map { Int($0.rounded()) }
            let lattice = AchievableTraffic(sizes: built.sizes, limit: traffic ?? built.sizes.reduce(0, +))
            open.append(Open(component: component, built: built, lattice: lattice, traffic: traffic, bound: 0))
        }
        var solves = 0
        let totalVariables = max(1, open.reduce(0) { $0 + $1.built.model.variableCount })

        /// One solve of batch `i` with `seconds`; keeps the better solution and bound.
        func attempt(_ i: Int, seconds: Double) throws(Failure) {
            var item = open[i]
            var solveOptions = options
            solveOptions.timeLimit = seconds.isFinite ? max(0.05, seconds) : nil
            solveOptions.deadline = deadline
            if open.count > 1 { solveOptions.progress = nil }
            if let traffic = item.traffic {
                solveOptions.warmStart = ilp.warmStart(evicted: evicted, built: item.built)
                // Stop once the bound passes the achievable value below the incumbent.
                let step = traffic - item.lattice.below(traffic)
                if traffic > 0 { solveOptions.relativeGap = max(0, Double(step) * (1 - 1e-6) - 1e-6) / Double(traffic) }
            }
            let result = solver.solve(item.built.model, options: solveOptions)
            solves += 1
            if result.status == .infeasible { throw .infeasible }
            if result.status.hasSolution, let objective = result.objective {
                let value = Int(objective.rounded())
                if item.traffic == nil || value < item.traffic! {
                    ilp.read(result.values, built: item.built, into: &evicted)
                    item.traffic = value
                }
            }
            if let bound = result.bound, result.status.hasSolution || result.status == .noSolution {
                item.bound = max(item.bound, item.lattice.roundUp(bound))
            }
            if let traffic = item.traffic { item.bound = min(item.bound, traffic) }
            open[i] = item
        }

        // First pass: every batch, time by size.
        var remainingVariables = totalVariables
        for i in open.indices {
            let variables = open[i].built.model.variableCount
            defer { remainingVariables -= variables }
            if open[i].traffic == 0 { continue }
            let left = deadline.remaining ?? .infinity
            // Past the deadline only batches without any solution are still tried (briefly).
            guard left > 0.01 || open[i].traffic == nil else { continue }
            try attempt(i, seconds: max(0.2, left * Double(variables) / Double(max(1, remainingVariables))))
        }
        // Later passes: the open batches, time by gap.
        for _ in 0 ..< 3 {
            let gaps = open.indices.compactMap { i -> (Int, Int)? in
                guard let traffic = open[i].traffic, traffic > open[i].bound else { return nil }
                return (i, traffic - open[i].bound)
            }.sorted { $0.1 > $1.1 }
            guard !gaps.isEmpty, (deadline.remaining ?? .infinity) > 0.5 else { break }
            var total = gaps.reduce(0) { $0 + $1.1 }
            for (i, gap) in gaps {
                let now = deadline.remaining ?? .infinity
                guard now > 0.1 else { break }
                let seconds = now * Double(gap) / Double(max(1, total))
                total -= gap
                report?("steps \(open[i].component.steps.lowerBound)...\(open[i].component.steps.upperBound): traffic \(open[i].traffic ?? 0) B, bound \(open[i].bound) B, "
                    + (seconds.isFinite ? String(format: "%.1f s to close it", seconds) : "closing it"))
                try attempt(i, seconds: seconds)
            }
        }
        if open.contains(where: { $0.traffic == nil }) { throw .noSolution }
        let batches = open.map { Batch(steps: $0.component.steps, traffic: $0.traffic ?? 0, bound: $0.bound,
                                       variables: $0.built.model.variableCount) }
        return Result(evicted: evicted, traffic: ilp.traffic(evicted: evicted), bound: batches.reduce(0) { $0 + $1.bound },
                      batches: batches, solves: solves, largestBatch: largest)
    }
}
