import Foundation
import MILP

/// Prints one line per progress report on standard error, once a solve has
/// run for `after` seconds (short solves stay silent).
struct ProgressPrinter {
    var after: Double = 1

    var callback: @Sendable (SolveProgress) -> Void {
        let after = self.after
        return { progress in
            guard progress.elapsed >= after else { return }
            var parts = [String(format: "%7.1fs", progress.elapsed)]
            parts.append("incumbent " + (progress.incumbent.map { String(format: "%.6g", $0) } ?? "-"))
            parts.append("bound " + (progress.bound.map { String(format: "%.6g", $0) } ?? "-"))
            parts.append("gap " + (progress.gap.map { String(format: "%.2f%%", $0 * 100) } ?? "-"))
            if let nodes = progress.nodes { parts.append("nodes \(nodes)") }
            FileHandle.standardError.write(Data((parts.joined(separator: "  ") + "\n").utf8))
        }
    }
}
