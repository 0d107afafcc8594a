import Allocation
import Foundation
import MILP
import Synchronization

/// Issue 13's alloc cases, timed as `stowage alloc` runs them: parse the
/// CSV text, allocate within the deadline less the command's output reserve
/// (``PortfolioOptions/outputReserve(readSeconds:)``, scaled from the parse
/// time), validate, write the CSV, with every core kept busy by spinning
/// threads meanwhile. A time limit is met when the whole takes at most the
/// limit (the command's rule; the file's read and the process start are
/// not in it).
enum AllocationLimits {
    static func run() {
        let c62 = TrainingTraceConfig.modelParallel62k
        let c200 = TrainingTraceConfig.modelParallel200k
        let cases: [(String, TrainingTraceConfig, Double)] = [("62k, --time-limit 10", c62, 10), ("200k, --time-limit 3", c200, 3)]
        let busy = ProcessInfo.processInfo.activeProcessorCount
        print("limits: wall time of parse + allocate + validate + write, \(busy) spinning threads keep the cores busy")
        for (name, config, limit) in cases {
            let text = BufferCSV.write(TrainingTrace.make(config))
            let stop = StopFlag()
            let spinners = (0 ..< busy).map { _ in
                Thread {
                    var x: UInt64 = 1
                    while !stop.value.load(ordering: .relaxed) { x = x &* 6364136223846793005 &+ 1 }
                    if x == 0 { print("") }
                }
            }
            spinners.forEach { $0.start() }
            var outcome = "no answer"
            var buffers = 0
            let wall = bestTime(repeats: 1) {
                let deadline = Deadline(seconds: limit)
                let parsing = Stopwatch()
                guard let problem = try? BufferCSV.parse(text, file: "trace.csv") else { return }
                buffers = problem.count
                var options = PortfolioOptions(timeLimit: nil)
                options.deadline = deadline.capped(at: max(0, (deadline.remaining ?? 0) - PortfolioOptions.outputReserve(readSeconds: parsing.seconds)))
                options.cheapGrace = 0
                guard let report = try? Portfolio(options: options).allocate(validated: problem), let solution = report.solution,
                      (try? Validator.height(of: solution.offsets, for: problem)) == solution.height else { return }
                let csv = BufferCSV.write(problem, offsets: solution.offsets)
                outcome = String(format: "height/bound %.5f, %d bytes of CSV, %@", Double(solution.height) / Double(report.lowerBound),
                                 csv.utf8.count, report.method)
            }
            stop.value.store(true, ordering: .relaxed)
            print(String(format: "  %@ (%d buffers): %.2f s of %.0f s %@  %@", name, buffers, wall, limit,
                         wall <= limit ? "ok" : "OVER", outcome))
        }
    }
}

/// Tells the spinning threads to stop.
final class StopFlag: Sendable {
    let value = Atomic<Bool>(false)
}
