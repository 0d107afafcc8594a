import Foundation
import MemoryGraph
import Plan
import Testing
@testable import Verifier

/// Hand-made plans for a three-operator chain, one check at a time.
@Suite struct VerifierTests {
    /// x (input, 64 B), w (weight, 32 B) → mul → y (64 B) → relu → z (64 B);
    /// z → neg → u (16 B). Graph outputs: z and u.
    static func chain() throws -> Graph {
        let tensors = [
            Tensor(name: "x", kind: .input, bytes: 64), Tensor(name: "w", kind: .weight, bytes: 32),
            Tensor(name: "y", kind: .activation, bytes: 64), Tensor(name: "z", kind: .activation, bytes: 64),
            Tensor(name: "u", kind: .activation, bytes: 16),
        ]
        return try Graph(name: "chain", tensors: tensors, operators: [
            Operator(name: "mul", type: "Mul", inputs: [0, 1], outputs: [2]),
            Operator(name: "relu", type: "Relu", inputs: [2], outputs: [3]),
            Operator(name: "neg", type: "Neg", inputs: [3], outputs: [4]),
        ], outputs: [3, 4])
    }

    static let s = "scratchpad", h = "host"

    /// A valid plan: x at 0, w at 64, y at 96; relu writes z at 0 once x and
    /// w are gone; z is stored, u goes to 160 and is stored.
    static func validPlan(_ graph: Graph, capacity: Int = 256, alignment: Int = 16) -> Plan {
        Plan(method: "hand", graph: GraphIdentity(graph), tensors: PlanTensor.table(for: graph),
             tiers: [.scratchpad(capacity: capacity, alignment: alignment), .host], homeTier: h, computeTier: s,
             steps: [
                PlanStep(op: 0, before: [.allocate(0, in: s, at: 0), .copy(0, from: h, to: s),
                                         .allocate(1, in: s, at: 64), .copy(1, from: h, to: s), .allocate(2, in: s, at: 96)],
                         after: [.free(0, in: s), .free(1, in: s)]),
                PlanStep(op: 1, before: [.allocate(3, in: s, at: 0)], after: [.free(2, in: s), .copy(3, from: s, to: h)]),
                PlanStep(op: 2, before: [.allocate(4, in: s, at: 160)],
                         after: [.free(3, in: s), .copy(4, from: s, to: h), .free(4, in: s)]),
             ],
             metrics: PlanMetrics(peakBytes: [s: 160, h: 0], heights: [s: 176],
                                  bytesMoved: ["host->scratchpad": 96, "scratchpad->host": 80],
                                  compulsoryBytes: 176, nonCompulsoryBytes: 0))
    }

    static func failure(_ plan: Plan, _ graph: Graph, mode: VerificationMode = .symbolic) -> VerificationFailure? {
        Verifier.verify(plan, against: graph, mode: mode).failure
    }

    @Test func aValidPlanPassesAndItsMetricsAreMeasured() throws {
        let graph = try Self.chain()
        let plan = Self.validPlan(graph)
        for mode in [VerificationMode.symbolic, .realMemory()] {
            let report = Verifier.verify(plan, against: graph, mode: mode)
            #expect(report.passed, "\(report.failure?.description ?? "")")
            #expect(report.mode == mode && report.note == nil)
            #expect(report.stepsReplayed == 3)
            #expect(report.metrics.peakBytes == [Self.s: 160, Self.h: 0])
            #expect(report.metrics.heights == [Self.s: 176])
            #expect(report.metrics.bytesMoved == ["host->scratchpad": 96, "scratchpad->host": 80])
            #expect(report.metrics.compulsoryBytes == 176 && report.metrics.nonCompulsoryBytes == 0)
        }
        // A round trip through JSON verifies too.
        #expect(Verifier.verify(try PlanCodec.decode(PlanCodec.encode(plan)), against: graph).passed)
    }

    /// The table worked out by hand from the actions of ``validPlan``: the
    /// Plan module derives it, the verifier derives it again and agrees.
    @Test func theResidencyTableSaysWhereEachTensorLivesWhen() throws {
        let graph = try Self.chain()
        let plan = Self.validPlan(graph)
        func stay(_ t: Int, _ tier: String, _ offset: Int?, _ first: Int, _ last: Int, loaded: Bool = false, stored: Bool = false) -> PlanResidency {
            PlanResidency(tensor: t, tier: tier, offset: offset, firstStep: first, lastStep: last, loaded: loaded, stored: stored)
        }
        #expect(plan.residencies == [
            stay(0, Self.h, nil, 0, 2), stay(0, Self.s, 0, 0, 0, loaded: true),
            stay(1, Self.h, nil, 0, 2), stay(1, Self.s, 64, 0, 0, loaded: true),
            stay(2, Self.s, 96, 0, 1),
            stay(3, Self.s, 0, 1, 2, stored: true), stay(3, Self.h, nil, 2, 2, loaded: true),
            // u is stored home after the last operator: that stay covers no operator.
            stay(4, Self.s, 160, 2, 2, stored: true),
        ])
        #expect(Verifier.verify(plan, against: graph).passed)
        // A version 1 plan (no table) reads with the table derived.
        var object = try #require(try JSONSerialization.jsonObject(with: PlanCodec.encode(plan)) as? [String: Any])
        object["version"] = 1
        object["residencies"] = nil
        let old = try PlanCodec.decode(try JSONSerialization.data(withJSONObject: object))
        #expect(old.residencies == plan.residencies && old.version == Plan.currentVersion)
    }

    @Test func aMisstatedResidencyIsCaught() throws {
        let graph = try Self.chain()
        var plan = Self.validPlan(graph)
        plan.residencies[4].offset = 0   // y said to sit where x is
        let failure = try #require(Self.failure(plan, graph))
        #expect(failure.kind == .residencyMismatch)
        #expect(failure.tensors == ["y"] && failure.message.contains("offset 96"))
        plan = Self.validPlan(graph)
        plan.residencies.removeLast()
        #expect(Self.failure(plan, graph)?.kind == .residencyMismatch)
    }

    @Test func anOverlapNamesBothTensorsAndRanges() throws {
        let graph = try Self.chain()
        var plan = Self.validPlan(graph)
        plan.steps[0].before[4].offset = 80  // y onto w's [64, 96)
        let failure = try #require(Self.failure(plan, graph))
        #expect(failure.kind == .overlap)
        #expect(failure.step == 0 && failure.operatorName == "mul")
        #expect(failure.tensors == ["y", "w"])
        #expect(failure.addresses == [[80, 144], [64, 96]])
        #expect(failure.description.contains("step 0 (mul): before-action 4"))
    }

    @Test func realMemoryAloneCatchesAnOverwrite() throws {
        let graph = try Self.chain()
        var plan = Self.validPlan(graph)
        plan.steps[1].before[0].offset = 96  // z onto y, which relu is reading
        plan.deriveResidencies()
        let alone = Verifier.verify(plan, against: graph, mode: .realMemory(), checksOverlaps: false)
        // relu reads y before writing z, so the damage shows when z is stored? No:
        // z is written over y after y was read; y is freed; nothing reads y again.
        #expect(alone.passed || alone.failure?.kind == .metricMismatch)
        plan = Self.validPlan(graph)
        plan.steps[2].before[0].offset = 0  // u onto z, which neg reads and the plan stores afterwards
        plan.steps[1].after.removeLast()     // store z only after neg has run
        plan.steps[2].after.insert(.copy(3, from: Self.s, to: Self.h), at: 0)
        plan.deriveResidencies()
        let caught = Verifier.verify(plan, against: graph, mode: .realMemory(), checksOverlaps: false)
        let failure = try #require(caught.failure)
        #expect(failure.kind == .overwritten)
        #expect(failure.step == 2 && failure.tensors == ["z"] && failure.addresses == [[0, 64]])
        #expect(Self.failure(plan, graph)?.kind == .overlap)
    }

    @Test func eachActionRuleHasItsKind() throws {
        let graph = try Self.chain()
        let valid = Self.validPlan(graph)
        func expectKind(_ kind: VerificationFailure.Kind, sourceLocation: SourceLocation = #_sourceLocation,
                        _ change: (inout Plan) -> Void) {
            var plan = valid
            change(&plan)
            plan.deriveResidencies()
            let failure = Self.failure(plan, graph)
            #expect(failure?.kind == kind, "\(failure?.description ?? "passed") at line \(sourceLocation.line)", sourceLocation: sourceLocation)
        }
        expectKind(.malformed) { $0.steps[0].before[0].offset = nil }
        expectKind(.malformed) { $0.steps[0].before[0].offset = 8 }  // alignment 16
        expectKind(.malformed) { $0.steps[0].before[0].offset = -16 }
        expectKind(.malformed) { $0.steps[0].before[0].tier = "gpu" }
        expectKind(.malformed) { $0.steps[0].before[1].from = nil }
        expectKind(.malformed) { $0.steps[0].before[1].from = Self.s }  // a copy to itself
        expectKind(.malformed) { $0.steps[0].before[1].offset = 0 }
        expectKind(.malformed) { $0.steps[0].before[0].tensor = 99 }
        expectKind(.malformed) { $0.steps[0].op = 7 }
        expectKind(.malformed) { $0.steps[0].before.insert(.allocate(0, in: Self.h, at: 0), at: 0) }
        expectKind(.doubleAllocation) { $0.steps[0].before.insert(.allocate(0, in: Self.s, at: 0), at: 1) }
        expectKind(.notAllocated) { $0.steps[0].before.remove(at: 0) }  // copy without space
        expectKind(.notAllocated) { $0.steps[0].before.remove(at: 4) }  // output without space
        expectKind(.notAllocated) { $0.steps[0].after.append(.free(0, in: Self.s)) }
        expectKind(.notAllocated) { $0.steps[0].after.append(.free(0, in: Self.h)) }  // inputs need no space at home
        expectKind(.notResident) { $0.steps[0].before.remove(at: 1) }
        expectKind(.notResident) { $0.steps[2].before.insert(.copy(2, from: Self.h, to: Self.s), at: 0) }
        expectKind(.capacityExceeded) { $0.tiers[0].capacity = 175 }
        expectKind(.capacityExceeded) { $0.steps[0].before[4].offset = Int.max - 15 }
        expectKind(.badOrder) { $0.steps.swapAt(0, 1) }
        expectKind(.badOrder) { $0.steps.append(PlanStep(op: 1)) }
        expectKind(.outputNotHome) { $0.steps[2].after.remove(at: 1) }
        expectKind(.metricMismatch) { $0.metrics.compulsoryBytes = 0 }
        expectKind(.wrongGraph) { $0.graph.fingerprint = "0000000000000000" }
        expectKind(.wrongGraph) { $0.tensors[2].name = "y2" }
        expectKind(.wrongGraph) { $0.tensors[2].kind = .weight }
        expectKind(.wrongGraph) { $0.graph.operators = 4 }
        expectKind(.malformed) { $0.tiers.append(.host) }
        expectKind(.malformed) { $0.computeTier = "gpu" }
        expectKind(.malformed) { $0.tiers[0].alignment = 0 }
        expectKind(.malformed) { $0.version = Plan.currentVersion + 1 }
    }

    @Test func anOperatorThatNeverRunsIsNamed() throws {
        let graph = try Self.chain()
        var plan = Self.validPlan(graph)
        plan.steps.removeLast()
        plan.steps[1].after.append(.copy(3, from: Self.s, to: Self.h))
        let failure = try #require(Self.failure(plan, graph))
        #expect(failure.kind == .badOrder && failure.step == nil && failure.operatorName == "neg")
        #expect(failure.message.contains("never runs"))
    }

    @Test func aMetricMismatchSaysWhichFigureAndBothValues() throws {
        let graph = try Self.chain()
        var plan = Self.validPlan(graph)
        plan.metrics.bytesMoved["scratchpad->host"] = 64
        let failure = try #require(Self.failure(plan, graph))
        #expect(failure.kind == .metricMismatch)
        #expect(failure.message == "the plan claims bytesMoved[scratchpad->host] = 64, the replay measured 80")
        // Leaving out a tier or link with nothing in it is no mismatch.
        plan = Self.validPlan(graph)
        plan.metrics.peakBytes[Self.h] = nil
        plan.metrics.bytesMoved["host->disk"] = 0
        #expect(Verifier.verify(plan, against: graph).passed)
    }

    @Test func reloadsAreNotCompulsory() throws {
        let graph = try Self.chain()
        var plan = Self.validPlan(graph)
        // Spill y after mul and bring it back before relu.
        plan.steps[0].after += [.copy(2, from: Self.s, to: Self.h), .free(2, in: Self.s)]
        plan.steps[1].before.insert(contentsOf: [.allocate(2, in: Self.s, at: 96), .copy(2, from: Self.h, to: Self.s)], at: 0)
        let report = Verifier.verify(plan, against: graph)
        #expect(report.failure?.kind == .metricMismatch)
        #expect(report.metrics.compulsoryBytes == 176 && report.metrics.nonCompulsoryBytes == 128)
        #expect(report.metrics.bytesMoved == ["host->scratchpad": 160, "scratchpad->host": 144])
    }

    @Test func hugeArenasAreVerifiedSymbolically() throws {
        let graph = try Self.chain()
        let gib = 1 << 30
        var plan = Self.validPlan(graph, capacity: 500 * gib)
        for s in plan.steps.indices {
            for a in plan.steps[s].before.indices where plan.steps[s].before[a].kind == .allocate {
                plan.steps[s].before[a].offset! += 400 * gib
            }
        }
        plan.metrics.heights[Self.s] = 400 * gib + 176
        plan.deriveResidencies()
        let symbolic = Verifier.verify(plan, against: graph)
        #expect(symbolic.passed, "\(symbolic.failure?.description ?? "")")
        let real = Verifier.verify(plan, against: graph, mode: .realMemory())
        #expect(real.passed && real.mode == .symbolic && real.requestedMode == .realMemory())
        #expect(real.note?.contains("over the real-memory limit") == true)
        // A small limit falls back too; a sufficient one does not.
        let small = Self.validPlan(graph)
        #expect(Verifier.verify(small, against: graph, mode: .realMemory(limitBytes: 100)).mode == .symbolic)
        #expect(Verifier.verify(small, against: graph, mode: .realMemory(limitBytes: 176)).mode == .realMemory(limitBytes: 176))
    }

    /// Operators may run in the home tier itself: inputs and weights are
    /// valid there from the start and nothing moves.
    @Test func aSingleTierPlanNeedsNoCopies() throws {
        let graph = try Self.chain()
        let plan = Plan(method: "hand", graph: GraphIdentity(graph), tensors: PlanTensor.table(for: graph),
                        tiers: [Tier(name: "memory", capacity: 200, addressed: false)], homeTier: "memory", computeTier: "memory",
                        steps: [PlanStep(op: 0, before: [.allocate(2, in: "memory")]),
                                PlanStep(op: 1, before: [.allocate(3, in: "memory")], after: [.free(2, in: "memory")]),
                                PlanStep(op: 2, before: [.allocate(4, in: "memory")])],
                        metrics: PlanMetrics(peakBytes: ["memory": 128]))
        for mode in [VerificationMode.symbolic, .realMemory()] {
            let report = Verifier.verify(plan, against: graph, mode: mode)
            #expect(report.passed, "\(report.failure?.description ?? "")")
        }
        var full = plan
        full.tiers[0].capacity = 127
        #expect(Self.failure(full, graph)?.kind == .capacityExceeded)
    }
}
