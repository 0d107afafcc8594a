import Testing
@testable import Offload
@testable import MILP

/// The dense simplex against GLPK on the offload LPs it is used for, and on
/// small LPs with equalities, ranges, fixed variables and infeasibility.
@Suite struct DenseSimplexTests {
    static let shapes: [TransformerShape] = [
        .opt30b, .opt175b, LayerSizesTests.llama2_7b, LayerSizesTests.llama2_70b, LayerSizesTests.mistral7b,
    ]

    @Test(arguments: ["t4", "rtx4090"])
    func agreesWithGLPKOnOffloadLPs(_ profileName: String) throws {
        let hardware = try #require(HardwareProfile.builtIn[profileName])
        var disagreements: [String] = []
        var feasible = 0, infeasible = 0
        for shape in Self.shapes {
            for sizes in [LayerSizes.flexGen(shape, compressWeights: false), .exact(shape, weights: .fp16, cache: .fp16)] {
                let workload = OffloadWorkload(gpuBytes: hardware.gpuMemoryGB * Units.gigabyte, cpuBytes: hardware.cpuMemoryGB * Units.gigabyte,
                                               diskBytes: hardware.diskGB * Units.gigabyte)
                for gbs in [1, 3, 32, 128] {
                    for nb in [1, 5, 64, 300] {
                        let cost = FlexGenCostModel(shape: shape, hardware: hardware, workload: workload, gbs: gbs, nb: nb, sizes: sizes)
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
                        // The dense solution satisfies every row.
                        for r in 0 ..< model.constraintCount {
                            let value = model.row(r).reduce(0) { $0 + $1.coefficient * dense.values[$1.column] }
                            let slack = 1e-7 * max(1, abs(model.rowLower[r].isFinite ? model.rowLower[r] : 0), abs(model.rowUpper[r].isFinite ? model.rowUpper[r] : 0))
                            if value < model.rowLower[r] - slack || value > model.rowUpper[r] + slack {
                                disagreements.append("\(shape.name) gbs \(gbs) nb \(nb): row \(model.rowNames[r] ?? "\(r)") violated")
                            }
                        }
                    }
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        #expect(feasible > 50 && infeasible > 10, "\(feasible) feasible, \(infeasible) infeasible")
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
        model.add(LinearExpression(x) >= 3)
        #expect(DenseSimplexSolver().solve(model).status == .infeasible)
    }

    @Test func theDefaultSearchAgreesWithTheGLPKSearch() {
        for shape in [TransformerShape.opt30b, LayerSizesTests.mistral7b] {
            var fast = PolicySearch(shape: shape, hardware: .t4, workload: .reference(alpha: 0.8))
            fast.maximumBatches = 48  // keeps the debug-mode test short; Mistral's flat sweep still runs to the cap
            fast.solver = DenseSimplexSolver()
            var glpk = fast
            glpk.solver = GLPKSolver(cuts: false)
            let a = fast.run(), b = glpk.run()
            #expect(a.lpSolves == b.lpSolves)
            #expect(a.best?.policy.gbs == b.best?.policy.gbs && a.best?.policy.nb == b.best?.policy.nb)
            #expect(abs((a.best?.throughput ?? 0) - (b.best?.throughput ?? 1)) < 1e-7 * (b.best?.throughput ?? 1))
        }
    }
}
