import MILP
import Testing
@testable import Allocation

@Suite struct AllocationILPTests {
    enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
        case glpk, cbc
        var solver: any Solver { self == .glpk ? GLPKSolver() : CBCSolver() }
        var description: String { rawValue }
    }

    @Test(arguments: Backend.allCases)
    func agreesWithBruteForceAndTheValidator(_ backend: Backend) throws {
        var checked = 0
        // Every other problem of the corpus for one backend, the rest for
        // the other, and a shared slice for both: ~250 ILPs in all.
        let mine = Corpus.small.filter { $0.index % 2 == (backend == .glpk ? 0 : 1) || $0.index < 50 }
        for c in mine {
            let (k, p) = (c.index, c.problem)
            guard let optimum = c.optimum else { continue }
            let ilp = try AllocationILP(p)
            let report = ilp.solve(with: backend.solver)
            #expect(report.status == .optimal, "problem \(k) with \(backend): \(report.status) \(report.message ?? "")")
            guard let solution = report.solution, let objective = report.objective else { continue }
            let measured = try Validator.height(of: solution.offsets, for: p)
            #expect(measured == optimum, "problem \(k) with \(backend): ILP height \(measured), brute force \(optimum)")
            #expect(abs(objective - Double(measured)) < 1e-6, "problem \(k) with \(backend): objective \(objective), measured \(measured)")
            #expect(report.lowerBound == optimum)
            checked += 1
        }
        #expect(checked >= 200)
    }

    @Test(arguments: Backend.allCases)
    func provesNoFitBelowTheOptimum(_ backend: Backend) throws {
        for c in Corpus.small.suffix(30) {
            var p = c.problem
            let k = c.index
            guard let optimum = c.optimum, optimum > 0 else { continue }
            p.capacity = optimum - 1
            // A pin above the capacity is a contradictory input, refused as such.
            if let pin = p.buffers.first(where: { b in b.fixedOffset.map { $0 + b.size > optimum - 1 } ?? false }) {
                #expect(throws: AllocationError.pinBeyondCapacity(pin, capacity: optimum - 1)) { try AllocationILP(p) }
                continue
            }
            let report = try AllocationILP(p).solve(with: backend.solver)
            #expect(report.status == .infeasible, "problem \(k) with \(backend)")
            #expect(report.solution == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func sideConstraintsShapeTheSolution(_ backend: Backend) throws {
        // Two buffers alive together; a caller wants "a" above "b".
        let p = AllocationProblem(buffers: [
            Buffer(id: "a", lower: 0, upper: 2, size: 4),
            Buffer(id: "b", lower: 0, upper: 2, size: 6),
        ])
        var ilp = try AllocationILP(p, upperBound: 20)
        ilp.model.add(ilp.offset(0) - ilp.offset(1) >= 6)
        let report = ilp.solve(with: backend.solver)
        #expect(report.solution?.offsets == [6, 0])
        #expect(report.solution?.height == 10)
    }

    @Test func warmStartEncodesTheGreedySolution() throws {
        let p = TransformerTrace.make(layers: 1, microBatches: 1)
        let ilp = try AllocationILP(p)
        let greedy = try BestOfGreedy.standard.allocate(p).solution
        let start = try #require(ilp.warmStart(greedy))
        #expect(ilp.model.violation(at: start) == nil)
        #expect(ilp.model.objectiveValue(at: start) == Double(greedy.height))
    }
}
