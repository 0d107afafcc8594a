import Testing
@testable import MILP

/// Both backends against exhaustive enumeration on a few hundred small
/// random MILPs: knapsack, assignment, set cover, mixed integer/continuous
/// with every kind of row, and unbounded or infeasible variants.
@Suite struct BruteForceAgreementTests {
    static let cases: [RandomCase] = {
        var rng = SeededGenerator(seed: 20261122)
        return (0 ..< 350).map { RandomModels.randomCase(&rng, index: $0) }
    }()

    @Test func theCasesCoverEveryOutcome() {
        let outcomes = Self.cases.map(\.expected)
        #expect(outcomes.contains { if case .optimal = $0 { true } else { false } })
        #expect(outcomes.count { $0 == .infeasible } >= 10)
        #expect(outcomes.count { $0 == .unbounded } >= 10)
    }

    @Test(arguments: [SolverUnderTest.glpk, .cbc])
    func agreesWithBruteForce(_ backend: SolverUnderTest) {
        for (index, testCase) in Self.cases.enumerated() {
            let result = backend.solver.solve(testCase.model)
            let label = "case \(index) (\(testCase.family)) with \(backend) [\(result.message ?? "")]"
            switch testCase.expected {
            case .infeasible:
                #expect(result.status == .infeasible, "\(label): expected infeasible, got \(result.status)")
            case .unbounded:
                #expect(result.status == .unbounded, "\(label): expected unbounded, got \(result.status)")
            case .optimal(let optimum):
                #expect(result.status == .optimal, "\(label): expected optimal \(optimum), got \(result.status)")
                guard let objective = result.objective else { continue }
                #expect(abs(objective - optimum) <= 1e-6 * max(1, abs(optimum)),
                        "\(label): objective \(objective), brute force \(optimum)")
                // The solution itself, checked independently of the solver.
                #expect(testCase.model.violation(at: result.values) == nil,
                        "\(label): \(testCase.model.violation(at: result.values) ?? "")")
                #expect(abs(testCase.model.objectiveValue(at: result.values) - objective) <= 1e-6 * max(1, abs(objective)))
                #expect(result.gap == 0 || (result.gap ?? 1) < 1e-9)
            }
        }
    }

    /// CBC with each of its search switches turned away from its default (and all at once) still
    /// finds the brute-force optimum: the switches change how CBC searches, never what it proves.
    @Test(arguments: [CBCSearchSettings(preprocessing: false), CBCSearchSettings(cuts: .off), CBCSearchSettings(cuts: .rootOnly),
                      CBCSearchSettings(heuristics: false), CBCSearchSettings(strongBranching: false),
                      CBCSearchSettings().avoidingBranchingOverrun(),
                      CBCSearchSettings(preprocessing: false, cuts: .off, heuristics: false, strongBranching: false)])
    func cbcSearchSettingsKeepTheOptimum(_ settings: CBCSearchSettings) {
        var options = SolveOptions()
        options.cbc = settings
        for (index, testCase) in Self.cases.enumerated().prefix(120) {
            guard case .optimal(let optimum) = testCase.expected else { continue }
            let result = CBCSolver().solve(testCase.model, options: options)
            #expect(result.status == .optimal, "case \(index) (\(testCase.family)) with \(settings): \(result.status) \(result.message ?? "")")
            guard let objective = result.objective else { continue }
            #expect(abs(objective - optimum) <= 1e-6 * max(1, abs(optimum)), "case \(index) with \(settings): \(objective), brute force \(optimum)")
            #expect(testCase.model.violation(at: result.values) == nil)
        }
    }
}

enum SolverUnderTest: String, CustomStringConvertible, CaseIterable, Sendable {
    case glpk, cbc
    var solver: any Solver { self == .glpk ? GLPKSolver() : CBCSolver() }
    var description: String { rawValue }
}
