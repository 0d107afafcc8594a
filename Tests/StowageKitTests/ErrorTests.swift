import Foundation
import Testing
@testable import StowageKit

@Suite("Planner: typed errors that say where")
struct ErrorTests {
    func badInput(_ body: () throws -> Void) -> (source: String, location: String?, reason: String)? {
        do {
            try body()
            return nil
        } catch let error as StowageError {
            guard case .badInput(let source, let location, let reason) = error else { return nil }
            return (source, location, reason)
        } catch {
            return nil
        }
    }

    @Test("malformed JSON: the line of the mistake")
    func malformedJSON() throws {
        let text = "{\"tensors\": [\n  {\"name\": \"x\", \"bytes\": 4},\n  {\"name\": \"y\" \"bytes\": 4}\n], \"operators\": []}"
        let error = try #require(badInput { _ = try Planner.graph(fromJSON: Data(text.utf8), source: "g.json") })
        #expect(error.source == "g.json")
        #expect(error.reason.contains("line 3, column"), "\(error.reason)")
    }

    @Test("an operator reading an undefined tensor: the operator and the tensor named")
    func undefinedTensor() throws {
        let text = Fixtures.residualBlockJSON.replacingOccurrences(of: "[\"b\", \"w3\"]", with: "[\"b\", \"w4\"]")
        let error = try #require(badInput { _ = try Planner.graph(fromJSON: Data(text.utf8)) })
        #expect(error.source == "graph JSON")
        let whole = "\(error.location ?? "") \(error.reason)"
        #expect(whole.contains("w4"))
        #expect(whole.contains("line"))
    }

    @Test("a missing file and a transformer config are bad input naming the file")
    func files() throws {
        let missing = try #require(badInput { _ = try Planner.loadGraph(contentsOf: "/nonexistent/model.onnx") })
        #expect(missing.source == "/nonexistent/model.onnx")
        let config = Fixtures.path("Models/llm/opt-6.7b.json")
        let transformer = try #require(badInput { _ = try Planner().plan(modelAt: config, capacity: .half) })
        #expect(transformer.source == config)
        #expect(transformer.reason.contains("transformer"))
    }

    @Test("a tensor of unknown size (an unbound symbol) is refused, not counted as 0 bytes, unless asked")
    func unknownSize() throws {
        let path = Fixtures.path("Examples/graphs/mlp.json")
        let error = try #require(badInput { _ = try Planner().plan(modelAt: path, capacity: .half) })
        #expect(error.source == path)
        #expect(error.reason.contains("'features'") && error.reason.contains("bind batch"))
        let zero = try Planner(options: PlanningOptions(unknownSizes: .zero)).plan(modelAt: path, capacity: .half)
        #expect(zero.assumedZeroBytes.contains("features") && zero.assumedZeroBytes.count == 6)
        #expect(zero.report.assumedZeroBytes == zero.assumedZeroBytes)
    }

    @Test("options the method would ignore are refused, naming them")
    func ignoredOptions() throws {
        let graph = try Fixtures.residualBlock()
        let cases: [(PlanningOptions, String)] = [
            (PlanningOptions(method: .ilp, policy: .lru), "policy"),
            (PlanningOptions(method: .baseline, schedule: .free), "schedule"),
            (PlanningOptions(method: .baseline, solver: .glpk), "solver"),
            (PlanningOptions(method: .baseline, gap: 0.01), "gap"),
            (PlanningOptions(method: .ilp, gap: 2), "gap"),
        ]
        for (options, key) in cases {
            let error = try #require(badInput { _ = try Planner(options: options).plan(graph, capacity: .half) })
            #expect(error.location == key)
        }
    }

    @Test("options out of range name the option")
    func options() throws {
        let graph = try Fixtures.residualBlock()
        let cases: [(PlanningOptions, String)] = [
            (PlanningOptions(alignment: 0), "alignment"),
            (PlanningOptions(dtypeBytes: 0), "dtypeBytes"),
            (PlanningOptions(method: .ilp, timeLimit: -1), "timeLimit"),
            (PlanningOptions(method: .ilp, timeLimit: .nan), "timeLimit"),
        ]
        for (options, key) in cases {
            let error = try #require(badInput { _ = try Planner(options: options).plan(graph, capacity: .half) })
            #expect(error.source == "options")
            #expect(error.location == key)
        }
        let zero = try #require(badInput { _ = try Planner().plan(graph, capacity: .bytes(0)) })
        #expect(zero.location == "scratchpad")
    }

    @Test("graph builder mistakes surface at build(), naming the tensor or operator")
    func builder() throws {
        var repeated = GraphBuilder(name: "g")
        let x = repeated.input("x", bytes: 4)
        repeated.op("f", inputs: [x], output: "x", bytes: 4)
        let duplicate = try #require(badInput { _ = try repeated.build() })
        #expect(duplicate.source == "graph builder")
        #expect(duplicate.reason.contains("'x'"))

        var negative = GraphBuilder(name: "g")
        _ = negative.weight("w", bytes: -8)
        #expect(try #require(badInput { _ = try negative.build() }).location == "tensor 'w'")

        var other = GraphBuilder(name: "other")
        let foreign = other.input("z", bytes: 4)
        var mixed = GraphBuilder(name: "g")
        mixed.op("f", inputs: [foreign], output: "y", bytes: 4)
        #expect(try #require(badInput { _ = try mixed.build() }).location == "operator 'f'")

        var overflow = GraphBuilder(name: "g")
        _ = overflow.input("huge", .float32, shape: [1 << 40, 1 << 40])
        #expect(try #require(badInput { _ = try overflow.build() }).location == "tensor 'huge'")
    }

    @Test("capacity text: sizes and budgets as the CLI reads them")
    func capacityParsing() {
        #expect(Capacity(parsing: "2MiB") == .bytes(2 << 20))
        #expect(Capacity(parsing: "1.5KiB") == .bytes(1536))
        #expect(Capacity(parsing: "1.5KB") == .bytes(1500))
        #expect(Capacity(parsing: "4096") == .bytes(4096))
        #expect(Capacity(parsing: " m_h ") == .half)
        #expect(Capacity(parsing: "MR") == .minimum)
        #expect(Capacity(parsing: "M_P") == .noSpill)
        for bad in ["0", "-4", "abc", "", "2XB", "1e30", "nan", "1.5.2K"] {
            #expect(Capacity(parsing: bad) == nil, "\(bad)")
        }
    }
}
