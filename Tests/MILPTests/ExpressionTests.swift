import Testing
@testable import MILP

@Suite struct ExpressionTests {
    @Test func operatorsBuildTheExpectedTerms() {
        var model = Model()
        let x = model.addVariable(name: "x")
        let y = model.addVariable(name: "y")
        let e = 2 * x + y - 3
        #expect(e.terms == [Term(2, x), Term(1, y)])
        #expect(e.constant == -3)
        let f = -(x - 2 * y) * 3 + 1
        #expect(f.normalized().terms == [Term(-3, x), Term(6, y)])
        #expect(f.constant == 1)
    }

    @Test func normalizationMergesRepeatsAndDropsZeros() {
        let x = Variable(index: 3), y = Variable(index: 1), z = Variable(index: 2)
        var e = LinearExpression()
        e += 2 * x
        e += y
        e += 5 * z
        e -= 2 * x
        e += 4 * y
        #expect(e.normalized().terms == [Term(5, y), Term(5, z)])
    }

    @Test func constantsMoveIntoTheBounds() {
        var model = Model()
        let x = model.addVariable()
        let y = model.addVariable()
        let row = model.add(x + 4 <= y + 10)
        #expect(model.rowUpper[row] == 6)
        #expect(model.rowLower[row] == -.infinity)
        #expect(model.row(row).map(\.coefficient) == [1, -1])
        let range = model.add(LinearConstraint(x + y + 1, in: 2 ... 5))
        #expect(model.rowLower[range] == 1 && model.rowUpper[range] == 4)
        let equal = model.add(x == y)
        #expect(model.rowLower[equal] == 0 && model.rowUpper[equal] == 0)
    }

    @Test func aLongSumKeepsEveryTerm() {
        let variables = (0 ..< 100_000).map { Variable(index: $0) }
        var sum = LinearExpression()
        for v in variables { sum += 1.5 * v }
        #expect(sum.terms.count == 100_000)
        #expect(LinearExpression(sum: variables).normalized().terms.count == 100_000)
    }

    @Test func modelEvaluationFindsViolations() {
        var model = Model()
        let x = model.addInteger(lower: 0, upper: 4, name: "x")
        let y = model.addVariable(lower: 0, upper: 10, name: "y")
        model.add(x + y <= 6, name: "cap")
        model.minimize(x - y + 2)
        #expect(model.violation(at: [1, 5]) == nil)
        #expect(model.objectiveValue(at: [1, 5]) == -2)
        #expect(model.violation(at: [1.5, 0])?.contains("integer variable x") == true)
        #expect(model.violation(at: [2, 5])?.contains("cap") == true)
        #expect(model.violation(at: [5, 0])?.contains("above its upper bound") == true)
    }
}
