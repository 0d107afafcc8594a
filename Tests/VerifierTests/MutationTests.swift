import MemoryGraph
import Plan
import Testing
@testable import Verifier

/// The mutation test of issue 5: valid plans for random graphs pass in both
/// modes; every way of breaking them is rejected with the right kind.
@Suite struct MutationTests {
    static let cases: [UInt64] = Array(1 ... 80)

    @Test func validPlansPassInBothModes() throws {
        for seed in Self.cases {
            let (graph, plan) = try PlanGenerator.randomCase(seed: seed)
            #expect(ByteOracle.firstHarmfulRead(plan, graph) == nil, "generator bug, seed \(seed)")
            let symbolic = Verifier.verify(plan, against: graph)
            #expect(symbolic.passed, "seed \(seed): \(symbolic.failure?.description ?? "")")
            #expect(symbolic.stepsReplayed == plan.steps.count)
            #expect(symbolic.metrics == plan.metrics, "seed \(seed)")
            let real = Verifier.verify(plan, against: graph, mode: .realMemory())
            #expect(real.passed, "seed \(seed): \(real.failure?.description ?? "")")
            #expect(real.mode == .realMemory(), "seed \(seed): \(real.note ?? "")")
        }
    }

    @Test func everyMutantIsRejectedWithTheRightKind() throws {
        var tried: [String: Int] = [:]
        var harmfulOverlaps = 0
        for seed in Self.cases {
            let (graph, plan) = try PlanGenerator.randomCase(seed: seed)
            var random = SplitMix64(seed: seed &* 7919)
            do {
                for var mutant in try Mutations.all(graph, plan, &random) {
                    tried[mutant.name, default: 0] += 1
                    // The table follows the broken actions (but for the mutant
                    // that breaks the table itself), so that the failure is
                    // the one the mutant aims at.
                    if mutant.expected != .residencyMismatch { mutant.plan.deriveResidencies() }
                    let symbolic = Verifier.verify(mutant.plan, against: mutant.graph)
                    let label = "seed \(seed), \(mutant.name): \(symbolic.failure?.description ?? "passed")"
                    #expect(!symbolic.passed, "\(label)")
                    if let expected = mutant.expected {
                        #expect(symbolic.failure?.kind == expected, "\(label)")
                    }
                    // Real memory keeps every symbolic check, so it reports the same first failure.
                    let real = Verifier.verify(mutant.plan, against: mutant.graph, mode: .realMemory())
                    #expect(real.failure?.kind == symbolic.failure?.kind, "\(label); real memory: \(real.failure?.description ?? "passed")")

                    guard mutant.overlaps else { continue }
                    // Without the interval check, real memory alone must catch
                    // every overlap that corrupts something read later.
                    let unchecked = Verifier.verify(mutant.plan, against: mutant.graph, mode: .realMemory(), checksOverlaps: false)
                    let uncheckedLabel = "\(label); real memory alone: \(unchecked.failure?.description ?? "passed")"
                    if ByteOracle.firstHarmfulRead(mutant.plan, mutant.graph) != nil {
                        harmfulOverlaps += 1
                        #expect(unchecked.failure?.kind == .overwritten, "\(uncheckedLabel)")
                    } else {
                        #expect(unchecked.passed || unchecked.failure?.kind == .metricMismatch, "\(uncheckedLabel)")
                    }
                }
            }
        }
        let total = tried.values.reduce(0, +)
        #expect(total >= 1000, "only \(total) mutants")
        #expect(harmfulOverlaps >= 40, "only \(harmfulOverlaps) overlaps that corrupt a later read")
        for name in ["shift onto a live neighbour", "drop a needed load", "swap dependent steps", "shrink a capacity",
                     "change a claimed metric", "free too early", "duplicate an operator", "duplicate a step",
                     "remove the final store of an output", "wrong fingerprint", "another graph"] {
            #expect((tried[name] ?? 0) >= 20, "only \(tried[name] ?? 0) mutants of kind '\(name)'")
        }
    }
}
