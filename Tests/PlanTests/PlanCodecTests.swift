import Foundation
import Testing
import MemoryGraph
@testable import Plan

@Suite struct PlanCodecTests {
    static func smallGraph(name: String = "g", size: Int = 64) throws -> Graph {
        let tensors = [
            Tensor(name: "x", kind: .input, bytes: size),
            Tensor(name: "w", kind: .weight, bytes: 32),
            Tensor(name: "y", kind: .activation, bytes: size),
        ]
        return try Graph(name: name, tensors: tensors,
                         operators: [Operator(name: "op", type: "MatMul", inputs: [0, 1], outputs: [2])], outputs: [2])
    }

    @Test func jsonRoundTripKeepsEverything() throws {
        let graph = try Self.smallGraph()
        let plan = Plan(
            method: "test", graph: GraphIdentity(graph), tensors: PlanTensor.table(for: graph),
            tiers: [.scratchpad(capacity: 1024), .host], homeTier: "host", computeTier: "scratchpad",
            steps: [PlanStep(op: 0,
                             before: [.allocate(0, in: "scratchpad", at: 0), .copy(0, from: "host", to: "scratchpad"),
                                      .allocate(2, in: "scratchpad", at: 64)],
                             after: [.copy(2, from: "scratchpad", to: "host"), .free(0, in: "scratchpad")])],
            metrics: PlanMetrics(peakBytes: ["scratchpad": 128], compulsoryBytes: 160, objective: 1.5)
        )
        let decoded = try PlanCodec.decode(PlanCodec.encode(plan))
        #expect(decoded == plan)
    }

    @Test func fingerprintsTellGraphsApart() throws {
        let a = try GraphFingerprint(Self.smallGraph())
        #expect(a == (try GraphFingerprint(Self.smallGraph())))
        #expect(a != (try GraphFingerprint(Self.smallGraph(size: 65))))
        #expect(a != (try GraphFingerprint(Self.smallGraph(name: "g").renamedTensor())))
        #expect(a.hex.count == 16)
    }

    @Test func badPlansAreTypedErrors() {
        for text in ["[]", "{}", "{\"version\": 99}", "{\"version\": 1}", "{\"version\": 1, \"method\": 3}"] {
            #expect(throws: PlanCodec.Error.self) { _ = try PlanCodec.decode(Data(text.utf8)) }
        }
    }
}

extension Graph {
    func renamedTensor() throws -> Graph {
        var tensors = self.tensors
        tensors[0].name = "x2"
        return try Graph(name: name, tensors: tensors, operators: operators, outputs: outputs)
    }
}
