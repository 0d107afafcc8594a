import Foundation
import StowageC
import Synchronization
import Testing
import Verifier
@testable import StowageKit

/// The exported C functions, called from Swift exactly as C would: C
/// strings in, malloc'd C strings out, released with `stowage_free`.
@Suite("C API: JSON in, JSON or an error out")
struct CAPITests {
    struct Answer {
        var status: Int32
        var json: String?
        var error: String?
    }

    typealias Entry = (UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                       UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32

    func call(_ entry: Entry, _ first: String?, _ options: String?) -> Answer {
        var out: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(bitPattern: 0xdead)  // must be overwritten
        var error: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(bitPattern: 0xbeef)
        func run(_ a: UnsafePointer<CChar>?, _ b: UnsafePointer<CChar>?) -> Int32 { entry(a, b, &out, &error) }
        let status: Int32
        switch (first, options) {
        case (let f?, let o?): status = f.withCString { a in o.withCString { b in run(a, b) } }
        case (let f?, nil): status = f.withCString { a in run(a, nil) }
        case (nil, let o?): status = o.withCString { b in run(nil, b) }
        case (nil, nil): status = run(nil, nil)
        }
        defer {
            stowage_free(out)
            stowage_free(error)
        }
        return Answer(status: status, json: out.map { String(cString: $0) }, error: error.map { String(cString: $0) })
    }

    @Test("a plan comes back in the plan format and replays against the graph")
    func plan() throws {
        let answer = call(stowage_plan, Fixtures.residualBlockJSON, #"{"capacity": "M_H", "method": "ilp", "solver": "glpk", "alignment": 64}"#)
        #expect(answer.status == 0)
        #expect(answer.error == nil)
        let plan = try PlanCodec.decode(Data(try #require(answer.json).utf8))
        let graph = try Planner.graph(fromJSON: Data(Fixtures.residualBlockJSON.utf8))
        #expect(Verifier.verify(plan, against: graph).passed)
        #expect(plan.metrics.nonCompulsoryBytes == 128 * Fixtures.kib)
        #expect(plan.tier(named: plan.computeTier)?.alignment == 64)
    }

    @Test("remat: budget min with griewank, spills priced by a profile, and a method that does not apply")
    func remat() throws {
        let text = try String(contentsOfFile: Fixtures.path("Examples/graphs/mirrored-chain-12.json"), encoding: .utf8)
        let graph = try Planner.graph(fromJSON: Data(text.utf8))
        let smallest = call(stowage_remat, text, #"{"budget": "min", "method": "griewank"}"#)
        #expect(smallest.status == 0, "\(smallest.error ?? "")")
        let plan = try PlanCodec.decode(Data(try #require(smallest.json).utf8))
        #expect(Verifier.verify(plan, against: graph, mode: .realMemory()).passed)
        #expect(plan.tier(named: "device")?.capacity == 6000)
        let spilled = call(stowage_remat, text, #"{"budget": 6000, "method": "greedy", "spill": true, "hardware": "t4", "costUnit": "s"}"#)
        #expect(spilled.status == 0, "\(spilled.error ?? "")")
        #expect(Verifier.verify(try PlanCodec.decode(Data(try #require(spilled.json).utf8)), against: graph).passed)
        let unpriced = call(stowage_remat, text, #"{"budget": 0.5, "spill": true}"#)
        #expect(unpriced.status == 2 && unpriced.error?.contains("hardware") == true, "\(unpriced.error ?? "")")
        let residual = call(stowage_remat, Fixtures.residualBlockJSON, #"{"budget": "1.0", "method": "griewank"}"#)
        #expect(residual.status == 2 && residual.error?.contains("griewank does not apply") == true, "\(residual.error ?? "")")
    }

    @Test("a model file with symbols")
    func planFile() throws {
        let path = Fixtures.path("Examples/graphs/mlp.json")
        let answer = call(stowage_plan_file, path, #"{"capacity": 2000000, "symbols": {"batch": 2}, "dtypeBytes": 1}"#)
        #expect(answer.status == 0, "\(answer.error ?? "")")
        let plan = try PlanCodec.decode(Data(try #require(answer.json).utf8))
        let graph = try Planner.loadGraph(contentsOf: path, symbols: ["batch": 2]).resizingFloatingPoint(toBytes: 1)
        #expect(Verifier.verify(plan, against: graph).passed)
    }

    @Test("bad input: status 2, nothing out, a message naming the place",
          arguments: [
            (Fixtures.residualBlockJSON, #"{"capacity": "M_H", "methd": "ilp"}"#, "options: methd"),
            (Fixtures.residualBlockJSON, #"{"method": "ilp"}"#, "options: scratchpad: missing"),
            (Fixtures.residualBlockJSON, #"{"capacity": "lots"}"#, "options: capacity: 'lots'"),
            (Fixtures.residualBlockJSON, #"{"capacity": 0}"#, "options: capacity"),
            (Fixtures.residualBlockJSON, #"{"capacity": "M_H", "method": "anneal"}"#, "options: method: 'anneal'"),
            (Fixtures.residualBlockJSON, #"{"capacity": "M_H", "alignment": "64"}"#, "options: alignment: expected an integer"),
            (Fixtures.residualBlockJSON, #"{"capacity": "M_H", "symbols": {"batch": -1}}"#, "options: symbols.batch"),
            (Fixtures.residualBlockJSON, #"{"capacity": "M_H", "dtypeBytes": 99}"#, "options: dtypeBytes"),
            (Fixtures.residualBlockJSON, #"{"capacity": "M_H""#, "options: not valid JSON"),
            (Fixtures.residualBlockJSON, #"[1, 2]"#, "options: expected an object"),
            ("{\"tensors\": [\n{\"name\": \"x\", \"bytes\": \"four\"}], \"operators\": []}", #"{"capacity": 8}"#, "graph_json: tensors[0].bytes"),
            ("{\"tensors\": [\n{\"name\": \"x\" \"bytes\": 4}], \"operators\": []}", #"{"capacity": 8}"#, "graph_json: not valid JSON: line 2, column"),
            (Fixtures.residualBlockJSON, "{\"capacity\": 8,\n \"x\": }", "options: not valid JSON: line 2, column"),
            (Fixtures.residualBlockJSON.replacingOccurrences(of: "\"w3\"]", with: "\"w9\"]"), #"{"capacity": "M_H"}"#, "w9"),
          ])
    func badInput(graph: String, options: String, expected: String) {
        let answer = call(stowage_plan, graph, options)
        #expect(answer.status == 2)
        #expect(answer.json == nil)
        #expect(answer.error?.contains(expected) == true, "\(answer.error ?? "nil")")
    }

    @Test("NULL arguments are refused, not dereferenced")
    func nulls() throws {
        #expect(call(stowage_plan, nil, #"{"capacity": 8}"#).error == "graph_json is NULL")
        #expect(call(stowage_plan, Fixtures.residualBlockJSON, nil).error == "options_json is NULL")
        #expect(call(stowage_allocate, nil, nil).status == 2)
        #expect(stowage_plan(nil, nil, nil, nil) == 2)
        var error: UnsafeMutablePointer<CChar>?
        #expect(stowage_allocate("[]", nil, nil, &error) == 2)
        #expect(String(cString: try #require(error)).contains("result_json is NULL"))
        stowage_free(error)
        stowage_free(nil)
    }

    @Test("a capacity below the largest operator: status 1 and why")
    func infeasible() {
        let answer = call(stowage_plan, Fixtures.residualBlockJSON, #"{"capacity": "64KiB"}"#)
        #expect(answer.status == 1)
        #expect(answer.json == nil)
        #expect(answer.error?.contains("infeasible at 65536 bytes") == true)
    }

    @Test("allocation: offsets in input order, valid; infeasible and bad buffers say so")
    func allocate() throws {
        let buffers = #"{"buffers": [{"id": "a", "lower": 0, "upper": 2, "size": 64}, {"id": 7, "lower": 1, "upper": 3, "size": 32, "alignment": 32}]}"#
        let answer = call(stowage_allocate, buffers, #"{"capacity": 96, "method": "ilp", "solver": "glpk"}"#)
        #expect(answer.status == 0, "\(answer.error ?? "")")
        struct Result: Decodable { var offsets: [Int]; var height: Int; var lowerBound: Int; var optimal: Bool }
        let result = try JSONDecoder().decode(Result.self, from: Data(try #require(answer.json).utf8))
        #expect(result.offsets.count == 2)
        // Both alive at step 1: [o0, o0+64) and [o1, o1+32) must not overlap, o1 aligned to 32.
        #expect(result.offsets[0] + 64 <= result.offsets[1] || result.offsets[1] + 32 <= result.offsets[0])
        #expect(result.offsets[1] % 32 == 0)
        #expect(result.height == 96 && result.optimal)

        #expect(call(stowage_allocate, buffers, #"{"capacity": 95}"#).status == 1)
        #expect(call(stowage_allocate, buffers, #"{"capacity": "M_H"}"#).status == 2)
        let missing = call(stowage_allocate, #"[{"id": "a", "lower": 0, "size": 4}]"#, nil)
        #expect(missing.status == 2)
        #expect(missing.error == "buffers: [0].upper: missing (an integer is required)")
        let empty = call(stowage_allocate, #"[{"id": "a", "lower": 3, "upper": 1, "size": 4}]"#, nil)
        #expect(empty.error?.hasPrefix("buffers: buffer 'a': lifetime [3, 1) is empty") == true, "\(empty.error ?? "")")
        #expect(call(stowage_allocate, #"[{"id": "a", "lower": 0, "upper": 1, "size": 4, "sise": 3}]"#, nil).error?.contains("[0].sise: unknown key") == true)
        #expect(call(stowage_allocate, "[]", nil).json?.contains("\"height\":0") == true)
    }

    @Test("calls from several threads at once give the answers of calls one by one")
    func threads() throws {
        let options = [#"{"capacity": "M_H"}"#, #"{"capacity": "M_H", "method": "ilp", "solver": "cbc"}"#,
                       #"{"capacity": "M_H", "method": "ilp", "solver": "glpk"}"#, #"{"capacity": "M_P", "method": "baseline", "policy": "lru"}"#]
        let sequential = options.map { call(stowage_plan, Fixtures.residualBlockJSON, $0).json }
        let results = Mutex([String?](repeating: nil, count: 4 * options.count))
        DispatchQueue.concurrentPerform(iterations: 4 * options.count) { i in
            let json = call(stowage_plan, Fixtures.residualBlockJSON, options[i % options.count]).json
            results.withLock { $0[i] = json }
        }
        let parallel = results.withLock { $0 }
        for i in parallel.indices {
            #expect(parallel[i] != nil)
            #expect(parallel[i] == sequential[i % options.count])
        }
    }

    @Test("the version is the facade's")
    func version() {
        #expect(String(cString: stowage_version()) == Planner.version)
    }
}
