import Foundation
import StowageC
import Synchronization
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

    @Test("300 mutated graphs and options from several threads at once: status 0, 1 or 2; exactly one of plan and error; every plan replays")
    func mutatedPlans() throws {
        let options = [#"{"scratchpad": "M_H"}"#, #"{"capacity": 200000, "method": "baseline", "policy": "lru", "alignment": 64}"#,
                       #"{"scratchpad": "M_P", "method": "ilp", "solver": "glpk", "timeLimit": 5, "dtypeBytes": 1}"#,
                       #"{"scratchpad": "M_R", "method": "ilp", "schedule": "free", "solver": "cbc", "timeLimit": 5}"#]
        struct Outcome: Sendable {
            var status: Int32
            var graph: String
            var option: String
            var plan: String?
            var error: String?
        }
        let outcomes = Mutex([Outcome?](repeating: nil, count: 300))
        // Each call's input depends only on its index, so the run is the
        // same whatever the threads do; CBC solves queue on their lock.
        DispatchQueue.concurrentPerform(iterations: 300) { i in
            var rng = SplitMix(seed: 8 &+ UInt64(i) &* 7919)
            let graph = Self.mutate(Fixtures.residualBlockJSON, count: 1 + Int(rng.next() % 2), using: &rng)
            let pick = options[Int(rng.next() % UInt64(options.count))]
            let option = rng.next() % 4 == 0 ? Self.mutate(pick, count: 1, using: &rng) : pick
            var out: UnsafeMutablePointer<CChar>?
            var error: UnsafeMutablePointer<CChar>?
            let status = stowage_plan(graph, option, &out, &error)
            let outcome = Outcome(status: status, graph: graph, option: option, plan: out.map { String(cString: $0) },
                                  error: error.map { String(cString: $0) })
            stowage_free(out)
            stowage_free(error)
            outcomes.withLock { $0[i] = outcome }
        }
        var statuses: [Int32: Int] = [:]
        for outcome in outcomes.withLock({ $0 }).compactMap({ $0 }) {
            statuses[outcome.status, default: 0] += 1
            #expect([0, 1, 2].contains(outcome.status), "\(outcome.graph) \(outcome.option): \(outcome.error ?? "")")
            #expect((outcome.plan == nil) != (outcome.error == nil))
            if outcome.status != 0 { #expect(outcome.error?.contains("\n") == false, "one line: \(outcome.error ?? "")") }
            if outcome.status == 0, let text = outcome.plan {
                let plan = try PlanCodec.decode(Data(text.utf8))
                let imported = try Planner.graph(fromJSON: Data(outcome.graph.utf8))
                let sized = outcome.option.contains("dtypeBytes") ? try imported.resizingFloatingPoint(toBytes: 1) : imported
                #expect(Verifier.verify(plan, against: sized).passed)
            }
        }
        #expect(statuses.values.reduce(0, +) == 300)
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
