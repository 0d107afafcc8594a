import MILP

/// Offset allocation as a mixed-integer program, for any ``MILP/Solver``.
///
/// Variables: per buffer, `k_i` with offset `o_i = alignment_i × k_i`
/// (integer when the alignment exceeds 1; with alignment 1 it may stay
/// continuous, since once the order binaries are fixed the rows are
/// difference constraints with integer data, whose vertices are integral);
/// the height `H`; per pair of conflicting buffers, one binary `z_ij`
/// (1: i below j) with the big-M disjunction
///
///     o_i + s_i ≤ o_j + M (1 − z_ij)        o_j + s_j ≤ o_i + M z_ij
///
/// where `M` is an upper bound `U` on the height (the capacity, or the best
/// greedy height): every offset is bounded by `U − s_i`, which makes `M = U`
/// valid. Rows `H ≥ o_i + s_i`; `H` is bounded below by the lower bound.
/// Minimise `H`.
///
/// It is the reference on small problems, and the method to use when a
/// caller adds side constraints: ``model`` is public, and ``offset(_:)``
/// gives each buffer's offset as an expression to constrain.
///
/// Size: n + 1 + E variables and n + 2E rows for E conflicting pairs;
/// built in O(n log n + E).
public struct AllocationILP: Sendable {
    public var model: Model
    /// `k_i`, the offset of buffer i divided by its alignment.
    public let offsetUnits: [Variable]
    public let height: Variable
    /// One order variable per conflicting pair (1: `lower` buffer below).
    public let pairs: [(below: Int, above: Int, variable: Variable)]
    /// The height bound used as big-M.
    public let upperBound: Int
    public let lowerBound: Int
    let problem: AllocationProblem

    /// Builds the model. `upperBound` defaults to the capacity, or else the
    /// best greedy height (any height above it is never needed).
    public init(_ problem: AllocationProblem, upperBound: Int? = nil) throws(AllocationError) {
        try problem.validate()
        self.problem = problem
        let buffers = problem.buffers
        let bounds = LowerBounds(validated: buffers)
        var u = upperBound ?? BestOfGreedy.standard.allocate(validated: buffers).solution.height
        if let capacity = problem.capacity { u = min(u, capacity) }
        if u > 1 << 52 { throw .tooLarge("the ILP needs heights below 2^52 to be exact in floating point; got \(u)") }
        self.upperBound = u
        self.lowerBound = bounds.best

        var model = Model(name: "allocation")
        var units: [Variable] = []
        units.reserveCapacity(buffers.count)
        for (i, b) in buffers.enumerated() {
            if let fixed = b.fixedOffset {
                let k = Double(fixed / b.alignment)
                units.append(model.addVariable(lower: k, upper: k, kind: .continuous, name: "k\(i)"))
            } else {
                let top = max(0, (u - b.size) / b.alignment)
                units.append(model.addVariable(lower: 0, upper: Double(top), kind: b.alignment > 1 ? .integer : .continuous, name: "k\(i)"))
            }
        }
        let h = model.addVariable(lower: Double(min(bounds.best, u)), upper: Double(max(u, 0)), kind: .continuous, name: "H")
        for (i, b) in buffers.enumerated() where b.size > 0 {
            model.add(Double(b.alignment) * units[i] + Double(b.size) - h <= 0, name: "top\(i)")
        }
        var pairs: [(below: Int, above: Int, variable: Variable)] = []
        let m = Double(u)
        for (i, j) in Self.conflictingPairs(buffers) {
            let bi = buffers[i], bj = buffers[j]
            if bi.size == 0 || bj.size == 0 || (bi.fixedOffset != nil && bj.fixedOffset != nil) { continue }
            let z = model.addBinary(name: "z\(i)_\(j)")
            let oi = Double(bi.alignment) * units[i], oj = Double(bj.alignment) * units[j]
            // z = 1: i below j.
            model.add(oi - oj + m * z <= m - Double(bi.size), name: "a\(i)_\(j)")
            model.add(oj - oi - m * z <= -Double(bj.size), name: "b\(i)_\(j)")
            pairs.append((i, j, z))
        }
        model.minimize(LinearExpression(h))
        self.model = model
        self.offsetUnits = units
        self.height = h
        self.pairs = pairs
    }

    /// Buffer i's offset as an expression (for side constraints).
    public func offset(_ i: Int) -> LinearExpression {
        Double(problem.buffers[i].alignment) * offsetUnits[i]
    }

    /// Values for every variable encoding `solution`, or nil when it does
    /// not respect this model's bounds (then it cannot help a solver).
    public func warmStart(_ solution: AllocationSolution) -> [Double]? {
        guard solution.offsets.count == problem.count, solution.height <= upperBound else { return nil }
        var values = [Double](repeating: 0, count: model.variableCount)
        for (i, b) in problem.buffers.enumerated() {
            values[offsetUnits[i].index] = Double(solution.offsets[i] / b.alignment)
        }
        values[height.index] = Double(max(solution.height, lowerBound))
        for (below, above, z) in pairs {
            values[z.index] = solution.offsets[below] < solution.offsets[above] ? 1 : 0
        }
        return values
    }

    /// Offsets from a solver's values, and their height (measured, not the
    /// solver's objective). Nil without values.
    public func decode(_ result: SolveResult) -> AllocationSolution? {
        guard result.values.count == model.variableCount else { return nil }
        var offsets: [Int] = []
        offsets.reserveCapacity(problem.count)
        for (i, b) in problem.buffers.enumerated() {
            let k = result.values[offsetUnits[i].index].rounded()
            guard k.isFinite, abs(k) < 1e15 else { return nil }
            offsets.append(Int(k) * b.alignment)
        }
        return AllocationSolution(offsets: offsets, height: AllocationSolution.height(of: offsets, sizes: problem.buffers.map(\.size)))
    }

    /// Solves with `solver`, offering `start` (or the best greedy solution)
    /// as a warm start.
    public func solve(with solver: any Solver, options: SolveOptions = SolveOptions(), start: AllocationSolution? = nil) -> ILPReport {
        var options = options
        let initial = start ?? BestOfGreedy.standard.allocate(validated: problem.buffers).solution
        if options.warmStart == nil { options.warmStart = warmStart(initial) }
        if lowerBound > upperBound || problem.buffers.contains(where: { $0.size > upperBound }) {
            return ILPReport(status: .infeasible, solution: nil, lowerBound: lowerBound, seconds: 0, solver: solver.name)
        }
        let result = solver.solve(model, options: options)
        var solution = decode(result)
        if let s = solution, !Validator.isValid(s.offsets, for: problem) { solution = nil }
        var bound = lowerBound
        if let b = result.bound, b.isFinite { bound = max(bound, Int((b - 1e-6).rounded(.up))) }
        if result.status == .optimal, let s = solution { bound = max(bound, s.height) }
        if result.status == .infeasible { bound = max(bound, upperBound + 1) }
        return ILPReport(status: solution == nil && result.status.hasSolution ? .error : result.status,
                         solution: solution, lowerBound: bound, seconds: result.seconds, solver: solver.name,
                         objective: result.objective, message: result.message)
    }

    /// Pairs (i, j), i < j, of buffers whose lifetimes intersect: O(n log n + E).
    static func conflictingPairs(_ buffers: [Buffer]) -> [(Int, Int)] {
        let order = buffers.indices.sorted { buffers[$0].lower < buffers[$1].lower }
        var pairs: [(Int, Int)] = []
        var alive: [Int] = []
        for i in order {
            alive.removeAll { buffers[$0].upper <= buffers[i].lower }
            for j in alive { pairs.append((min(i, j), max(i, j))) }
            alive.append(i)
        }
        return pairs
    }
}

/// The outcome of solving an ``AllocationILP``.
public struct ILPReport: Sendable {
    public var status: SolveStatus
    /// Decoded and validated offsets (nil without a solution).
    public var solution: AllocationSolution?
    /// A proven lower bound on the height (within the model's upper bound).
    public var lowerBound: Int
    public var seconds: Double
    public var solver: String
    /// The solver's objective value (the height variable).
    public var objective: Double?
    public var message: String?

    public var isOptimal: Bool { status == .optimal && solution != nil }
}
