import Allocation
import MILP

/// The order and the addresses in one ILP (MODeL/OLLA's joint form, with
/// one operator per step): the order variables of ``OrderFormulation``, an
/// offset `A[a]` per arena tensor and the height `H ≥ A[a] + bytes[a]`;
/// for every pair of tensors that some order keeps alive together, two
/// binaries (a below b, b below a) with big-M rows, at least one of which
/// must hold whenever both are live at a common step. Minimise `H`.
///
/// For small graphs only: the pairs grow with the square of the tensors.
/// The height can exceed the peak when sizes differ, and only this model
/// bounds the height itself. Its answer is decoded, the offsets checked by
/// the Allocation validator against the decoded order's lifetimes.
public struct JointArenaILP: Sendable {
    public struct Outcome: Sendable {
        public var packing: ArenaPacking?
        /// A proven lower bound on the height of every order and placement.
        public var bound: Int
        public var status: SolveStatus
        public var seconds: Double
        public var variables: Int
        public var rows: Int
    }

    /// Refused above this many operators or tensor pairs.
    public var maximumOperators = 40
    public var maximumPairs = 1_500

    public init() {}

    /// - Parameters:
    ///   - start: a packing to warm-start from; its height is the big M.
    /// - Returns: nil when the graph is too large for the model.
    public func solve(_ problem: ArenaProblem, start: ArenaPacking, lowerBound: Int, solver: any Solver,
                      options: SolveOptions) -> Outcome? {
        guard problem.operatorCount <= maximumOperators,
              let reachability = Reachability(problem: problem, order: problem.givenOrder) else { return nil }
        let windows = OrderWindows(reachability)
        let tensors = problem.bytes.indices.filter { problem.bytes[$0] > 0 }
        // Pairs some order may keep alive together: neither dies, in every
        // order, before the other is written.
        func diesBefore(_ a: Int, _ b: Int) -> Bool {
            guard !problem.pinned[a] else { return false }
            let lastUsers = problem.consumers[a].isEmpty ? [problem.producer[a]] : problem.consumers[a]
            return lastUsers.allSatisfy { reachability.isAncestor($0, of: problem.producer[b]) }
        }
        var pairs: [(Int, Int)] = []
        for (i, a) in tensors.enumerated() {
            for b in tensors[(i + 1)...] where !diesBefore(a, b) && !diesBefore(b, a) {
                let sa = windows.liveSteps(problem, a), sb = windows.liveSteps(problem, b)
                if sa.overlaps(sb) { pairs.append((a, b)) }
            }
        }
        guard pairs.count <= maximumPairs else { return nil }

        var formulation = OrderFormulation(problem: problem, windows: windows)
        let unit = formulation.unit
        let bigM = Double(start.height / unit)
        let height = formulation.model.addVariable(lower: Double(lowerBound / unit), upper: bigM, name: "height")
        var offset = [Variable?](repeating: nil, count: problem.bytes.count)
        for a in tensors {
            let size = Double(problem.bytes[a] / unit)
            let v = formulation.model.addVariable(lower: 0, upper: max(0, bigM - size), name: "A_\(a)")
            offset[a] = v
            formulation.model.add(LinearExpression(v) + size - height <= 0)
        }
        var below: [(Variable, Variable)] = []
        for (a, b) in pairs {
            guard let oa = offset[a], let ob = offset[b] else { continue }
            let ab = formulation.model.addBinary(name: "below_\(a)_\(b)")
            let ba = formulation.model.addBinary(name: "below_\(b)_\(a)")
            below.append((ab, ba))
            let sizeA = Double(problem.bytes[a] / unit), sizeB = Double(problem.bytes[b] / unit)
            formulation.model.add(oa + sizeA - ob + bigM * ab <= bigM)
            formulation.model.add(ob + sizeB - oa + bigM * ba <= bigM)
            let common = windows.liveSteps(problem, a).clamped(to: windows.liveSteps(problem, b))
            for s in common {
                guard let la = formulation.liveVariable(a, at: s), let lb = formulation.liveVariable(b, at: s) else { continue }
                formulation.model.add(ab + ba - la - lb >= -1)
            }
        }
        formulation.model.minimize(LinearExpression(height))

        var warm = [Double](repeating: 0, count: formulation.model.variableCount)
        formulation.values(for: start.order, into: &warm)
        warm[height.index] = bigM
        for a in tensors { if let v = offset[a] { warm[v.index] = Double(start.offsets[a] / unit) } }
        for (k, (a, b)) in pairs.enumerated() {
            if start.offsets[a] + problem.bytes[a] <= start.offsets[b] { warm[below[k].0.index] = 1 }
            if start.offsets[b] + problem.bytes[b] <= start.offsets[a] { warm[below[k].1.index] = 1 }
        }
        var solveOptions = options
        // Offsets that are multiples of the unit: a warm start is exact only then.
        solveOptions.warmStart = start.offsets.allSatisfy({ $0 % unit == 0 }) ? warm : nil
        let result = solver.solve(formulation.model, options: solveOptions)
        var outcome = Outcome(packing: nil, bound: 0, status: result.status, seconds: result.seconds,
                              variables: formulation.model.variableCount, rows: formulation.model.constraintCount)
        if let bound = result.bound, bound.isFinite, result.status != .error {
            outcome.bound = max(0, Int((bound - 1e-6).rounded(.up))) * unit
        }
        if result.status.hasSolution, let order = formulation.order(from: result.values) {
            var offsets = [Int](repeating: 0, count: problem.bytes.count)
            for a in tensors { if let v = offset[a] { offsets[a] = Int(result.values[v.index].rounded()) * unit } }
            let buffers = ArenaPacking.buffers(problem, order: order)
            if let measured = try? Validator.height(of: offsets, for: AllocationProblem(buffers: buffers)) {
                outcome.packing = ArenaPacking(order: order, offsets: offsets, height: measured, peak: problem.peak(of: order),
                                               allocator: "joint-ilp-\(result.solver)")
            }
        }
        return outcome
    }
}
