import Foundation

/// TEMPORARY (not committed): phase trace to stderr when STOWAGE_TRACE is set.
public enum PhaseTrace {
    nonisolated(unsafe) static let start = ContinuousClock.now
    static let on = ProcessInfo.processInfo.environment["STOWAGE_TRACE"] != nil
    public static func note(_ text: @autoclosure () -> String) {
        guard on else { return }
        let e = ContinuousClock.now - start
        let s = Double(e.components.seconds) + Double(e.components.attoseconds) * 1e-18
        FileHandle.standardError.write("[trace \(String(format: "%.2f", s))] \(text())\n".data(using: .utf8)!)
    }
}
