import Foundation
import Synchronization

/// What CBC reports during one solve, received through the driver's
/// callbacks (never through standard output): log lines, echoed to
/// standard error when a log was asked for, and the top-level search's
/// state after each node or new incumbent, turned into ``SolveProgress``
/// reports at most every ``SolveOptions/progressInterval`` seconds and on
/// every new incumbent.
///
/// CBC's objective values omit the model's constant term (its problem
/// format cannot hold one); it is added back.
final class CBCMonitor: Sendable {
    let options: SolveOptions
    let clock: Stopwatch
    let constant: Double
    private let lastReport = Mutex(-Double.infinity)

    init(options: SolveOptions, clock: Stopwatch, constant: Double) {
        self.options = options
        self.clock = clock
        self.constant = constant
    }

    /// The driver's log level: 0 unless a log was asked for.
    var driverLogLevel: Int32 {
        switch options.logLevel {
        case .quiet: return 0
        case .normal: return 1
        case .verbose: return 2
        }
    }

    func receive(line: String) {
        guard options.logLevel > .quiet else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    func receive(newIncumbent: Bool, incumbent: Double?, bound: Double, nodes: Double) {
        guard let progress = options.progress else { return }
        let elapsed = clock.seconds
        let due = lastReport.withLock { last in
            guard newIncumbent || elapsed - last >= options.progressInterval else { return false }
            last = elapsed
            return true
        }
        guard due else { return }
        let incumbent = incumbent.map { $0 + constant }
        let bound: Double? = bound.isFinite && abs(bound) < 1e50 ? bound + constant : nil
        var gap: Double?
        if let incumbent, let bound { gap = relativeGap(incumbent, bound) }
        progress(SolveProgress(incumbent: incumbent, bound: bound, gap: gap, elapsed: elapsed,
                               nodes: nodes.isFinite && nodes >= 0 && nodes < 1e15 ? Int(nodes) : nil))
    }
}
