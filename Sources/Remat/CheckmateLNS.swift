import MILP

/// Large-neighbourhood search with Checkmate's stage MILP
/// (``CheckmateFormulation``): better stage schedules than the heuristics
/// and the LP rounding find, when the whole MILP is too large for CBC to
/// branch on within the time limit.
///
/// From a stage schedule that fits (the incumbent), each step frees the
/// decisions of one neighbourhood, fixes every other R and S variable at
/// the incumbent's value, and solves that small MILP (``RestrictedModel``)
/// warm-started from the incumbent, so its answer is never worse. Two kinds
/// of neighbourhood, taken in turn:
/// - a window of positions [a, b): which of the values made there are kept
///   into each later stage, and which of those operators run again where
///   (R[t,i], S[t,v] for i, P(v) in the window, every stage t); the frees
///   of the values the window makes or reads are free too;
/// - a window of stages [a, b): everything that runs in those stages and
///   what they start with (R[t,·], S[t,·], F[t,·]).
/// The memory variables U of every stage the window can change stay free.
/// A better answer is decoded, made canonical (``StageSchedule``),
/// measured again with the memory model and accepted only if it fits and
/// costs less than the incumbent; its earliest-free solution becomes the
/// next start. Windows slide by half their width; after a full pass with
/// no improvement they grow by half (up to every position), and shrink
/// when a neighbourhood's solve hits its time limit.
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
    /// Wall-clock seconds one neighbourhood's MILP may take.
    public var neighbourhoodSeconds: Double
    /// Positions (or stages) in the first windows.
    public var initialWidth: Int

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
        // A pass: windows of this width over every position (or stage).
        var windowsPerPass: Int { max(1, (n + width / 2 - 1) / max(1, width / 2)) }
        while true {
            let left = options.secondsLeft(clock) ?? .infinity
            if left < 0.5 || reached() { break }
            let a = offset
            let b = min(n, a + width)
            let neighbourhood = byStages ? Self.stageWindow(formulation, a ..< b) : Self.positionWindow(formulation, a ..< b)
            let restricted = RestrictedModel(formulation.model, fixing: neighbourhood, at: outcome.values)
            var solve = options
            solve.timeLimit = min(neighbourhoodSeconds, left)
            solve.warmStart = restricted.restrict(outcome.values)
            solve.progress = nil
            // Without CBC's Cgl preprocessing: on these small models it costs more than it saves, and its
            // postprocessing crashed (CglPreProcess::postProcess, CBC 2.10.8) on a U-Net neighbourhood.
            solve.cbc.preprocessing = false
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
                // Two passes (positions and stages) found nothing at this width.
                if width >= n { break }
                width = min(n, width * 3 / 2)
                sinceImprovement = 0
                // The next pass starts at position 0: at full width its first window is the whole MILP.
                offset = 0
                byStages = false
            }
            outcome.width = max(outcome.width, width)
        }
        return outcome
    }

    /// Which variables a window of positions fixes (true = fixed).
    static func positionWindow(_ formulation: CheckmateFormulation, _ window: Range<Int>) -> [Bool] {
        var fixed = [Bool](repeating: true, count: formulation.model.variableCount)
        let n = formulation.n
        var touched = Set<Int>()  // values made in the window or read there
        for v in formulation.producerPosition.indices {
            guard let p = formulation.producerPosition[v] else { continue }
            if window.contains(p) {
                touched.insert(v)
                for variable in formulation.s[v] { fixed[variable.index] = false }
            }
        }
        for k in window { touched.formUnion(formulation.readsAt[k]) }
        for t in window.lowerBound ..< n {
            for i in window where i < t { fixed[formulation.r[t][i].index] = false }
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
