import Allocation
import Testing
@testable import Offload
@testable import MILP

/// The dense warm simplex against GLPK: on the offload LPs it is used for
/// (cold, and re-solved warm as nb changes), on small LPs with every row
/// kind, and on seeded random LPs (feasible, infeasible and unbounded).
@Suite struct WarmSimplexTests {
    static let shapes: [TransformerShape] = [
        .opt30b, .opt175b, LayerSizesTests.llama2_7b, LayerSizesTests.llama2_70b, LayerSizesTests.mistral7b,
    ]

    static func workload(_ hardware: HardwareProfile) -> OffloadWorkload {
        OffloadWorkload(gpuBytes: Double(hardware.gpuMemory), cpuBytes: Double(hardware.cpuMemory), diskBytes: Double(hardware.disk))
    }

    /// The solution satisfies every row and bound of the model (to 10⁻⁷ relative).
    static func violations(_ model: Model, _ values: [Double]) -> [String] {
        var problems: [String] = []
        for r in 0 ..< model.constraintCount {
            let value = model.row(r).reduce(0) { $0 + $1.coefficient * values[$1.column] }
            let slack = 1e-7 * max(1, abs(model.rowLower[r].isFinite ? model.rowLower[r] : 0), abs(model.rowUpper[r].isFinite ? model.rowUpper[r] : 0))
            if value < model.rowLower[r] - slack || value > model.rowUpper[r] + slack { problems.append(model.rowNames[r] ?? "row \(r)") }
        }
        for (j, info) in model.variables.enumerated() where values[j] < info.lower - 1e-9 || values[j] > info.upper + 1e-9 {
            problems.append("bound of \(info.name ?? "x\(j)")")
        }
        return problems
    }

    @Test(arguments: ["t4", "rtx4090"])
    func agreesWithGLPKOnFlexGenLPs(_ profileName: String) throws {
        let hardware = try #require(HardwareProfile.builtIn[profileName])
        var disagreements: [String] = []
        var feasible = 0, infeasible = 0
        for shape in Self.shapes {
            for sizes in [LayerSizes.flexGen(shape, compressWeights: false), .exact(shape, weights: .fp16, cache: .fp16)] {
                for gbs in [1, 3, 32, 128] {
                    for nb in [1, 5, 64, 300] {
                        let cost = FlexGenCostModel(shape: shape, hardware: hardware, workload: Self.workload(hardware), gbs: gbs, nb: nb, sizes: sizes)
                        let model = FlexGenLP(cost: cost, pinned: nil).build().model
                        let glpk = GLPKSolver().solve(model)
                        let dense = DenseSimplexSolver().solve(model)
                        if glpk.status != dense.status {
                            disagreements.append("\(shape.name) gbs \(gbs) nb \(nb): GLPK \(glpk.status), dense \(dense.status)")
                            continue
                        }
                        guard glpk.status == .optimal, let a = glpk.objective, let b = dense.objective else { infeasible += 1; continue }
                        feasible += 1
                        if abs(a - b) > 1e-7 * abs(a) { disagreements.append("\(shape.name) gbs \(gbs) nb \(nb): \(a) vs \(b)") }
                        disagreements += Self.violations(model, dense.values).map { "\(shape.name) gbs \(gbs) nb \(nb): \($0) violated" }
                    }
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        #expect(feasible > 50 && infeasible > 10, "\(feasible) feasible, \(infeasible) infeasible")
    }

    /// Exact mode's LP: warm re-solves across nb give GLPK's optimum on a
    /// freshly built model at every nb, feasible or not.
    @Test(arguments: ["llama-2-70b@a100-40gb", "opt-30b@t4", "mistral-7b@rtx4090"])
    func warmPlacementLPsAgreeWithColdGLPK(_ label: String) throws {
        let parts = label.split(separator: "@").map(String.init)
        let shape = try #require(Self.shapes.first { $0.name == parts[0] })
        let hardware = try #require(HardwareProfile.builtIn[parts[1]])
        let search = PlacementSearch(shape: shape, hardware: hardware, workload: Self.workload(hardware),
                                     sizes: .exact(shape, weights: .fp16, cache: .fp16))
        var disagreements: [String] = []
        var feasible = 0
        for gbs in [2, 16] {
            var sweep = OffloadTiming.PlacementSweep(search, gbs: gbs)
            for nb in [2, 3, 4, 7, 12, 40, 41, 200, 3, 90] {
                let warm = sweep.solve(nb: nb), cold = sweep.coldGLPK(nb: nb)
                switch (warm, cold) {
                case (nil, nil): continue
                case (let a?, let b?):
                    feasible += 1
                    if abs(a - b) > 1e-7 * b { disagreements.append("gbs \(gbs) nb \(nb): warm \(a), GLPK \(b)") }
                default: disagreements.append("gbs \(gbs) nb \(nb): warm \(String(describing: warm)), GLPK \(String(describing: cold))")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements)")
        #expect(feasible >= 6)
    }

    @Test func interpolatedDataEqualFreshlyBuiltModels() throws {
        // FlexGen's LP from nb = 1 and 2; exact mode's from nb = 2 and 3.
        let flexgen = PolicySearch(shape: .opt175b, hardware: .t4, workload: .reference(alpha: 0.8))
        let lp = PolicySearch.ShapeLP(flexgen, gbs: 8, reusing: nil)
        for nb in [3, 17, 250] {
            let fresh = PolicySearch.ShapeLP.withTimeObjective(DenseLP(FlexGenLP(cost: flexgen.costModel(gbs: 8, nb: nb), pinned: nil).build().model),
                                                               lp.prefill, lp.decode, 96, 32)
            #expect(Self.close(lp.data(nb: nb), fresh), "FlexGen nb \(nb)")
        }
        let shape = LayerSizesTests.llama2_70b
        let exact = PlacementSearch(shape: shape, hardware: .a100_40gb, workload: Self.workload(.a100_40gb),
                                    sizes: .exact(shape, weights: .fp16, cache: .fp16))
        let placement = PlacementSearch.ShapeLP(exact, chain: exact.chain, gbs: 4, reusing: nil)
        for nb in [4, 33, 500] {
            let fresh = DenseLP(PlacementProgram(cost: exact.costModel(gbs: 4, nb: nb, chain: exact.chain), integer: false,
                                                 segments: exact.segments).build().model)
            #expect(Self.close(placement.data(nb: nb), fresh), "exact nb \(nb)")
        }
    }

    static func close(_ a: DenseLP, _ b: DenseLP) -> Bool {
        func same(_ x: [Double], _ y: [Double]) -> Bool {
            x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || abs($0 - $1) <= 1e-9 * max(abs($0), abs($1)) }
        }
        return same(a.lower, b.lower) && same(a.upper, b.upper) && same(a.matrix, b.matrix) && same(a.rowLower, b.rowLower)
            && same(a.rowUpper, b.rowUpper) && same(a.objective, b.objective)
    }

    @Test func smallLPsWithEveryRowKind() {
        // min −x − 2y  s.t. x + y ≤ 4, 1 ≤ x − y ≤ 3 (ranged), y = 1 + z, z fixed at 0.5, x ≤ 2.5.
        var model = Model()
        let x = model.addVariable(upper: 2.5), y = model.addVariable(), z = model.addVariable(lower: 0.5, upper: 0.5)
        model.add(x + y <= 4)
        model.add(LinearConstraint(x - y, in: 1 ... 3))
        model.add(y - z == 1)
        model.minimize(-1 * x - 2 * y)
        let dense = DenseSimplexSolver().solve(model), glpk = GLPKSolver().solve(model)
        #expect(dense.status == .optimal)
        #expect(abs(dense.values[x.index] - 2.5) < 1e-9 && abs(dense.values[y.index] - 1.5) < 1e-9)
        #expect(abs(dense.objective! - glpk.objective!) < 1e-9)
        // Infeasible: x ≥ 3 with x ≤ 2.5.
        var infeasible = model
        infeasible.add(LinearExpression(x) >= 3)
        #expect(DenseSimplexSolver().solve(infeasible).status == .infeasible)
        // Unbounded: a free variable with a negative cost and no row bounding it below.
        var unbounded = Model()
        let f = unbounded.addVariable(lower: -.infinity, upper: .infinity)
        let g = unbounded.addVariable()
        unbounded.add(f - g <= 1)
        unbounded.minimize(LinearExpression(f))
        #expect(DenseSimplexSolver().solve(unbounded).status == .unbounded)
    }

    /// Allocation's SplitMix64, for reproducible random LPs.
    struct Random {
        var source: SplitMix64
        init(state: UInt64) { source = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { source.next() }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    }

    @Test func seededRandomLPsAgreeWithGLPKAndWarmRestartsToo() {
        var random = Random(state: 2024)
        var statuses: [SolveStatus: Int] = [:]
        var disagreements: [String] = []
        for trial in 0 ..< 150 {
            let n = random.int(2 ... 8), m = random.int(1 ... 8)
            var model = Model()
            let variables = (0 ..< n).map { _ -> Variable in
                switch random.int(0 ... 3) {
                case 0: return model.addVariable(lower: 0, upper: .infinity)
                case 1: return model.addVariable(lower: -5 + 5 * random.uniform(), upper: 1 + 5 * random.uniform())
                case 2: return model.addVariable(lower: -.infinity, upper: .infinity)
                default: return model.addVariable(lower: -.infinity, upper: 3 * random.uniform())
                }
            }
            for _ in 0 ..< m {
                var row = LinearExpression()
                for v in variables where random.uniform() < 0.7 { row += (random.uniform() * 4 - 2) * v }
                let a = random.uniform() * 10 - 5
                switch random.int(0 ... 3) {
                case 0: model.add(row <= a)
                case 1: model.add(row >= a)
                case 2: model.add(row == a)
                default: model.add(LinearConstraint(row, in: a ... a + 3 * random.uniform()))
                }
            }
            var objective = LinearExpression()
            for v in variables { objective += (random.uniform() * 2 - 1) * v }
            model.minimize(objective)
            let glpk = GLPKSolver(cuts: false).solve(model), dense = DenseSimplexSolver().solve(model)
            statuses[glpk.status, default: 0] += 1
            if glpk.status != dense.status {
                disagreements.append("trial \(trial): GLPK \(glpk.status), dense \(dense.status)")
                continue
            }
            if glpk.status == .optimal, let a = glpk.objective, let b = dense.objective {
                if abs(a - b) > 1e-7 * max(1, abs(a)) { disagreements.append("trial \(trial): \(a) vs \(b)") }
                disagreements += Self.violations(model, dense.values).map { "trial \(trial): \($0)" }
                // A warm restart after perturbing the right-hand sides still finds GLPK's optimum.
                var simplex = WarmSimplex(DenseLP(model))
                _ = simplex.solve()
                var moved = DenseLP(model)
                for r in moved.rowLower.indices {
                    if moved.rowLower[r].isFinite { moved.rowLower[r] += 0.1 }
                    if moved.rowUpper[r].isFinite { moved.rowUpper[r] += 0.1 }
                }
                simplex.update(moved)
                let warm = simplex.solve()
                var shifted = Model()
                for info in model.variables { shifted.addVariable(lower: info.lower, upper: info.upper) }
                for r in 0 ..< model.constraintCount {
                    var row = LinearExpression()
                    for (j, c) in model.row(r) { row += c * Variable(index: j) }
                    shifted.add(LinearConstraint(row, lower: moved.rowLower[r], upper: moved.rowUpper[r]))
                }
                shifted.minimize(model.objective)
                let reference = GLPKSolver(cuts: false).solve(shifted)
                switch (warm, reference.status) {
                case (.optimal(let values), .optimal):
                    let value = shifted.objective.value(at: values)
                    if abs(value - reference.objective!) > 1e-7 * max(1, abs(value)) {
                        disagreements.append("trial \(trial) warm: \(value) vs \(reference.objective!)")
                    }
                case (.infeasible, .infeasible), (.unbounded, .unbounded): break
                default: disagreements.append("trial \(trial) warm: \(warm) vs GLPK \(reference.status)")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        #expect((statuses[.optimal] ?? 0) > 20 && (statuses[.infeasible] ?? 0) > 5, "\(statuses)")
    }

    @Test func theWarmSearchAgreesWithTheGLPKSearch() {
        for shape in [TransformerShape.opt30b, LayerSizesTests.mistral7b] {
            var warm = PolicySearch(shape: shape, hardware: .t4, workload: .reference(alpha: 0.8))
            warm.maximumBatches = 48  // keeps the debug-mode test short; Mistral's flat sweep still runs to the cap
            var cold = warm
            cold.warmStart = false
            let a = warm.run(), b = cold.run()
            #expect(a.lpSolves == b.lpSolves && a.fallbacks == 0)
            #expect(a.best?.policy.gbs == b.best?.policy.gbs && a.best?.policy.nb == b.best?.policy.nb)
            #expect(abs((a.best?.throughput ?? 0) - (b.best?.throughput ?? 1)) < 1e-7 * (b.best?.throughput ?? 1))
        }
    }
}
