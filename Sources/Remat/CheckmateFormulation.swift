import MILP

/// Checkmate's MILP over stages (Jain et al., MLSys 2020), per tensor, for
/// the memory model of ``Remat``.
///
/// Positions 0 ..< n follow the given order (``RematProblem/order``). In
/// stage t the operator at position t runs for the first time, after any
/// earlier operators run again, in position order; that is the scope of
/// the bound (``RematSolution/BoundScope/stages``): every schedule whose
/// first computations follow the given order and whose recomputations
/// before each first computation run in that order, each at most once.
///
/// Variables (v an activation with a producer at position P(v)):
/// - binary R[t,i], i ≤ t: position i runs in stage t (R[t,t] = 1);
/// - binary S[t,v], P(v) < t ≤ n: v is resident when stage t starts
///   (stage n is the end: 1 for graph outputs, absent, i.e. 0, otherwise);
/// - binary F[t,v,k], k ∈ {P(v)} ∪ readers(v), k ≤ t: v is freed right
///   after position k runs in stage t;
/// - continuous U[t,k] ∈ [0, budget]: resident bytes while position k runs
///   in stage t (its outputs included).
///
/// Rows:
/// - dependencies R[t,k] ≤ R[t,P(v)] + S[t,v] for each v that k reads;
/// - carry S[t+1,v] ≤ S[t,v] + R[t,P(v)];
/// - frees F[t,v,k] ≤ R[t,k], F[t,v,k] ≤ 1 − S[t+1,v] and F[t,v,k] +
///   R[t,j] ≤ 1 for every later toucher j ≤ t (aggregated into one row
///   when there are more than ``pairwiseLimit``): a value is freed once, by
///   the last operator of the stage that touches it, and only when the
///   next stage does not start with it;
/// - memory U[t,0] = Σ_v m_v·S[t,v] + m(0)·R[t,0], U[t,k] = U[t,k−1] −
///   Σ_v m_v·F[t,v,k−1] + m(k)·R[t,k] (m in bytes, scaled when the budget
///   is above 10^6 so that the budget is 10^6 units);
/// - minimise Σ cost(i)·R[t,i].
///
/// Any solution read as the sequence of R's ones is a stage schedule whose
/// earliest-free peak is at most max U (a value the MILP holds resident is
/// a superset of what the earliest frees keep), so it fits; every stage
/// schedule with earliest frees is a solution. The strengthenings cut off
/// only solutions that a canonical one dominates (same or less cost and
/// memory), so the optimum, and any dual bound, stays valid for the scope:
/// - ``Strengthenings/noKeepWhileRecomputing``: S[t,v] + R[t,P(v)] ≤ 1 (a
///   value recomputed in a stage is not also kept into it: no reader can
///   read the kept copy, which precedes the recomputation);
/// - ``Strengthenings/usefulRecomputations``: a recomputation in stage t
///   makes a value that a later operator of the stage reads or that stage
///   t+1 starts with; and then the producer of a single-output operator
///   recomputed in a stage never frees its value at once (F[t,v,P(v)] is
///   not created for t > P(v));
/// - ``Strengthenings/usefulKeeps``: a value kept into stage t is read in
///   stage t or kept into stage t+1.
/// - ``Strengthenings/stageKnapsacks`` (valid for every solution, not only
///   canonical ones): while the operator at position t runs in stage t,
///   everything stage t+1 starts with is resident (kept through the stage
///   or made in it, before t), and so are what t reads and writes:
///   Σ_{v not touched by t} m_v·S[t+1,v] ≤ budget − m(touched by t). One
///   row per stage over binaries only, from which the solver derives
///   knapsack covers that the chained U rows hide.
///
/// Size: about n²/2 R, Σ_v (n − P(v)) S, Σ_v touchers·(n − P(v)) F and
/// n²/2 U variables, rows of the same order; O(n·(n + edges)) memory.
public struct CheckmateFormulation: Sendable {
    public struct Strengthenings: Sendable, Equatable, CustomStringConvertible {
        public var noKeepWhileRecomputing: Bool
        public var usefulRecomputations: Bool
        public var usefulKeeps: Bool
        public var stageKnapsacks: Bool

        public init(noKeepWhileRecomputing: Bool = true, usefulRecomputations: Bool = true, usefulKeeps: Bool = true,
                    stageKnapsacks: Bool = true) {
            self.noKeepWhileRecomputing = noKeepWhileRecomputing
            self.usefulRecomputations = usefulRecomputations
            self.usefulKeeps = usefulKeeps
            self.stageKnapsacks = stageKnapsacks
        }

        public static let all = Strengthenings()
        public static let none = Strengthenings(noKeepWhileRecomputing: false, usefulRecomputations: false, usefulKeeps: false,
                                                stageKnapsacks: false)

        public var description: String {
            let names = [(noKeepWhileRecomputing, "no-keep-while-recomputing"), (usefulRecomputations, "useful-recomputations"),
                         (usefulKeeps, "useful-keeps"), (stageKnapsacks, "stage-knapsacks")].filter(\.0).map(\.1)
            return names.isEmpty ? "none" : names.joined(separator: "+")
        }
    }

    /// Above this many later touchers, a free's exclusions are one aggregated row.
    public static let pairwiseLimit = 8

    public let problem: RematProblem
    public let strengthenings: Strengthenings
    public private(set) var model = Model(name: "remat-checkmate")
    /// Number of positions (operators).
    public let n: Int
    /// Per operator: its position in the given order.
    let position: [Int]
    /// Per tensor: its producer's position, nil for tensors the schedule does not make.
    let producerPosition: [Int?]
    /// Per tensor: the positions of its readers, ascending.
    let readerPositions: [[Int]]
    /// Per position: the tracked activations it writes and reads.
    let writes: [[Int]]
    let readsAt: [[Int]]
    /// Per tensor: the last stage with an S variable (n for graph outputs, n − 1 otherwise).
    let lastStage: [Int]
    /// Bytes of a tensor in model units.
    let unit: Double
    private(set) var r: [[Variable]] = []
    /// s[v][t − P(v) − 1] for P(v) < t ≤ lastStage(v).
    private(set) var s: [[Variable]] = []
    /// Per stage and position: the values that may be freed after it.
    private(set) var f: [[[(tensor: Int, variable: Variable)]]] = []
    private(set) var u: [[Variable]] = []
    /// Per row of ``model``: whether it defines a U variable (a neighbourhood's
    /// MILP states those rows another way, ``CheckmateLNS/neighbourhoodModel(_:fixing:at:)``).
    private(set) var isMemoryRow: [Bool] = []

    /// Builds the model. O(size), see the type's doc.
    public init(_ problem: RematProblem, strengthenings: Strengthenings = .all) {
        self.problem = problem
        self.strengthenings = strengthenings
        let n = problem.operatorCount
        self.n = n
        var position = [Int](repeating: 0, count: n)
        for (p, o) in problem.order.enumerated() { position[o] = p }
        self.position = position
        var producerPosition = [Int?](repeating: nil, count: problem.bytes.count)
        for (t, producer) in problem.producers.enumerated() {
            if let producer, problem.graph.tensors[t].kind == .activation { producerPosition[t] = position[producer] }
        }
        self.producerPosition = producerPosition
        readerPositions = problem.readers.map { $0.map { position[$0] }.sorted() }
        writes = problem.order.map { o in problem.outputs[o].filter { producerPosition[$0] != nil } }
        readsAt = problem.order.map { o in problem.reads[o].filter { producerPosition[$0] != nil } }
        lastStage = problem.bytes.indices.map { problem.isGraphOutput[$0] ? n : n - 1 }
        unit = problem.budget > 1_000_000 ? 1_000_000 / Double(problem.budget) : 1
        build()
    }

    /// S[t,v], nil where it is 0 by definition.
    func keep(_ t: Int, _ v: Int) -> Variable? {
        guard let p = producerPosition[v], t > p, t <= lastStage[v] else { return nil }
        return s[v][t - p - 1]
    }

    func bytes(_ v: Int) -> Double { Double(problem.bytes[v]) * unit }

    private mutating func build() {
        let strong = strengthenings
        var memoryRows: [Int] = []
        for t in 0 ..< n {
            r.append((0 ... t).map { model.addBinary(name: "R_\(t)_\($0)") })
            model.setBounds(of: r[t][t], lower: 1, upper: 1)
        }
        s = [[Variable]](repeating: [], count: problem.bytes.count)
        for v in producerPosition.indices {
            guard let p = producerPosition[v], lastStage[v] > p else { continue }
            s[v] = (p + 1 ... lastStage[v]).map { model.addBinary(name: "S_\($0)_\(v)") }
            if problem.isGraphOutput[v], let end = s[v].last { model.setBounds(of: end, lower: 1, upper: 1) }
        }
        // Frees and memory, stage by stage.
        for t in 0 ..< n {
            var stageFrees = [[(tensor: Int, variable: Variable)]](repeating: [], count: t + 1)
            for k in 0 ... t {
                var touched = readsAt[k]
                for v in writes[k] where !touched.contains(v) { touched.append(v) }
                for v in touched {
                    guard let p = producerPosition[v] else { continue }
                    if k == p, t > p, strong.usefulRecomputations, writes[k].count == 1 { continue }
                    // Fixed at 0: the stage's own operator touches v after k, or v is a graph output at the end.
                    if k < t, readsAt[t].contains(v) { continue }
                    if t == n - 1, problem.isGraphOutput[v] { continue }
                    let free = model.addBinary(name: "F_\(t)_\(v)_\(k)")
                    stageFrees[k].append((v, free))
                    model.add(free - r[t][k] <= 0)
                    if let next = keep(t + 1, v) { model.add(free + next <= 1) }
                    let later = readerPositions[v].filter { $0 > k && $0 <= t }
                    if later.count <= Self.pairwiseLimit {
                        for j in later { model.add(free + r[t][j] <= 1) }
                    } else {
                        var row = Double(later.count) * LinearExpression(free)
                        for j in later { row += r[t][j] }
                        model.add(row <= Double(later.count))
                    }
                }
            }
            f.append(stageFrees)
            var row: [Variable] = []
            for k in 0 ... t {
                let memory = model.addVariable(lower: 0, upper: Double(problem.budget) * unit, name: "U_\(t)_\(k)")
                var definition = LinearExpression(memory)
                if k == 0 {
                    for v in producerPosition.indices { if let kept = keep(t, v), problem.bytes[v] > 0 { definition -= bytes(v) * kept } }
                } else {
                    definition -= LinearExpression(row[k - 1])
                    for (v, free) in stageFrees[k - 1] where problem.bytes[v] > 0 { definition += bytes(v) * free }
                }
                let made = writes[k].reduce(0.0) { $0 + bytes($1) }
                if made > 0 { definition -= made * r[t][k] }
                memoryRows.append(model.add(definition == 0))
                row.append(memory)
            }
            u.append(row)
        }
        for t in 0 ..< n {
            // Dependencies.
            for k in 0 ... t {
                for v in readsAt[k] {
                    guard let p = producerPosition[v] else { continue }
                    var row = r[t][k] - r[t][p]
                    if let kept = keep(t, v) { row -= kept }
                    model.add(row <= 0)
                }
            }
            // Carry into stage t + 1.
            for v in producerPosition.indices {
                guard let p = producerPosition[v], p <= t, let next = keep(t + 1, v) else { continue }
                var row = LinearExpression(next) - r[t][p]
                if let kept = keep(t, v) { row -= kept }
                model.add(row <= 0)
                if strong.usefulKeeps, let kept = keep(t, v) {
                    var useful = LinearExpression(kept) - next
                    for j in readerPositions[v] where j <= t { useful -= r[t][j] }
                    model.add(useful <= 0)
                }
            }
            if strong.usefulKeeps {
                // Kept into the last stage and not carried beyond: read there.
                for v in producerPosition.indices where t == n - 1 {
                    guard let kept = keep(t, v), keep(t + 1, v) == nil else { continue }
                    var useful = LinearExpression(kept)
                    for j in readerPositions[v] where j <= t { useful -= r[t][j] }
                    model.add(useful <= 0)
                }
            }
            if strong.noKeepWhileRecomputing {
                for v in producerPosition.indices {
                    guard let p = producerPosition[v], p < t, let kept = keep(t, v) else { continue }
                    model.add(kept + r[t][p] <= 1)
                }
            }
            if strong.usefulRecomputations {
                for i in 0 ..< t {
                    var useful = LinearExpression(r[t][i])
                    for v in writes[i] {
                        if let next = keep(t + 1, v) { useful -= next }
                        for j in readerPositions[v] where j <= t { useful -= r[t][j] }
                    }
                    model.add(useful <= 0)
                }
            }
        }
        if strong.stageKnapsacks {
            for t in 0 ..< n {
                var touched = Set(readsAt[t])
                touched.formUnion(writes[t])
                let fixed = touched.reduce(0.0) { $0 + bytes($1) }
                var row = LinearExpression()
                for v in producerPosition.indices where !touched.contains(v) && problem.bytes[v] > 0 {
                    if let next = keep(t + 1, v) { row += bytes(v) * next }
                }
                if !row.terms.isEmpty { model.add(row <= Double(problem.budget) * unit - fixed) }
            }
        }
        var objective = LinearExpression()
        for t in 0 ..< n {
            for i in 0 ... t where problem.costs[problem.order[i]] != 0 { objective += problem.costs[problem.order[i]] * r[t][i] }
        }
        model.minimize(objective)
        isMemoryRow = [Bool](repeating: false, count: model.constraintCount)
        for row in memoryRows { isMemoryRow[row] = true }
    }

    /// The number of binaries and rows this formulation would have, without
    /// building it (to decide whether to try it). O(n · (n + edges)).
    public static func estimatedVariables(_ problem: RematProblem) -> Int {
        let n = problem.operatorCount
        var total = n * (n + 1)  // R and U
        let position = problem.order.enumerated().reduce(into: [Int](repeating: 0, count: n)) { $0[$1.element] = $1.offset }
        for v in problem.bytes.indices {
            guard let producer = problem.producers[v], problem.graph.tensors[v].kind == .activation else { continue }
            let span = n - position[producer]
            total += span * (2 + problem.readers[v].count)
        }
        return total
    }

    /// The LP relaxation: the same model with every binary continuous in [0, 1].
    public var relaxation: Model {
        var relaxed = model
        for j in 0 ..< relaxed.variableCount where relaxed.info(Variable(index: j)).kind != .continuous {
            relaxed.setKind(of: Variable(index: j), to: .continuous)
        }
        return relaxed
    }

    /// Per stage t (0 ... n), each tracked activation's S[t,v] in `values`
    /// (a solution of ``model`` or of ``relaxation``), as a dictionary of
    /// the tensors where it is positive.
    public func keeps(from values: [Double]) -> [[Int: Double]] {
        var result = [[Int: Double]](repeating: [:], count: n + 1)
        for v in s.indices {
            guard let p = producerPosition[v] else { continue }
            for (offset, variable) in s[v].enumerated() where values[variable.index] > 0 { result[p + 1 + offset][v] = values[variable.index] }
        }
        return result
    }

    /// The stage schedule of a solution: per stage, the positions that run.
    public func stages(from values: [Double]) -> [[Int]] {
        (0 ..< n).map { t in (0 ... t).filter { values[r[t][$0].index] > 0.5 } }
    }

    /// The operator sequence of stages of positions.
    public func schedule(of stages: [[Int]]) -> [Int] {
        stages.flatMap { $0.map { problem.order[$0] } }
    }

    /// A solution for the stage schedule `stages` (positions per stage,
    /// ascending, stage t ending with t) with its earliest frees, nil when
    /// it is not one the formulation admits (it then is not a valid start).
    /// O(steps + their reads + variables).
    public func values(for stages: [[Int]]) -> [Double]? {
        guard stages.count == n else { return nil }
        let schedule = schedule(of: stages)
        let evaluation = problem.evaluate(schedule)
        guard evaluation.isValid else { return nil }
        var values = [Double](repeating: 0, count: model.variableCount)
        var resident = Set<Int>()
        var step = 0
        for t in 0 ..< n {
            guard stages[t].last == t else { return nil }
            for v in resident { if let kept = keep(t, v) { values[kept.index] = 1 } else { return nil } }
            var running = 0.0
            for v in resident { running += bytes(v) }
            var previous = -1
            for k in stages[t] {
                guard k > previous, k <= t else { return nil }
                for between in previous + 1 ..< k where between >= 0 {
                    values[u[t][between].index] = running
                }
                values[r[t][k].index] = 1
                for v in evaluation.allocations[step] where producerPosition[v] != nil {
                    resident.insert(v)
                    running += bytes(v)
                }
                values[u[t][k].index] = running
                for v in evaluation.frees[step] where producerPosition[v] != nil {
                    guard let free = f[t][k].first(where: { $0.tensor == v }) else { return nil }
                    values[free.variable.index] = 1
                    resident.remove(v)
                    running -= bytes(v)
                }
                previous = k
                step += 1
            }
        }
        for v in resident { if let end = keep(n, v) { values[end.index] = 1 } }
        return values
    }
}
