import Foundation

/// Wall-clock timing for benchmarks: the best of `repeats` runs, in seconds.
func bestTime(repeats: Int = 3, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0 ..< repeats {
        let start = ContinuousClock.now
        body()
        let elapsed = ContinuousClock.now - start
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    return best
}

func formatSeconds(_ seconds: Double) -> String {
    seconds < 1e-3 ? String(format: "%8.1f µs", seconds * 1e6)
        : seconds < 1 ? String(format: "%8.2f ms", seconds * 1e3)
        : String(format: "%8.2f s ", seconds)
}
