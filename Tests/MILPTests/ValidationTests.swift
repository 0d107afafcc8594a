import Testing
@testable import MILP

/// The accepted ranges of ``Model/validate()`` at their boundaries, and what
/// both backends do with numbers outside them (never reach the C libraries).
@Suite struct ValidationTests {
    /// min x + y subject to `a·x + y ≥ 1`, x, y in [0, 10], named.
    static func model(coefficient a: Double = 1, objective c: Double = 1, rhs: Double = 1,
                      upper: Double = 10, lower: Double = 0) -> Model {
        var model = Model(name: "ranges")
        let x = model.addVariable(lower: lower, upper: upper, name: "x")
        let y = model.addVariable(lower: 0, upper: 10, name: "y")
        model.add(a * x + y >= rhs, name: "cover")
        model.minimize(c * x + y)
        return model
    }

    @Test(arguments: [1e15, -1e15, 1e-12, -1e-12, 0, 3.5])
    func coefficientsInRangeAreAccepted(_ value: Double) throws {
        try Self.model(coefficient: value).validate()
        try Self.model(objective: value).validate()
    }

    @Test(arguments: [1.0000001e15, -2e15, 1e30, 9.9e-13, -1e-300, .infinity, -.infinity, .nan])
    func constraintCoefficientsOutOfRangeNameTheirRowAndColumn(_ value: Double) {
        #expect {
            try Self.model(coefficient: value).validate()
        } throws: { error in
            guard let error = error as? ModelDataError else { return false }
            return error.place == .coefficient(row: 0, column: 0)
                && error.description.hasPrefix("row 'cover', column 'x': coefficient")
        }
    }

    @Test(arguments: [1.0000001e15, -2e15, 1e30, .infinity, -.infinity, .nan])
    func objectiveCoefficientsOutOfRangeNameTheirColumn(_ value: Double) {
        #expect {
            try Self.model(objective: value).validate()
        } throws: { error in
            (error as? ModelDataError)?.description.hasPrefix("objective, column 'x': coefficient") == true
        }
    }

    /// Tie-breaking weights (the offload MILP uses 1e-16) are fine.
    @Test(arguments: [9.9e-13, 1e-16, -1e-300])
    func tinyObjectiveCoefficientsAreAccepted(_ value: Double) throws {
        try Self.model(objective: value).validate()
    }

    @Test func boundsUpTo1e15AreFiniteFrom1e30Infinite() throws {
        try Self.model(upper: 1e15).validate()
        try Self.model(rhs: -1e15).validate()
        try Self.model(upper: 1e30).validate()
        try Self.model(upper: .infinity).validate()
        try Self.model(lower: -1e300).validate()
        for bad in [Self.model(upper: 1.5e15), Self.model(lower: -1e20), Self.model(rhs: 1e29), Self.model(lower: 1e30),
                    Self.model(upper: -1e30), Self.model(lower: .nan), Self.model(rhs: .nan)] {
            #expect(throws: ModelDataError.self) { try bad.validate() }
        }
        // Unnamed rows and columns are named by index.
        var unnamed = Model()
        let v = unnamed.addVariable(upper: 4e15)
        unnamed.minimize(LinearExpression(v))
        #expect(unnamed.dataError() == "column 0: upper bound 4000000000000000.0 is beyond ±1e15 (bounds at or beyond ±1e30 mean infinite)")
    }

    @Test func theObjectiveConstantIsRangeChecked() throws {
        var model = Self.model()
        model.setObjective(model.objective + 1e15, sense: .minimize)
        try model.validate()
        model.setObjective(model.objective + 1e16, sense: .minimize)
        #expect(throws: ModelDataError.self) { try model.validate() }
    }

    /// The coefficient that made CLP abort the process (it asserts that
    /// objective coefficients are below 1e25) and GLPK print an infinite
    /// objective: now an error result naming the place, from both backends.
    @Test(arguments: SolverUnderTest.allCases)
    func outOfRangeDataIsAnErrorResultNotACrash(_ backend: SolverUnderTest) throws {
        var model = Model(name: "assert")
        let x = model.addBinary(name: "x")
        let y = model.addBinary(name: "y")
        model.add(x + y >= 1, name: "c2")
        model.minimize(1e30 * x + 2 * y)
        let result = backend.solver.solve(model)
        #expect(result.status == .error)
        let error = try #require(result.invalidModel)
        #expect(error.place == .objective(column: 0))
        #expect(result.message?.contains("column 'x'") == true)
    }

    /// Bounds beyond ±1e30 are infinite to both backends: the model GLPK
    /// called optimal at -1e300 and CBC unbounded is unbounded for both.
    @Test(arguments: SolverUnderTest.allCases)
    func hugeBoundsMeanTheSameToBothBackends(_ backend: SolverUnderTest) {
        var model = Model()
        let x = model.addVariable(lower: -1e300, upper: 10)
        let y = model.addVariable(lower: 0, upper: 5)
        model.add(x + y <= 3)
        model.minimize(x + y)
        #expect(backend.solver.solve(model).status == .unbounded)
        var bounded = model
        bounded.setBounds(of: x, lower: -1e15, upper: 10)
        let result = backend.solver.solve(bounded)
        #expect(result.status == .optimal && result.objective == -1e15, "\(result)")
    }

    @Test(arguments: SolverUnderTest.allCases)
    func anEmptyRowThatExcludesZeroIsInfeasibleForBoth(_ backend: SolverUnderTest) {
        var model = Model()
        let x = model.addInteger(lower: 0, upper: 3)
        model.add(0 * x >= 1, name: "empty")
        model.maximize(LinearExpression(x))
        let result = backend.solver.solve(model)
        #expect(result.status == .infeasible)
        #expect(result.message?.contains("'empty'") == true)
    }
}
