import Foundation

/// The `OBJSENSE` section of free MPS, which GLPK's reader and writer do not
/// know but CBC, CPLEX, Gurobi and HiGHS do. Without it a maximisation
/// written to MPS would read back as a minimisation.
enum MPSObjectiveSense {
    /// The sense an MPS text declares, and the text with the `OBJSENSE`
    /// lines turned into comments (so GLPK's line numbers stay right), or
    /// nil when the text has no such section.
    static func extract(from text: String) -> (sense: ObjectiveSense, text: String)? {
        var lines = text.components(separatedBy: "\n")
        guard let header = lines.firstIndex(where: { $0.uppercased().hasPrefix("OBJSENSE") }) else { return nil }
        func sense(_ word: Substring) -> ObjectiveSense? {
            switch word.uppercased() {
            case "MAX", "MAXIMIZE", "MAXIMISE": return .maximize
            case "MIN", "MINIMIZE", "MINIMISE": return .minimize
            default: return nil
            }
        }
        let sameLine = lines[header].split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
        if let word = sameLine, let found = sense(word) {
            lines[header] = "* " + lines[header]
            return (found, lines.joined(separator: "\n"))
        }
        let next = header + 1
        guard next < lines.count,
              let word = lines[next].split(separator: " ", omittingEmptySubsequences: true).first,
              let found = sense(word) else { return nil }
        lines[header] = "* " + lines[header]
        lines[next] = "* " + lines[next]
        return (found, lines.joined(separator: "\n"))
    }

    /// `text` with an `OBJSENSE MAX` section after its NAME line.
    static func declaringMaximize(_ text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        let at = (lines.firstIndex { $0.hasPrefix("NAME") } ?? -1) + 1
        lines.insert(contentsOf: ["OBJSENSE", "    MAX"], at: at)
        return lines.joined(separator: "\n")
    }
}
