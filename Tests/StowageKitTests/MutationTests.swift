import Foundation
import StowageC
import Testing
import Verifier
@testable import StowageKit

/// Bad input must come back as a status and a message, never as a crash:
/// hundreds of graphs and options with odd values put in random places.
@Suite("C API: mutated inputs give a status, never a crash")
struct MutationTests {
    static let oddValues = ["0", "-1", "9223372036854775807", "-9223372036854775808", "4611686018427387904", "1e308", "4.5",
                            "\"x\"", "\"\"", "null", "true", "[]", "{}", "\"M_R\""]

    /// `text` with `count` of its JSON scalars (numbers and strings after a
    /// colon or in an array) replaced by odd values.
    static func mutate(_ text: String, count: Int, using rng: inout SplitMix) -> String {
        var result = text
        for _ in 0 ..< count {
            let pattern = try! NSRegularExpression(pattern: #"(?<=[:\[,]\s{0,2})("[^"]*"|-?[0-9][0-9.e]*)"#)
            let matches = pattern.matches(in: result, range: NSRange(result.startIndex..., in: result))
            guard !matches.isEmpty else { break }
            let match = matches[Int(rng.next() % UInt64(matches.count))]
            let range = Range(match.range, in: result)!
            result.replaceSubrange(range, with: oddValues[Int(rng.next() % UInt64(oddValues.count))])
        }
        return result
    }

    @Test("300 mutated graphs and options: status 0, 1 or 2; exactly one of plan and error; every plan replays")
    func mutatedPlans() throws {
        var rng = SplitMix(seed: 8)
        let options = [#"{"capacity": "M_H"}"#, #"{"capacity": 200000, "method": "lru", "alignment": 64}"#,
                       #"{"capacity": "M_P", "method": "ilp", "solver": "glpk", "timeLimit": 5, "dtypeBytes": 1}"#]
        var statuses: [Int32: Int] = [:]
        for _ in 0 ..< 300 {
            let graph = Self.mutate(Fixtures.residualBlockJSON, count: 1 + Int(rng.next() % 2), using: &rng)
            let option = rng.next() % 4 == 0 ? Self.mutate(options[Int(rng.next() % 3)], count: 1, using: &rng) : options[Int(rng.next() % 3)]
            var out: UnsafeMutablePointer<CChar>?
            var error: UnsafeMutablePointer<CChar>?
            let status = stowage_plan(graph, option, &out, &error)
            defer { stowage_free(out); stowage_free(error) }
            statuses[status, default: 0] += 1
            #expect([0, 1, 2].contains(status), "\(graph) \(option): \(error.map { String(cString: $0) } ?? "")")
            #expect((out == nil) != (error == nil))
            if status == 0, let out {
                let plan = try PlanCodec.decode(Data(String(cString: out).utf8))
                let imported = try Planner.graph(fromJSON: Data(graph.utf8))
                let sized = option.contains("dtypeBytes") ? try imported.resizingFloatingPoint(toBytes: 1) : imported
                #expect(Verifier.verify(plan, against: sized).passed)
            }
        }
        // The mutations reach both sides: some still plan, most are refused.
        #expect(statuses[0, default: 0] > 0)
        #expect(statuses[2, default: 0] > 0)
    }

    @Test("300 mutated buffer lists: status 0, 1 or 2; exactly one of result and error")
    func mutatedBuffers() throws {
        var rng = SplitMix(seed: 9)
        let text = #"[{"id": "a", "lower": 0, "upper": 2, "size": 64}, {"id": "b", "lower": 1, "upper": 3, "size": 32, "alignment": 16}, {"id": "c", "lower": 2, "upper": 4, "size": 64, "offset": 0}]"#
        for _ in 0 ..< 300 {
            let buffers = Self.mutate(text, count: 1 + Int(rng.next() % 2), using: &rng)
            let options = [nil, #"{"capacity": 128}"#, #"{"method": "ilp", "solver": "glpk", "timeLimit": 5}"#][Int(rng.next() % 3)]
            var out: UnsafeMutablePointer<CChar>?
            var error: UnsafeMutablePointer<CChar>?
            let status = stowage_allocate(buffers, options, &out, &error)
            defer { stowage_free(out); stowage_free(error) }
            #expect([0, 1, 2].contains(status), "\(buffers): \(error.map { String(cString: $0) } ?? "")")
            #expect((out == nil) != (error == nil))
        }
    }
}
