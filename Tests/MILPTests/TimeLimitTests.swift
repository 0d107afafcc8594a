import Testing
import Synchronization
@testable import MILP

@Suite struct TimeLimitTests {
    static let hard = HardInstances.marketSplit(rows: 4, columns: 36, seed: 7)

    /// ``hard`` solved, and solved again (up to 100 times, `beforeRetry` first) while the answer is that the
    /// limit passed waiting for CBC: CBC runs one solve at a time per process and the wait counts against the
    /// limit, so while another test holds CBC for longer than the limit a solve gets no turn at all (a faithful
    /// answer, not the point of these tests); this tries again until it has had CBC for its limit.
    static func solveWhenCBCIsFree(_ solver: any Solver, _ options: SolveOptions, beforeRetry: () -> Void = {}) -> SolveResult {
        var result = solver.solve(hard, options: options)
        for _ in 0 ..< 100 where result.status == .noSolution && (result.message ?? "").contains("waiting for CBC") {
            beforeRetry()
            result = solver.solve(hard, options: options)
        }
        return result
    }

    @Test(arguments: SolverUnderTest.allCases)
    func aTimeLimitReturnsTheIncumbentWithItsGap(_ backend: SolverUnderTest) throws {
        let reports = Mutex<[SolveProgress]>([])
        var options = SolveOptions(timeLimit: 1.5)
        options.progressInterval = 0.2
        options.progress = { progress in reports.withLock { $0.append(progress) } }
        let result = Self.solveWhenCBCIsFree(backend.solver, options) { reports.withLock { $0.removeAll() } }
        #expect(result.status == .feasible, "status \(result.status): \(result.message ?? "")")
        let objective = try #require(result.objective)
        let bound = try #require(result.bound)
        #expect(objective > 0)
        #expect(bound <= objective + 1e-9)
        #expect(bound >= -1e-9, "the slack sum is non-negative, so is any valid bound")
        #expect((result.gap ?? 0) > 0)
        #expect(Self.hard.violation(at: result.values) == nil)
        #expect(abs(Self.hard.objectiveValue(at: result.values) - objective) < 1e-6)
        // The limit is honoured (with slack for the last node and cleanup).
        #expect(result.seconds < 6)
        let seen = reports.withLock { $0 }
        #expect(!seen.isEmpty, "progress was reported")
        #expect(seen.contains { $0.incumbent != nil })
    }

    /// Without CBC's own time limit (as the critical-moment relaxations run it) the driver's deadline
    /// still stops the search at its next node.
    @Test func cbcWithoutItsOwnTimeLimitStopsAtTheDeadline() throws {
        var options = SolveOptions(timeLimit: 1.5)
        options.cbc = options.cbc.avoidingBranchingOverrun()
        let result = Self.solveWhenCBCIsFree(CBCSolver(), options)
        #expect(result.status == .feasible, "status \(result.status): \(result.message ?? "")")
        #expect(result.seconds < 6)
        let objective = try #require(result.objective)
        #expect(Self.hard.violation(at: result.values) == nil)
        #expect(abs(Self.hard.objectiveValue(at: result.values) - objective) < 1e-6)
    }

    /// A CPU limit stops a solve long before its wall-clock limit (CBC by the thread's CPU time, GLPK by the clock).
    @Test(arguments: SolverUnderTest.allCases)
    func aCPULimitStopsTheSearchBeforeTheWallClockLimit(_ backend: SolverUnderTest) throws {
        var options = SolveOptions(timeLimit: 120)
        options.cpuTimeLimit = 1
        // As the planners run it (CheckmateLNS): only the driver's events stop CBC at a CPU limit, as without CBC's own time limit.
        options.cbc = options.cbc.avoidingBranchingOverrun()
        let result = Self.solveWhenCBCIsFree(backend.solver, options)
        #expect(result.status == .feasible, "status \(result.status): \(result.message ?? "")")
        // One CPU second takes longer than a second of the clock while the other suites share the cores, never 120.
        #expect(result.seconds < 40)
        let objective = try #require(result.objective)
        #expect(Self.hard.violation(at: result.values) == nil)
        #expect(abs(Self.hard.objectiveValue(at: result.values) - objective) < 1e-6)
    }

    @Test(arguments: SolverUnderTest.allCases)
    func aWarmStartIsAcceptedAndTheOptimumUnchanged(_ backend: SolverUnderTest) throws {
        var rng = SeededGenerator(seed: 99)
        var model = Model(name: "knapsack-40")
        let items = (0 ..< 40).map { _ in model.addBinary() }
        let weights = items.map { _ in Double(Int.random(in: 5 ... 40, using: &rng)) }
        let values = items.map { _ in Double(Int.random(in: 5 ... 40, using: &rng)) }
        model.add(LinearExpression(sum: zip(weights, items).map { $0 * $1 }) <= 200)
        model.maximize(LinearExpression(sum: zip(values, items).map { $0 * $1 }))
        let cold = backend.solver.solve(model)
        #expect(cold.status == .optimal)
        // A feasible start: take the first items while they fit.
        var start = [Double](repeating: 0, count: 40)
        var load = 0.0
        for j in 0 ..< 40 where load + weights[j] <= 200 {
            start[j] = 1
            load += weights[j]
        }
        var options = SolveOptions()
        options.warmStart = start
        let warm = backend.solver.solve(model, options: options)
        #expect(warm.status == .optimal)
        #expect(warm.objective == cold.objective)
        // An infeasible start is ignored, not trusted.
        options.warmStart = [Double](repeating: 1, count: 40)
        #expect(backend.solver.solve(model, options: options).objective == cold.objective)
    }
}

/// CBC runs one solve at a time per process; waiting for it counts against
/// the caller's limit.
@Suite struct CBCQueueTests {
    @Test func aCallerWhoseLimitPassesWhileWaitingGetsNoSolutionPromptly() {
        var model = Model()
        let x = model.addInteger(lower: 0, upper: 3)
        model.maximize(LinearExpression(x))
        // Another solve holds CBC for longer than this caller's limit.
        #expect(CBCLock.shared.acquire(before: nil))
        let clock = Stopwatch()
        let result = CBCSolver().solve(model, options: SolveOptions(timeLimit: 0.3))
        let waited = clock.seconds
        CBCLock.shared.release()
        #expect(result.status == .noSolution)
        #expect(result.message?.contains("waiting for CBC") == true, "\(result.message ?? "")")
        #expect(waited >= 0.3 && waited < 2.3, "returned after \(waited) s")
        // With CBC free again, the same call solves.
        #expect(CBCSolver().solve(model, options: SolveOptions(timeLimit: 5)).objective == 3)
    }

    @Test(arguments: SolverUnderTest.allCases)
    func anExpiredDeadlineStopsBeforeSolving(_ backend: SolverUnderTest) {
        var options = SolveOptions()
        options.deadline = Deadline(seconds: 0)
        let result = backend.solver.solve(TimeLimitTests.hard, options: options)
        #expect(result.status == .noSolution, "\(result.status): \(result.message ?? "")")
    }
}
