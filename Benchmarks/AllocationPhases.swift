import Allocation
import Foundation
import MILP

/// The fixed costs of `stowage alloc` on issue 14's two large traces, phase
/// by phase, in one run: parse the CSV text, check the problem, the cheap
/// greedy pass (the sweep by start time), validate the answer, write the
/// CSV; beside them, the share of the check that is finding repeated ids
/// (a `Set<String>` of the ids, as ``AllocationProblem/validate()`` does).
/// Compare two builds by running both binaries alternately.
enum AllocationPhases {
    static func run() {
        let c60 = TrainingTraceConfig.modelParallel62k
        let c200 = TrainingTraceConfig.modelParallel200k
        print("phases (best of 3, seconds):   buffers   parse   check   ids:Set  cheap pass  validate   write")
        for (name, problem) in [("transformer 48x57", TransformerTrace.make()), ("62k trace", TrainingTrace.make(c60)), ("200k trace", TrainingTrace.make(c200))] {
            let text = BufferCSV.write(problem)
            var parsed: AllocationProblem?
            let parse = bestTime { parsed = try? BufferCSV.parse(text, file: "trace.csv") }
            guard let p = parsed else { print("\(name): the CSV did not read back"); continue }
            let check = bestTime { _ = try? p.validate() }
            let viaSet = bestTime {
                var seen = Set<String>(minimumCapacity: p.count)
                for b in p.buffers where !seen.insert(b.id).inserted { print("repeated id") }
            }
            var solution: AllocationSolution?
            let cheap = bestTime { solution = try? GreedyAllocator(order: .start).allocate(p) }
            guard let offsets = solution?.offsets else { print("\(name): no greedy answer"); continue }
            let validate = bestTime { _ = try? Validator.height(of: offsets, for: p) }
            let write = bestTime { _ = BufferCSV.write(p, offsets: offsets) }
            print(name.padding(toLength: 30, withPad: " ", startingAt: 0)
                  + [String(p.count)].map { $0.leftPadded(9) }.joined()
                  + [parse, check, viaSet, cheap, validate, write].map { String(format: "%.3f", $0).leftPadded(9) }.joined(separator: " "))
        }
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
