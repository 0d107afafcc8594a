import Testing
@testable import MILP

/// The audit every returned solution goes through (``SolutionAudit``).
@Suite struct SolutionAuditTests {
    @Test func bigMRowsAreCheckedWithIntegersRounded() {
        // x ≤ 1e6·y: GLPK's integrality tolerance (1e-5) accepts y = 1e-6
        // as 0 and sets x = 1, which the model forbids.
        var model = Model()
        let x = model.addBinary(name: "x")
        let y = model.addBinary(name: "y")
        model.add(x - 1e6 * y <= 0, name: "link")
        model.maximize(x - 0.5 * y)
        #expect(SolutionAudit.check([1, 1e-6], in: model) == .rejected("row 'link' has activity 1.0 above its upper bound 0.0"))
        #expect(SolutionAudit.check([1, 1 - 1e-7], in: model) == .accepted(values: [1, 1], objective: 0.5))
        #expect(SolutionAudit.check([0.5, 1], in: model) == .rejected("integer variable x = 0.5 is not integral"))
    }

    @Test func integralRowsAreCheckedExactly() {
        // 1e9·x + y + z ≤ 2e9 with x = 2, y = 7, z = 4: 11 too much, which a
        // relative tolerance of 1e-6 (2,000) would let through.
        var model = Model()
        let x = model.addInteger(lower: 0, upper: 5)
        let y = model.addInteger(lower: 0, upper: 7)
        let z = model.addInteger(lower: 0, upper: 9)
        model.add(1e9 * x + y + z <= 2e9, name: "c2")
        model.add(3 * x + 5 * y + 1e9 * z <= 4e9, name: "c3")
        model.maximize(x + 2 * y + 4 * z)
        guard case .rejected(let reason) = SolutionAudit.check([2, 7, 4], in: model) else {
            Issue.record("the point violates c2")
            return
        }
        #expect(reason.hasPrefix("row 'c2'"))
        #expect(SolutionAudit.check([1, 7, 3], in: model) == .accepted(values: [1, 7, 3], objective: 27))
    }

    @Test func continuousValuesGetARelativeTolerance() {
        var model = Model()
        let x = model.addVariable(lower: 0, upper: 1, name: "x")
        let w = model.addVariable(lower: 0, upper: 1e6, name: "w")
        model.add(0.5 * x + w <= 1e5, name: "cap")
        model.minimize(-x - w)
        // Within tolerance: clamped to the bound, accepted.
        #expect(SolutionAudit.check([1 + 1e-9, 1e5 - 0.5], in: model) == .accepted(values: [1, 1e5 - 0.5], objective: -1e5 - 0.5))
        let nearBound = SolutionAudit.check([1, 1e5 - 0.5 + 0.05], in: model)
        #expect({ if case .accepted = nearBound { true } else { false } }(), "\(nearBound)")
        // Beyond it: rejected.
        #expect(SolutionAudit.check([1.01, 0], in: model) == .rejected("variable x = 1.01 is above its upper bound 1.0"))
        #expect(SolutionAudit.check([1, 1e5 + 1], in: model) == .rejected("row 'cap' has activity 100001.5 above its upper bound 100000.0"))
        #expect(SolutionAudit.check([1], in: model) == .rejected("it has 1 values for 2 variables"))
        #expect(SolutionAudit.check([.nan, 1], in: model) == .rejected("variable x is nan"))
    }
}
