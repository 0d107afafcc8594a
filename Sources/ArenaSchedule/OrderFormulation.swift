import MILP

/// The order part of the arena ILPs: one operator per step, each inside
/// its ASAP/ALAP window (not MODeL's shared steps: those restrict the
/// orders and can miss the optimum), and whether each arena tensor is live
/// at each step it may be live at.
///
/// - `x[o][s]` (binary): operator `o` runs at step `s`; every operator
///   once, every step one operator.
/// - "`o` has run by step `s`" is the sum of `x[o][s']` for `s' ≤ s`
///   (``ran(_:by:)``); precedence: a reader has not run by a step unless
///   its producer ran before it.
/// - `live[a][s]` (continuous, [0, 1]): at least 1 when the tensor's
///   producer has run by `s` and some reader has not run before `s` (a
///   graph output: from its producer on; a tensor nobody reads: at its
///   producer's step). The objectives push it down to exactly that.
///
/// Size: O(pairs) binaries for the (operator, step) pairs in the windows;
/// O(Σ over tensors of readers × window) rows.
struct OrderFormulation {
    let problem: ArenaProblem
    let windows: OrderWindows
    var model = Model(name: "arena-order")
    /// `runs[o][s - earliest[o]]`.
    private(set) var runs: [[Variable]] = []
    /// `live[a][s - liveSteps(a).lowerBound]`.
    private(set) var live: [[Variable]] = []
    /// Bytes are divided by the gcd of all sizes, to keep coefficients small.
    let unit: Int

    init(problem: ArenaProblem, windows: OrderWindows) {
        self.problem = problem
        self.windows = windows
        unit = max(1, problem.bytes.reduce(0) { gcd($0, $1) })
        let n = problem.operatorCount
        for o in 0 ..< n {
            runs.append(windows.steps(o).map { model.addBinary(name: "x_\(o)_\($0)") })
            model.add(LinearExpression(sum: runs[o]) == 1)
        }
        for s in 0 ..< n {
            let atStep = (0 ..< n).filter { windows.steps($0).contains(s) }.map { runs[$0][s - windows.earliest[$0]] }
            model.add(LinearExpression(sum: atStep) == 1)
        }
        // A successor w has not run by s unless its predecessor u ran by s − 1.
        for w in 0 ..< n {
            for u in problem.predecessors[w] {
                let upper = min(windows.latest[w], windows.latest[u])
                guard windows.earliest[w] <= upper else { continue }
                for s in windows.earliest[w] ... upper {
                    model.add(ran(w, by: s) - ran(u, by: s - 1) <= 0)
                }
            }
        }
        for a in problem.bytes.indices {
            let steps = windows.liveSteps(problem, a)
            let p = problem.producer[a]
            live.append(steps.map { model.addVariable(lower: 0, upper: 1, name: "l_\(a)_\($0)") })
            for s in steps {
                let indicator = LinearExpression(live[a][s - steps.lowerBound])
                if problem.pinned[a] {
                    model.add(indicator - ran(p, by: s) >= 0)
                } else if problem.consumers[a].isEmpty {
                    if windows.steps(p).contains(s) { model.add(indicator - runs[p][s - windows.earliest[p]] >= 0) }
                } else {
                    for c in problem.consumers[a] {
                        model.add(indicator - ran(p, by: s) + ran(c, by: s - 1) >= 0)
                    }
                }
            }
        }
    }

    /// "`o` has run by step `s`": 0 before its window, 1 after it.
    func ran(_ o: Int, by s: Int) -> LinearExpression {
        if s < windows.earliest[o] { return LinearExpression() }
        if s >= windows.latest[o] { return LinearExpression(constant: 1) }
        return LinearExpression(sum: runs[o][0 ... s - windows.earliest[o]])
    }

    /// `live[a]` at step `s`, if the tensor may be live then.
    func liveVariable(_ a: Int, at s: Int) -> Variable? {
        let steps = windows.liveSteps(problem, a)
        return steps.contains(s) ? live[a][s - steps.lowerBound] : nil
    }

    /// Values of the order variables for a topological `order` (inside the
    /// windows, as every topological order is): runs and liveness.
    func values(for order: [Int], into values: inout [Double]) {
        for (s, o) in order.enumerated() where windows.steps(o).contains(s) {
            values[runs[o][s - windows.earliest[o]].index] = 1
        }
        for (a, lifetime) in problem.lifetimes(order).enumerated() {
            for s in lifetime.first ... lifetime.last {
                if let v = liveVariable(a, at: s) { values[v.index] = 1 }
            }
        }
    }

    /// The order a solution encodes, if it is a topological order.
    func order(from values: [Double]) -> [Int]? {
        let n = problem.operatorCount
        var order = [Int](repeating: -1, count: n)
        for o in 0 ..< n {
            for (k, x) in runs[o].enumerated() where values[x.index] > 0.5 { order[windows.earliest[o] + k] = o }
        }
        return problem.isTopological(order) ? order : nil
    }
}

func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
