import Testing
@testable import MILP

/// GLPK aborts the process on an internal error (an assertion in its
/// simplex on a badly conditioned basis ended a `stowage remat --solver
/// glpk` run on U-Net that way); the guard catches it and frees GLPK's
/// environment instead.
@Suite struct GLPKGuardTests {
    @Test("an internal GLPK error inside the guard is caught, and GLPK solves on that thread afterwards")
    func internalErrorIsCaught() {
        // Without the guard this call would abort the test process.
        #expect(GLPKEnvironment.guardCatchesInternalErrors())
        // The environment was freed; GLPK makes a new one for the next problem on the same thread.
        var model = Model()
        let x = model.addInteger(lower: 0, upper: 3)
        model.maximize(2 * x)
        let result = GLPKSolver().solve(model)
        #expect(result.status == .optimal && result.objective == 6)
        #expect(GLPKEnvironment.guardCatchesInternalErrors())
    }
}
