import MILP

/// The minimum-peak order as an ILP, through the MILP bridge (GLPK or
/// CBC): the order variables of ``OrderFormulation`` and one continuous
/// `peak` at least the live bytes of every step; minimise `peak`.
///
/// Warm-started from an order, bounded below by the known lower bound and
/// above by the warm start's peak. The order a solution encodes is checked
/// (a topological order) and its peak measured by ``ArenaProblem`` before
/// anyone sees it; the solver's bound, rounded up to whole units, is a
/// lower bound on the peak of every order.
///
/// Size: as ``OrderFormulation`` plus n rows of up to (tensors) terms.
public struct PeakILP: Sendable {
    public struct Outcome: Sendable {
        /// The order the solver returned, if any, and its measured peak.
        public var order: [Int]?
        public var peak: Int?
        /// A proven lower bound on the peak of every order (0 when the
        /// solver proved nothing).
        public var bound: Int
        public var status: SolveStatus
        public var seconds: Double
        public var variables: Int
        public var rows: Int
    }

    /// Refused above this many (operator, step) pairs in the windows.
    public var maximumPairs = 40_000

    public init() {}

    /// - Returns: nil when the graph is too large for the model (see
    ///   ``maximumPairs``, ``Reachability/maximumOperators``).
    public func solve(_ problem: ArenaProblem, start: [Int], lowerBound: Int, solver: any Solver,
                      options: SolveOptions) -> Outcome? {
        guard let reachability = Reachability(problem: problem, order: problem.givenOrder) else { return nil }
        let windows = OrderWindows(reachability)
        guard windows.pairCount <= maximumPairs else { return nil }
        var formulation = OrderFormulation(problem: problem, windows: windows)
        let unit = formulation.unit
        let startPeak = problem.peak(of: start)
        let peak = formulation.model.addVariable(lower: Double(lowerBound / unit), upper: Double(startPeak / unit), name: "peak")
        for s in 0 ..< problem.operatorCount {
            var step = LinearExpression()
            for a in problem.bytes.indices where problem.bytes[a] > 0 {
                if let v = formulation.liveVariable(a, at: s) { step += Double(problem.bytes[a] / unit) * v }
            }
            formulation.model.add(step - peak <= 0)
        }
        formulation.model.minimize(LinearExpression(peak))
        var warm = [Double](repeating: 0, count: formulation.model.variableCount)
        formulation.values(for: start, into: &warm)
        warm[peak.index] = Double(startPeak / unit)
        var solveOptions = options
        solveOptions.warmStart = warm
        let result = solver.solve(formulation.model, options: solveOptions)
        var outcome = Outcome(order: nil, peak: nil, bound: 0, status: result.status, seconds: result.seconds,
                              variables: formulation.model.variableCount, rows: formulation.model.constraintCount)
        if result.status.hasSolution, let order = formulation.order(from: result.values) {
            outcome.order = order
            outcome.peak = problem.peak(of: order)
        }
        if let bound = result.bound, bound.isFinite, result.status != .error {
            outcome.bound = max(0, Int((bound - 1e-6).rounded(.up))) * unit
        }
        return outcome
    }
}
