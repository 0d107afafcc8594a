import Foundation
import Synchronization

/// Reads CBC's log lines during one solve: echoes them to standard error
/// when a log was asked for, and turns the lines that carry numbers into
/// ``SolveProgress`` reports. CBC 2.10's C interface routes its node log
/// only to text, so text is what is parsed:
///
///     Cbc0010I After 100 nodes, 12 on tree, 7665 best solution, best possible 7408.98 (1.32 seconds)
///     Cbc0012I Integer solution of 7615 found by ... (1.89 seconds)
///
/// Objectives in the log omit the model's constant term; it is added back.
final class CBCMonitor: Sendable {
    let options: SolveOptions
    let clock: Stopwatch
    let constant: Double
    private let state = Mutex(State())

    private struct State {
        var incumbent: Double?
        var bound: Double?
        var nodes: Int?
        var lastReport = -Double.infinity
    }

    init(options: SolveOptions, clock: Stopwatch, constant: Double) {
        self.options = options
        self.clock = clock
        self.constant = constant
    }

    /// CBC log level: 1 when lines are needed (log or progress), else 0.
    var cbcLogLevel: Int32 {
        switch options.logLevel {
        case .verbose: return 3
        case .normal: return 1
        case .quiet: return options.progress == nil ? 0 : 1
        }
    }

    func receive(_ line: String) {
        if options.logLevel > .quiet {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        guard let progress = options.progress else { return }
        let report: SolveProgress? = state.withLock { state in
            var newIncumbent = false
            if line.hasPrefix("Cbc0010I") {
                let numbers = Self.numbers(in: line)
                // After N nodes, M on tree, BEST best solution, best possible BOUND (T seconds)
                if numbers.count >= 4 {
                    state.nodes = Int(numbers[0])
                    if abs(numbers[2]) < 1e50 { state.incumbent = numbers[2] + constant }
                    if abs(numbers[3]) < 1e50 { state.bound = numbers[3] + constant }
                }
            } else if line.hasPrefix("Cbc0012I") || line.hasPrefix("Cbc0016I") || line.hasPrefix("Cbc0004I") {
                if let value = Self.numbers(in: line).first {
                    state.incumbent = value + constant
                    newIncumbent = true
                }
            } else {
                return nil
            }
            let elapsed = clock.seconds
            guard newIncumbent || elapsed - state.lastReport >= options.progressInterval else { return nil }
            state.lastReport = elapsed
            var gap: Double?
            if let incumbent = state.incumbent, let bound = state.bound { gap = relativeGap(incumbent, bound) }
            return SolveProgress(incumbent: state.incumbent, bound: state.bound, gap: gap, elapsed: elapsed, nodes: state.nodes)
        }
        if let report { progress(report) }
    }

    /// The numbers in a log line after its message code, in order.
    static func numbers(in line: String) -> [Double] {
        line.split(separator: " ").dropFirst().compactMap { token in
            Double(token.trimmingCharacters(in: CharacterSet(charactersIn: "(),")))
        }
    }
}
