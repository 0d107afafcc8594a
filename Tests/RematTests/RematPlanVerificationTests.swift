import MemoryGraph
import Plan
import Testing
import Verifier
@testable import Remat

/// Remat plans under the verifier: valid ones pass in both modes with the
/// residency table derived twice alike; broken ones (a recomputation
/// dropped, a value freed early, a recomputation whose input was freed, a
/// misstated cost, a recomputation in a plan that does not declare it) are
/// rejected with the right kind.
@Suite struct RematPlanVerificationTests {
    /// Plans that recompute: the heuristics' (greedy eviction, Chen's
    /// segments, the torch knapsack) at the proven minimum and halfway to
    /// the keep-everything peak, where recomputation is usually needed. The
    /// exact methods' plans are verified in their own suites; solving them
    /// here took most of the Remat tests' time (120 slot MILPs under GLPK).
    static let plans: [(Graph, Plan)] = (try? recomputingPlans()) ?? []

    static func recomputingPlans() throws -> [(Graph, Plan)] {
        var result: [(Graph, Plan)] = []
        for seed in UInt64(1) ... 60 {
            let graph = TinyTrainingGraphs.graph(seed: seed)
            let base = try RematProblem(graph: graph, budget: 0)
            for budget in [base.provenMinimum.bytes, (base.provenMinimum.bytes + base.keepAllPeak) / 2] {
                let problem = base.with(budget: budget)
                let found = [try? GreedyEvictionPlanner.plan(problem), try? ChenPlanner.plan(problem),
                             try? TorchKnapsackPlanner.plan(problem)].compactMap { $0 }
                guard let solution = found.first(where: { $0.evaluation.recomputations > 0 }) else { continue }
                result.append((graph, RematPlanAssembly.plan(problem, solution.evaluation, method: solution.method)))
            }
        }
        return result
    }

    @Test("valid remat plans pass symbolically and in real memory; the table has several stays per recomputed tensor")
    func validPlansPass() throws {
        let plans = Self.plans
        #expect(plans.count > 20)
        var severalStays = 0
        for (graph, plan) in plans {
            for mode in [VerificationMode.symbolic, .realMemory()] {
                let report = Verifier.verify(plan, against: graph, mode: mode)
                #expect(report.passed, "\(graph.name): \(report.failure?.description ?? "")")
            }
            let stays = Dictionary(grouping: plan.residencies, by: \.tensor)
            if stays.values.contains(where: { $0.count > 1 }) { severalStays += 1 }
            // The plan round-trips through its JSON form.
            let decoded = try PlanCodec.decode(PlanCodec.encode(plan))
            #expect(decoded == plan)
        }
        #expect(severalStays > 10)
    }

    @Test("mutants: dropped recomputation, early free, freed input, misstated cost, undeclared recomputation")
    func mutantsAreRejected() throws {
        var tried: [String: Int] = [:]
        for (graph, plan) in Self.plans {
            var seen = [Bool](repeating: false, count: graph.operators.count)
            let recomputed = plan.steps.indices.filter { s in
                defer { seen[plan.steps[s].op] = true }
                return seen[plan.steps[s].op]
            }
            guard let step = recomputed.first else { continue }
            func check(_ name: String, _ mutant: Plan, _ kinds: Set<VerificationFailure.Kind>, deriving: Bool = true) {
                var broken = mutant
                if deriving { broken.deriveResidencies() }
                tried[name, default: 0] += 1
                for mode in [VerificationMode.symbolic, .realMemory()] {
                    let report = Verifier.verify(broken, against: graph, mode: mode)
                    #expect(!report.passed, "\(graph.name) \(name): passed")
                    if let kind = report.failure?.kind { #expect(kinds.contains(kind), "\(graph.name) \(name): \(report.failure!.description)") }
                }
            }
            // A recomputation dropped: a later read finds nothing (or an output is missing at the end).
            var dropped = plan
            let removed = dropped.steps.remove(at: step)
            if step < dropped.steps.count {
                dropped.steps[step].before.insert(contentsOf: removed.before.filter { $0.kind == .free }, at: 0)
                dropped.steps[step].after.append(contentsOf: removed.after)
            }
            dropped.recompute?.computeCost -= graph.operators[removed.op].executionCost
            check("droppedRecomputation", dropped, [.notResident, .notAllocated, .outputNotHome, .doubleAllocation])
            // A value freed early: the first free moved before the step it follows.
            if let s = plan.steps.indices.first(where: { s in plan.steps[s].after.contains { action in
                plan.steps[s].before.allSatisfy { $0.tensor != action.tensor } && graph.operators[plan.steps[s].op].reads.contains(action.tensor) } }) {
                var early = plan
                let index = early.steps[s].after.firstIndex { action in graph.operators[plan.steps[s].op].reads.contains(action.tensor) }!
                let free = early.steps[s].after.remove(at: index)
                early.steps[s].before.append(free)
                check("freedEarly", early, [.notResident])
            }
            // A recomputation whose input was freed: free one of its activation inputs just before it
            // (the first recomputation that reads an activation).
            if let starvedStep = recomputed.first(where: { s in graph.operators[plan.steps[s].op].reads.contains { graph.tensors[$0].kind == .activation } }),
               let input = graph.operators[plan.steps[starvedStep].op].reads.first(where: { graph.tensors[$0].kind == .activation }) {
                var starved = plan
                starved.steps[starvedStep].before.insert(.free(input, in: "device"), at: 0)
                check("recomputationInputFreed", starved, [.notResident, .notAllocated])
            }
            // A misstated cost.
            var misstated = plan
            misstated.recompute?.computeCost += 1
            check("misstatedCost", misstated, [.metricMismatch])
            // Recomputation without the declaration.
            var undeclared = plan
            undeclared.recompute = nil
            check("undeclaredRecomputation", undeclared, [.badOrder])
        }
        for name in ["droppedRecomputation", "freedEarly", "recomputationInputFreed", "misstatedCost", "undeclaredRecomputation"] {
            #expect(tried[name, default: 0] >= 10, "\(name) tried \(tried[name, default: 0]) times")
        }
    }
}
