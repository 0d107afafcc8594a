import MILP

/// Large-neighbourhood search with Checkmate's stage MILP
/// (``CheckmateFormulation``): better stage schedules than the heuristics
/// and the LP rounding find, when the whole MILP is too large for CBC to
/// branch on within the time limit.
///
/// From a stage schedule that fits (the incumbent), each step frees the
/// decisions of one neighbourhood, fixes every other R and S variable at
/// the incumbent's value, and solves that small MILP (``RestrictedModel``)
/// warm-started from the incumbent, so its answer is never worse. Windows
/// of two kinds, taken in turn:
/// - a window of positions [a, b): which of the values made there are kept
///   into each later stage, and which of those operators run again where
///   (R[t,i], S[t,v] for i, P(v) in the window, every stage t); the frees
///   of the values the window makes or reads are free too;
/// - a window of stages [a, b): everything that runs in those stages and
///   what they start with (R[t,·], S[t,·], F[t,·]).
/// Before the windows, and again after each improvement, the incumbent's
/// hot neighbourhoods (``hotNeighbourhoods(_:stages:values:)``): the
/// positions it runs again at the largest cost with the cheapest values it
/// keeps at a peak, which no window of nearby positions holds together.
/// Each neighbourhood's MILP states the memory of the stages it can change
/// directly over its free variables (``neighbourhoodModel(_:fixing:at:)``).
/// A better answer is decoded, made canonical (``StageSchedule``),
/// measured again with the memory model and accepted only if it fits and
/// costs less than the incumbent; its earliest-free solution becomes the
/// next start. Windows slide by half their width, and shrink when a
/// neighbourhood's solve hits its time limit. After two passes (positions
/// and stages) with no improvement comes a round of scattered
/// neighbourhoods (``scatteredPositions(anchors:draw:)``: three short runs
/// of positions far apart), until ``scatteredPatience`` · n of them in a
/// row improve nothing; then the windows grow by half (up to every
/// position). On U-Net at its smallest budget the windows stop at 14.08 %
/// within 10 s and stay there for 180 s (they shrink whenever a window
/// of the first positions or of the peak's stages runs out of time); with
/// the scattered rounds 180 s runs end at 11.79-13.56 % against 14.08 %
/// (release, side by side); in 60 s, 12.1-14.4 % (median 12.94 %, seven
/// runs) against 13.2-14.3 %.
///
/// Every schedule it returns is a stage schedule, so it proves nothing:
/// the bound comes from the LP relaxation or the whole MILP. Time: until
/// the deadline, until the incumbent reaches the `target` bound it is given,
/// or until a pass over windows of every position finds
/// nothing (then the incumbent is optimal for that neighbourhood, not
/// necessarily globally); each step builds a restricted model in
/// O(variables + nonzeros) and solves it within ``neighbourhoodSeconds``.
/// Memory: one copy of the model per step.
public struct CheckmateLNS: Sendable {
    public var solver: any Solver
    /// The whole search's limit (``SolveOptions/timeLimit`` from the start,
    /// and ``SolveOptions/deadline``); the other options go to every solve.
    public var options: SolveOptions
    /// CPU seconds one neighbourhood's MILP may take (``SolveOptions/cpuTimeLimit``).
    public var neighbourhoodSeconds: Double
    /// Positions (or stages) in the first windows.
    public var initialWidth: Int
    /// Whether stalled windows are followed by a round of scattered
    /// neighbourhoods before they grow; off, the windows alone (the
    /// `remat-search` benchmark compares the two).
    public var scatteredRounds = true
    /// Past `after` seconds the search stops as soon as `patience` seconds have gone by without an
    /// improvement, or at once while its incumbent costs `ceiling` or more (the time limit stays the hard
    /// stop); nil: only the time limit.
    public var stallStop: (after: Double, patience: Double, ceiling: Double)?

    public static let method = "checkmate-lns"

    public init(solver: any Solver = CBCSolver(), options: SolveOptions = SolveOptions(), neighbourhoodSeconds: Double = 6,
                initialWidth: Int = 8) {
        self.solver = solver
        self.options = options
        self.neighbourhoodSeconds = neighbourhoodSeconds
        self.initialWidth = initialWidth
    }

    /// What a search did, for benchmarks and reports.
    public struct Outcome: Sendable {
        public var stages: [[Int]]
        public var evaluation: RematEvaluation
        public var values: [Double]
        /// Neighbourhood MILPs solved, of them solved to optimality, and improvements accepted.
        public var neighbourhoods = 0
        public var optimalNeighbourhoods = 0
        public var improvements = 0
        /// Scattered neighbourhoods solved, and the improvements among them.
        public var scatteredNeighbourhoods = 0
        public var scatteredImprovements = 0
        /// Seconds from the start to the last improvement.
        public var secondsToBest = 0.0
        /// Largest window width reached.
        public var width = 0
        /// Whether it stopped because windows of every position (the whole
        /// MILP) solved to optimality found nothing better, rather than at
        /// the time limit: the incumbent is then a stage optimum.
        public var converged = false
    }

    /// The best stage schedule found from `start` (a solution of
    /// `formulation`, as ``CheckmateMILP/warmStart(_:candidates:)`` gives).
    /// `target`: a proven lower bound on the cost; the search stops once it reaches it (nothing is cheaper).
    public func improve(_ formulation: CheckmateFormulation,
                        from start: (stages: [[Int]], evaluation: RematEvaluation, values: [Double]), target: Double? = nil) -> Outcome {
        let clock = Stopwatch()
        var outcome = Outcome(stages: start.stages, evaluation: start.evaluation, values: start.values)
        func reached() -> Bool { target.map { !CostTolerance.isAbove(outcome.evaluation.cost, $0) } ?? false }
        let n = formulation.n
        guard n > 1 else { return outcome }
        var width = max(2, min(initialWidth, n))
        var byStages = false
        var offset = 0
        var sinceImprovement = 0
        // The incumbent's hot neighbourhoods not yet solved; nil: not yet listed for this incumbent.
        var hotLeft: [[Int]]?
        // Scattered neighbourhoods drawn so far, and whether the search is in a round of them (``scatteredPatience``).
        var scatteredDrawn = 0
        var scattering = false
        var scatteredFailures = 0
        let anchors = Self.anchors(formulation)
        // A pass: windows of this width over every position (or stage).
        var windowsPerPass: Int { max(1, (n + width / 2 - 1) / max(1, width / 2)) }
        // Windows one size larger, from the start.
        func grow() {
            width = min(n, width * 3 / 2)
            sinceImprovement = 0
            // The next pass starts at position 0: at full width its first window is the whole MILP.
            offset = 0
            byStages = false
        }
        while true {
            let left = options.secondsLeft(clock) ?? .infinity
            if left < 0.5 || reached() { break }
            if let stall = stallStop, clock.seconds >= stall.after,
               clock.seconds - outcome.secondsToBest >= stall.patience || outcome.evaluation.cost >= stall.ceiling { break }
            let a = offset
            let b = min(n, a + width)
            if hotLeft == nil { hotLeft = Self.hotNeighbourhoods(formulation, stages: outcome.stages, values: outcome.values) }
            // The positions of a hot or scattered neighbourhood; nil for a window.
            var chosen = hotLeft?.isEmpty == false ? hotLeft?.removeFirst() : nil
            let drawn = chosen == nil && scattering
            if drawn {
                chosen = Self.scatteredPositions(anchors: anchors, draw: scatteredDrawn)
                scatteredDrawn += 1
            }
            let neighbourhood = if let chosen { Self.positionWindow(formulation, positions: chosen) }
                else if byStages { Self.stageWindow(formulation, a ..< b) } else { Self.positionWindow(formulation, positions: Array(a ..< b)) }
            let restricted = Self.neighbourhoodModel(formulation, fixing: neighbourhood, at: outcome.values)
            var solve = options
            // The neighbourhood's cap counts CPU time, so that where a solve stops, and the path the search takes, depends
            // less on the load: on U-Net at its smallest budget, two commands side by side, the probe from the relaxation's
            // schedule ended in six runs at 11.278 % (107 neighbourhoods) or 12.079 % (109), in 7-9 s; with wall-clock caps
            // at 11.278 % to 14.3 % after 17 to 29 neighbourhoods in its first 6.4 s.
            solve.timeLimit = left
            // Before a stall stop's point a neighbourhood may run past it by one patience at most: beyond it the
            // search goes on only while it improves.
            if let stall = stallStop, clock.seconds < stall.after {
                solve.timeLimit = min(left, stall.after + stall.patience - clock.seconds)
            }
            solve.cpuTimeLimit = neighbourhoodSeconds
            solve.warmStart = restricted.restrict(outcome.values)
            solve.progress = nil
            // Without CBC's Cgl preprocessing: on these small models it costs more than it saves, and its
            // postprocessing crashed (CglPreProcess::postProcess, CBC 2.10.8) on a U-Net neighbourhood.
            solve.cbc.preprocessing = false
            // Hundreds of solves a minute, some stopped at their limit: kept out of reach of CBC's branching overrun.
            solve.cbc = solve.cbc.avoidingBranchingOverrun()
            let result = solver.solve(restricted.model, options: solve)
            outcome.neighbourhoods += 1
            if result.status == .optimal { outcome.optimalNeighbourhoods += 1 }
            var improved = false
            if result.status.hasSolution, let objective = result.objective, objective < outcome.evaluation.cost - 1e-6 {
                let full = restricted.expand(result.values)
                let stages = StageSchedule.canonical(formulation.stages(from: full), formulation.problem)
                let evaluation = formulation.problem.evaluate(formulation.schedule(of: stages))
                if evaluation.fits(formulation.problem.budget), evaluation.cost < outcome.evaluation.cost - 1e-9,
                   let values = formulation.values(for: stages), formulation.model.violation(at: values) == nil {
                    outcome.stages = stages
                    outcome.evaluation = evaluation
                    outcome.values = values
                    outcome.improvements += 1
                    improved = true
                }
            }
            if improved {
                hotLeft = nil
                outcome.secondsToBest = clock.seconds
            }
            if drawn {
                outcome.scatteredNeighbourhoods += 1
                if improved { outcome.scatteredImprovements += 1 }
            }
            if scattering {
                scatteredFailures = improved ? 0 : scatteredFailures + 1
                if scatteredFailures >= Self.scatteredPatience * n {
                    // A round without an improvement: back to the windows, one size larger.
                    scattering = false
                    if width >= n { break }
                    grow()
                }
            }
            // A hot or scattered neighbourhood is not a window: the windows' width and place stay as they were.
            if chosen != nil { continue }
            if result.status == .feasible || result.status == .noSolution, width > 2 {
                // The neighbourhood was too large to finish: smaller ones from here.
                width = max(2, width * 2 / 3)
            }
            sinceImprovement = improved ? 0 : sinceImprovement + 1
            let wasWhole = !byStages && a == 0 && b == n
            offset += max(1, width / 2)
            if offset >= n - 1 {
                offset = 0
                byStages.toggle()
            }
            if wasWhole, result.status == .optimal,
               let objective = result.objective, outcome.evaluation.cost <= objective + 1e-6 {
                // The window held every position: that was the whole MILP, solved, and the incumbent is its optimum.
                outcome.converged = true
                break
            }
            if sinceImprovement >= 2 * windowsPerPass {
                // Two passes (positions and stages) found nothing at this width: a round of scattered
                // neighbourhoods, then windows one size larger (``grow()`` when the round ends).
                if scatteredRounds {
                    scattering = true
                    scatteredFailures = 0
                } else {
                    if width >= n { break }
                    grow()
                }
            }
            outcome.width = max(outcome.width, width)
        }
        return outcome
    }

    /// Parts of a scattered neighbourhood, and positions in each part.
    static let scatteredParts = 3
    static let scatteredPartWidth = 3
    /// A round of scattered neighbourhoods ends after this many times n neighbourhoods in a row (scattered, or
    /// hot after an improvement) without an improvement.
    static let scatteredPatience = 2

    /// The positions whose values some position after the next one reads
    /// (or that make a graph output): where keeping or dropping a value
    /// decides something. The others' values are read at once and dropped
    /// (gradients mostly); they are in a scattered neighbourhood only as the
    /// producers just before an anchor. O(values + reads).
    static func anchors(_ formulation: CheckmateFormulation) -> [Int] {
        let problem = formulation.problem
        var anchored = [Bool](repeating: false, count: formulation.n)
        for v in formulation.producerPosition.indices where problem.bytes[v] > 0 {
            guard let p = formulation.producerPosition[v] else { continue }
            if problem.isGraphOutput[v] || (formulation.readerPositions[v].last ?? p) >= p + 2 { anchored[p] = true }
        }
        let anchors = anchored.indices.filter { anchored[$0] }
        return anchors.isEmpty ? Array(0 ..< formulation.n) : anchors
    }

    /// The positions of the `draw`-th scattered neighbourhood: ``scatteredParts``
    /// anchors (``anchors(_:)``), each with the ``scatteredPartWidth`` − 1
    /// positions before it (the producers a remake of its value needs).
    /// An improvement often needs two or three changes far apart at once
    /// (keep one value longer, drop another that is cheaper to remake,
    /// remake a third elsewhere), and a window of nearby positions that held
    /// them all would be too large to solve: on U-Net at its smallest
    /// budget windows of 9 positions at the start take more than their 6 s.
    /// The anchors are a Kronecker sequence (part j of draw i is anchor
    /// frac(i·α_j) of the list, α_j the fractional part of √2, √3, √5 …):
    /// spread evenly over every combination, reproducible, and with no
    /// random generator. O(parts · width).
    static func scatteredPositions(anchors: [Int], draw: Int) -> [Int] {
        let primes = [2.0, 3, 5, 7, 11, 13]
        var positions = Set<Int>()
        for part in 0 ..< scatteredParts {
            let alpha = primes[part % primes.count].squareRoot().truncatingRemainder(dividingBy: 1)
            let place = (Double(draw + 1) * alpha).truncatingRemainder(dividingBy: 1)
            let anchor = anchors[min(anchors.count - 1, Int(place * Double(anchors.count)))]
            positions.formUnion(max(0, anchor - scatteredPartWidth + 1) ... anchor)
        }
        return positions.sorted()
    }

    /// The neighbourhood's MILP with the memory of each stage stated
    /// directly over the free variables rather than through U: the U
    /// variables and their defining rows are left out, and for each
    /// stage one row per change of the free terms bounds the resident
    /// total (the fixed terms folded into a constant, the largest of a
    /// run of positions with the same free terms kept). U is a definition
    /// bounded by the budget, so every point of the model with U is one of
    /// this one (which leaves out only U ≥ 0, and the search measures
    /// every answer again); most columns and rows of a window go: a window
    /// of the first positions frees every stage's U, and on ResNet-18 its
    /// 20,159 columns become 6,956 (there, windows of five among the first
    /// fifteen positions took 1.2-5.9 s to solve with U, 0.2-1.4 s without).
    /// The U values of the expanded solution are the incumbent's (stale):
    /// callers decode R and rebuild the values. O(variables + nonzeros +
    /// Σ_t (values + t)).
    public static func neighbourhoodModel(_ formulation: CheckmateFormulation, fixing fixed: [Bool], at values: [Double]) -> RestrictedModel {
        var fixed = fixed
        for row in formulation.u { for memory in row { fixed[memory.index] = true } }
        var restricted = RestrictedModel(formulation.model, fixing: fixed, at: values, droppingRows: formulation.isMemoryRow)
        let problem = formulation.problem
        let capacity = Double(problem.budget) * formulation.unit
        for t in 0 ..< formulation.n {
            var constant = 0.0
            var terms: [Int: Double] = [:]
            var changed = false
            var pending: (terms: [Int: Double], constant: Double)?
            func add(_ variable: Variable, _ coefficient: Double) {
                if let free = restricted.column[variable.index] {
                    terms[free.index, default: 0] += coefficient
                    changed = true
                } else {
                    constant += coefficient * values[variable.index]
                }
            }
            func emit() {
                guard let row = pending else { return }
                let nonzero = row.terms.filter { $0.value != 0 }.sorted { $0.key < $1.key }
                guard !nonzero.isEmpty else { return }
                let expression = LinearExpression(terms: nonzero.map { Term($0.value, Variable(index: $0.key)) })
                restricted.model.add(expression <= capacity - row.constant)
            }
            for v in problem.bytes.indices where problem.bytes[v] > 0 {
                if let kept = formulation.keep(t, v) { add(kept, formulation.bytes(v)) }
            }
            for k in 0 ... t {
                if k > 0 { for (v, free) in formulation.f[t][k - 1] where problem.bytes[v] > 0 { add(free, -formulation.bytes(v)) } }
                let made = formulation.writes[k].reduce(0.0) { $0 + formulation.bytes($1) }
                if made > 0 { add(formulation.r[t][k], made) }
                if !changed, var row = pending {
                    row.constant = max(row.constant, constant)
                    pending = row
                } else {
                    emit()
                    pending = (terms, constant)
                    changed = false
                }
            }
            emit()
        }
        return restricted
    }

    /// How many hot neighbourhoods an incumbent gets, and how many positions of each kind they hold.
    static let hotCount = 3
    static let hotRecomputed = 4
    static let hotDroppable = 4

    /// Up to ``hotCount`` distinct sets of positions that the incumbent's
    /// cost and peaks point at, each a neighbourhood of its own (any
    /// positions, not a window): the ``hotRecomputed`` positions it runs
    /// again at the largest cost, with the producers of the
    /// ``hotDroppable`` values cheapest to remake per byte among those it
    /// keeps at one of its tightest stages (the most resident bytes), the
    /// tightest first. Keeping a dear value longer needs room where it is
    /// kept, and that room is a cheap value dropped there: the two lie far
    /// apart in the order, so no window of nearby positions holds both.
    /// On ResNet-18 at its smallest budget the first such set (positions
    /// 0, 2, 3 and 4, from the first convolution on, run again; the
    /// producers at positions 93, 98, 101 and 159 of values kept at the
    /// tightest stage) took the search from 10.93 % to 7.18 % in one
    /// solve of 1.7 s. O(values · n + n log n).
    static func hotNeighbourhoods(_ formulation: CheckmateFormulation, stages: [[Int]], values: [Double]) -> [[Int]] {
        let problem = formulation.problem
        let n = formulation.n
        func cost(_ i: Int) -> Double { problem.costs[problem.order[i]] }
        var extra = [Double](repeating: 0, count: n)
        for (t, stage) in stages.enumerated() { for i in stage where i < t { extra[i] += cost(i) } }
        let recomputed = (0 ..< n).filter { extra[$0] > 0 }.sorted { extra[$0] > extra[$1] }.prefix(hotRecomputed)
        let stagePeak = formulation.u.map { row in row.map { values[$0.index] }.max() ?? 0 }
        var sets: [[Int]] = []
        for t in (0 ..< n).sorted(by: { stagePeak[$0] > stagePeak[$1] }) {
            guard sets.count < hotCount else { break }
            var chosen = Array(recomputed)
            var kept: [(p: Int, perByte: Double)] = []
            for v in problem.bytes.indices where problem.bytes[v] > 0 {
                guard let variable = formulation.keep(t, v), values[variable.index] > 0.5, let p = formulation.producerPosition[v] else { continue }
                kept.append((p, cost(p) / Double(problem.bytes[v])))
            }
            for (p, _) in kept.sorted(by: { $0.perByte < $1.perByte }) where !chosen.contains(p) {
                guard chosen.count < recomputed.count + hotDroppable else { break }
                chosen.append(p)
            }
            chosen.sort()
            if !chosen.isEmpty, !sets.contains(chosen) { sets.append(chosen) }
        }
        return sets
    }

    /// Which variables a neighbourhood of positions (a window, or any set) fixes (true = fixed).
    public static func positionWindow(_ formulation: CheckmateFormulation, positions: [Int]) -> [Bool] {
        var fixed = [Bool](repeating: true, count: formulation.model.variableCount)
        let n = formulation.n
        let window = Set(positions)
        guard let first = positions.min() else { return fixed }
        var touched = Set<Int>()  // values made in the window or read there
        for v in formulation.producerPosition.indices {
            guard let p = formulation.producerPosition[v] else { continue }
            if window.contains(p) {
                touched.insert(v)
                for variable in formulation.s[v] { fixed[variable.index] = false }
            }
        }
        for k in window { touched.formUnion(formulation.readsAt[k]) }
        for t in first ..< n {
            for i in positions where i < t { fixed[formulation.r[t][i].index] = false }
            for k in 0 ... t {
                fixed[formulation.u[t][k].index] = false
                for free in formulation.f[t][k] where touched.contains(free.tensor) || window.contains(k) {
                    fixed[free.variable.index] = false
                }
            }
        }
        return fixed
    }

    /// Which variables a window of stages fixes (true = fixed).
    static func stageWindow(_ formulation: CheckmateFormulation, _ window: Range<Int>) -> [Bool] {
        var fixed = [Bool](repeating: true, count: formulation.model.variableCount)
        for t in window {
            for i in 0 ..< t { fixed[formulation.r[t][i].index] = false }
            for k in 0 ... t {
                fixed[formulation.u[t][k].index] = false
                for free in formulation.f[t][k] { fixed[free.variable.index] = false }
            }
            for v in formulation.producerPosition.indices {
                if let kept = formulation.keep(t, v) { fixed[kept.index] = false }
            }
        }
        return fixed
    }
}
