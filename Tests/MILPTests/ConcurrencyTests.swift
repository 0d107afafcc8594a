import Foundation
import Testing
@testable import MILP

/// Many small models solved at once from several threads give the same
/// answers as solved one by one. GLPK runs truly in parallel (thread-local
/// environments); CBC is serialised internally.
@Suite struct ConcurrencyTests {
    @Test(arguments: SolverUnderTest.allCases)
    func concurrentSolvesAgreeWithSequentialOnes(_ backend: SolverUnderTest) {
        var rng = SeededGenerator(seed: 4242)
        let models = (0 ..< 64).map { _ in RandomModels.knapsack(&rng) }
        let sequential = models.map { backend.solver.solve($0).objective }
        let results = ResultsBox(count: models.count)
        DispatchQueue.concurrentPerform(iterations: models.count) { i in
            results.set(i, backend.solver.solve(models[i]).objective)
        }
        #expect(results.values == sequential)
    }
}

/// Collects results written from several threads.
final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Double?]
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Double?) { lock.withLock { storage[i] = value } }
    var values: [Double?] { lock.withLock { storage } }
}
