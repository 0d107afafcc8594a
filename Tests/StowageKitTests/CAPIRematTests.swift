import Foundation
import StowageC
import Testing
import Verifier
@testable import StowageKit

extension CAPITests {
    /// x -> a1 -> ... -> a6, then the backward chain: each backward
    /// operator reads its forward activation and the gradient after it.
    static let trainingChainJSON = trainingChainJSON(length: 6)

    static func trainingChainJSON(length: Int) -> String {
        var tensors = [#"{"name": "x", "kind": "input", "bytes": 1000}"#]
        var operators: [String] = []
        var previous = "x"
        for i in 1...length {
            tensors.append(#"{"name": "a\#(i)", "bytes": 1000}"#)
            operators.append(#"{"name": "f\#(i)", "type": "F", "inputs": ["\#(previous)"], "outputs": ["a\#(i)"], "phase": "forward"}"#)
            previous = "a\(i)"
        }
        var gradient = previous
        for i in stride(from: length, through: 1, by: -1) {
            tensors.append(#"{"name": "g\#(i)", "bytes": 1000}"#)
            let saved = i > 1 ? "a\(i - 1)" : "x"
            operators.append(#"{"name": "b\#(i)", "type": "B", "inputs": ["\#(gradient)", "\#(saved)"], "outputs": ["g\#(i)"], "phase": "backward"}"#)
            gradient = "g\(i)"
        }
        return #"{"name": "chain", "tensors": [\#(tensors.joined(separator: ", "))], "operators": [\#(operators.joined(separator: ", "))], "outputs": ["\#(gradient)"]}"#
    }

    /// A chain of 12 at half its peak: the slot MILP (at most two runs per operator) finds no
    /// schedule in the time, Checkmate's stage MILP proves its optimum at once; auto, which tried
    /// only the slot MILP on graphs this small, answered with the trivial bound. Now it proves
    /// optimality over stage schedules, at the cost the checkmate method finds alone.
    @Test("remat auto on a small graph: the stage MILP's proof where the slot MILP has no schedule")
    func rematAutoProvesSmallGraphs() throws {
        let graph = try Planner.graph(fromJSON: Data(Self.trainingChainJSON(length: 12).utf8))
        var options = RematOptions()
        options.timeLimit = 4
        let auto = try Planner().remat(graph, budget: .fraction(0.5), options: options)
        options.method = .checkmate
        let staged = try Planner().remat(graph, budget: .fraction(0.5), options: options)
        #expect(auto.isOptimal == true, "\(auto.method): bound \(auto.overheadBound ?? -1) (\(auto.boundScope ?? "none"))")
        #expect(auto.boundScope == "stages")
        #expect(abs(auto.computeCost - staged.computeCost) < 1e-9)
    }

    @Test("remat: the plan alone, or with \"report\" the report beside it, and they agree")
    func rematReport() throws {
        let graph = try Planner.graph(fromJSON: Data(Self.trainingChainJSON.utf8))
        let plain = call(stowage_remat, Self.trainingChainJSON, #"{"budget": "0.75", "method": "chen"}"#)
        #expect(plain.status == 0, "\(plain.error ?? "")")
        let plan = try PlanCodec.decode(Data(try #require(plain.json).utf8))
        let replay = Verifier.verify(plan, against: graph)
        #expect(replay.passed)

        let answer = call(stowage_remat, Self.trainingChainJSON, #"{"budget": "0.75", "method": "chen", "report": true}"#)
        #expect(answer.status == 0, "\(answer.error ?? "")")
        let text = try #require(answer.json)
        let decoded = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let object = try #require(decoded as? [String: Any])
        #expect(Set(object.keys) == ["report", "plan"])
        let report = try #require(object["report"] as? [String: Any])
        let planObject = try #require(object["plan"])
        let reported = try PlanCodec.decode(try JSONSerialization.data(withJSONObject: planObject))
        #expect(reported.steps.count == plan.steps.count)
        #expect(report["feasible"] as? Bool == true)
        #expect(report["method"] as? String == "chen")
        #expect(report["peakBytes"] as? Int == replay.metrics.peakBytes["device"])
        #expect(report["recomputations"] as? Int == plan.steps.count - graph.operators.count)
        #expect((report["recomputations"] as? Int ?? 0) > 0)
        let budget = try #require(report["budgetBytes"] as? Int)
        let keepAll = try #require(report["keepAllPeakBytes"] as? Int)
        #expect(budget <= keepAll * 3 / 4 + 1 && budget >= keepAll * 3 / 4 - 1)
        #expect((report["peakBytes"] as? Int ?? .max) <= budget)
    }

    @Test("remat: \"report\" must be true or false")
    func rematReportOption() {
        let answer = call(stowage_remat, Self.trainingChainJSON, #"{"budget": 0.5, "report": "yes"}"#)
        #expect(answer.status == 2)
        #expect(answer.json == nil)
        #expect(answer.error?.contains("report") == true)
    }
}
