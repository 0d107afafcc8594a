import Foundation
import StowageC
import Testing
import Verifier
@testable import StowageKit

/// `Planner.schedule` and `stowage_schedule`: the smallest arena, verified.
@Suite struct ScheduleTests {
    /// conv1 → conv2 → conv3 → add(conv1's a, c): one order only. At conv3
    /// a, b and c are live (192 KiB); at add a, c and y (192 KiB, add's own
    /// footprint, so the bound is reached).
    @Test func residualBlockFillsItsBound() throws {
        let result = try Planner().schedule(try Fixtures.residualBlock())
        #expect(result.peakBytes == 192 * Fixtures.kib)
        #expect(result.height == 192 * Fixtures.kib)
        #expect(result.lowerBound == 192 * Fixtures.kib && result.optimal)
        #expect(result.fileOrderHeight == result.height)
        #expect(result.boundScope == "all-orders")
        #expect(Verifier.verify(result.plan, against: result.graph, mode: .realMemory()).passed)
    }

    /// Per-operator fields the importer does not know (training graphs'
    /// `cost`, `phase`) are ignored, not refused.
    @Test func unknownOperatorFieldsAreIgnored() throws {
        let text = """
            {"tensors": [{"name": "x", "kind": "input", "bytes": 16}, {"name": "a", "bytes": 32}, {"name": "b", "bytes": 8},
                         {"name": "y", "bytes": 16}],
             "operators": [{"name": "f1", "inputs": ["x"], "outputs": ["a"], "cost": 3.5, "phase": "forward"},
                           {"name": "f2", "inputs": ["x"], "outputs": ["b"], "cost": 1, "phase": "forward"},
                           {"name": "g", "inputs": ["a", "b"], "outputs": ["y"], "cost": 2, "phase": "backward"}],
             "outputs": ["y"]}
            """
        let graph = try Planner.graph(fromJSON: Data(text.utf8))
        let result = try Planner().schedule(graph, options: ScheduleOptions(method: .dp))
        // g needs a, b and y at once: 56 bytes in every order.
        #expect(result.height == 56 && result.optimal)
    }

    @Test func badOptionsNameTheOption() {
        #expect(throws: StowageError.badInput(source: "options", location: "timeLimit", reason: "must be a positive number of seconds (at most 10^7), got -1.0")) {
            try Planner().schedule(try Fixtures.residualBlock(), options: ScheduleOptions(timeLimit: -1))
        }
        #expect(throws: StowageError.self) { try Planner().schedule(modelAt: "/nonexistent/model.onnx") }
    }

    @Test func cAPIReturnsTheReportAndAVerifiedPlan() throws {
        let answer = CAPITests().call(stowage_schedule, Fixtures.residualBlockJSON, #"{"method": "dp", "timeLimit": 30}"#)
        #expect(answer.status == 0, "\(answer.error ?? "")")
        let json = try #require(answer.json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        for key in ["peakBytes", "height", "lowerBound", "optimal", "boundScope", "fileOrderPeak", "fileOrderHeight", "method", "seconds", "version"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let planData = try JSONSerialization.data(withJSONObject: try #require(object["plan"]))
        let plan = try PlanCodec.decode(planData)
        let graph = try Planner.graph(fromJSON: Data(Fixtures.residualBlockJSON.utf8))
        #expect(Verifier.verify(plan, against: graph).passed)
        #expect(object["height"] as? Int == 192 * Fixtures.kib)

        let defaults = CAPITests().call(stowage_schedule, Fixtures.residualBlockJSON, nil)
        #expect(defaults.status == 0)
        let bad = CAPITests().call(stowage_schedule, Fixtures.residualBlockJSON, #"{"method": "greedy"}"#)
        #expect(bad.status == 2 && bad.error?.contains("method") == true, "\(bad.error ?? "")")
        let unknown = CAPITests().call(stowage_schedule, Fixtures.residualBlockJSON, #"{"capacity": 5}"#)
        #expect(unknown.status == 2 && unknown.error?.contains("capacity") == true)
        let broken = CAPITests().call(stowage_schedule, "{\"tensors\": [", nil)
        #expect(broken.status == 2 && broken.error?.hasPrefix("graph_json") == true)
    }
}
