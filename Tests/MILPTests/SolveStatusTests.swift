import Testing
@testable import MILP

/// Edge cases every backend must classify the same way.
@Suite struct SolveStatusTests {
    @Test(arguments: SolverUnderTest.allCases)
    func emptyModelIsOptimalAtItsConstant(_ backend: SolverUnderTest) {
        var model = Model()
        model.minimize(LinearExpression(constant: 7))
        let result = backend.solver.solve(model)
        #expect(result.status == .optimal && result.objective == 7)
    }

    @Test(arguments: SolverUnderTest.allCases)
    func modelWithoutRowsSolves(_ backend: SolverUnderTest) {
        var model = Model()
        let x = model.addInteger(lower: -2, upper: 5)
        model.maximize(3 * x + 1)
        let result = backend.solver.solve(model)
        #expect(result.status == .optimal && result.objective == 16 && result.value(x) == 5)
    }

    @Test(arguments: SolverUnderTest.allCases)
    func crossedBoundsAreInfeasibleWithoutASolver(_ backend: SolverUnderTest) {
        var model = Model()
        let x = model.addInteger(lower: 0.2, upper: 0.8, name: "x")
        model.minimize(LinearExpression(x))
        let result = backend.solver.solve(model)
        #expect(result.status == .infeasible)
        #expect(result.message?.contains("x") == true)
    }

    @Test(arguments: SolverUnderTest.allCases)
    func nanDataIsAnErrorNotACrash(_ backend: SolverUnderTest) {
        var model = Model()
        let x = model.addVariable(upper: 1)
        model.add(Double.nan * x <= 1)
        model.minimize(LinearExpression(x))
        #expect(backend.solver.solve(model).status == .error)
    }

    @Test(arguments: SolverUnderTest.allCases)
    func unboundedLP(_ backend: SolverUnderTest) {
        var model = Model()
        let x = model.addVariable(lower: 0)
        let y = model.addVariable(lower: 0)
        model.add(x - y <= 1)
        model.maximize(x + y)
        #expect(backend.solver.solve(model).status == .unbounded)
    }

    @Test(arguments: SolverUnderTest.allCases)
    func integerInfeasibleDespiteFeasibleRelaxation(_ backend: SolverUnderTest) {
        // 2x + 2y = 3 has real solutions but no integer ones.
        var model = Model()
        let x = model.addInteger(lower: 0, upper: 10)
        let y = model.addInteger(lower: 0, upper: 10)
        model.add(2 * x + 2 * y == 3)
        model.minimize(x + y)
        #expect(backend.solver.solve(model).status == .infeasible)
    }

    @Test(arguments: SolverUnderTest.allCases)
    func unboundedRelaxationWithoutIntegerPointIsInfeasible(_ backend: SolverUnderTest) {
        // z free and unbounded, but 2x = 1 forbids every integer x.
        var model = Model()
        let x = model.addInteger(lower: -5, upper: 5)
        let z = model.addVariable(lower: -.infinity, upper: .infinity)
        model.add(2 * x == 1)
        model.maximize(z + x)
        #expect(backend.solver.solve(model).status == .infeasible)
    }
}
