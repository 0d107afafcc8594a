import Foundation
import Units

/// The summary table of `stowage bench report`: for scratchpad experiments
/// one line per model × budget with, per method, the non-compulsory traffic
/// and the solve time (medians over repeats); for offload experiments one
/// line per configuration with its throughput.
struct BenchReport {
    let rows: [BenchRow]

    func table() -> String {
        var parts: [String] = []
        let scratchpad = rows.filter { $0.kind == BenchExperiment.Kind.scratchpad.rawValue }
        let offload = rows.filter { $0.kind == BenchExperiment.Kind.offload.rawValue }
        let remat = rows.filter { $0.kind == BenchExperiment.Kind.remat.rawValue }
        let schedule = rows.filter { $0.kind == BenchExperiment.Kind.schedule.rawValue }
        if !scratchpad.isEmpty { parts.append(scratchpadTable(scratchpad)) }
        if !remat.isEmpty { parts.append(rematTable(remat)) }
        if !offload.isEmpty { parts.append(offloadTable(offload)) }
        if !schedule.isEmpty { parts.append(BenchScheduleTable(rows: schedule).text) }
        let counts = Dictionary(grouping: rows, by: \.status).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
        parts.append("\(rows.count) runs: " + counts.joined(separator: ", "))
        return parts.joined(separator: "\n\n")
    }

    private func scratchpadTable(_ rows: [BenchRow]) -> String {
        let methods = BenchGrouping.methods(rows)
        var header = ["model", "budget", "capacity"]
        for method in methods { header += ["\(method) traffic", "s"] }
        var lines: [[String]] = [header]
        for model in BenchGrouping.models(rows) {
            let ofModel = rows.filter { $0.model == model }
            for budget in BenchGrouping.budgets(ofModel) {
                let cell = ofModel.filter { $0.budget == budget }
                let capacity = cell.compactMap(\.capacity).first
                var line = [BenchGrouping.modelName(model), budget, capacity.map(BenchFormat.bytes) ?? "-"]
                for method in methods {
                    let runs = cell.filter { BenchGrouping.methodLabel($0) == method }
                    if runs.isEmpty {
                        line += ["", ""]
                        continue
                    }
                    let ok = runs.filter { $0.status == .ok }
                    if let first = ok.first, let traffic = first.nonCompulsoryBytes {
                        // Whom the bound covers, and the gap to it.
                        let scope = first.boundScope.map { $0 == "all-orders" ? "all orders" : "this order" }
                        let mark = first.bound == nil ? ""
                            : " (\(scope.map { "\($0), " } ?? "")\(first.optimal == true ? "optimal" : "gap \(BenchFormat.percent(first.gap ?? 0))"))"
                        line.append(BenchFormat.bytes(traffic) + mark)
                        line.append(BenchFormat.seconds(BenchFormat.median(ok.compactMap(\.solveSeconds))))
                    } else {
                        line += [runs.last?.status.rawValue ?? "-", BenchFormat.seconds(BenchFormat.median(runs.map(\.wallSeconds)))]
                    }
                }
                lines.append(line)
            }
        }
        return "Non-compulsory traffic (and solve seconds), scratchpad\n" + BenchFormat.align(lines)
            + reductions(rows, methods: methods)
    }

    /// Per budget and method, the average reduction of Belady's
    /// non-compulsory traffic over the models where Belady's is non-zero
    /// (the figure COSMA reports), from the first successful run of each.
    private func reductions(_ rows: [BenchRow], methods: [String]) -> String {
        let others = methods.filter { $0 != "belady" }
        guard methods.contains("belady"), !others.isEmpty else { return "" }
        var lines: [[String]] = [["budget"] + others.map { "\($0) vs belady" } + ["cases"]]
        for budget in BenchGrouping.budgets(rows) {
            var line = [budget]
            var cases = 0
            for method in others {
                var reductions: [Double] = []
                for model in BenchGrouping.models(rows) {
                    let cell = rows.filter { $0.model == model && $0.budget == budget && $0.status == .ok }
                    guard let belady = cell.first(where: { BenchGrouping.methodLabel($0) == "belady" })?.nonCompulsoryBytes, belady > 0,
                          let other = cell.first(where: { BenchGrouping.methodLabel($0) == method })?.nonCompulsoryBytes
                    else { continue }
                    reductions.append(1 - Double(other) / Double(belady))
                }
                cases = max(cases, reductions.count)
                line.append(reductions.isEmpty ? "-" : BenchFormat.percent(reductions.reduce(0, +) / Double(reductions.count)))
            }
            lines.append(line + [String(cases)])
        }
        return "\n\nAverage reduction of Belady's non-compulsory traffic, over the models where it is non-zero\n" + BenchFormat.align(lines)
    }

    private func offloadTable(_ rows: [BenchRow]) -> String {
        var lines: [[String]] = [["model", "hardware", "gpu", "cpu", "disk", "prompt", "gen", "status", "token/s", "gbs×nb", "s"]]
        var groups: [String: [BenchRow]] = [:]
        for row in rows { groups[row.key.replacingOccurrences(of: "|repeat=\(row.repeatIndex)", with: ""), default: []].append(row) }
        for key in groups.keys.sorted() {
            let runs = groups[key] ?? []
            guard let first = runs.first else { continue }
            let ok = runs.filter { $0.status == .ok }
            let best = ok.first
            lines.append([
                BenchGrouping.modelName(first.model), BenchGrouping.modelName(first.hardware ?? "t4"),
                first.gpuMem ?? "profile", first.cpuMem ?? "profile", first.disk ?? "profile",
                first.prompt.map(String.init) ?? "-", first.gen.map(String.init) ?? "-",
                best == nil ? (runs.last?.status.rawValue ?? "-") : "ok",
                best?.throughput.map { String(format: "%.4g", $0) } ?? "-",
                best.flatMap { row in row.gbs.map { "\($0)×\(row.nb ?? 1)" } } ?? "-",
                BenchFormat.seconds(BenchFormat.median(ok.compactMap(\.solveSeconds))),
            ])
        }
        return "Throughput, offload\n" + BenchFormat.align(lines)
    }
}

/// How rows are grouped and ordered in tables and charts.
enum BenchGrouping {
    /// `baseline`, `lru`, `ilp/cbc`, …
    static func methodLabel(_ row: BenchRow) -> String {
        row.method == "baseline" ? "belady" : row.method + (row.solver.map { "/\($0)" } ?? "")
    }

    static func methods(_ rows: [BenchRow]) -> [String] {
        let order = ["belady", "lru", "ilp/cbc", "ilp/glpk", "ilp-free/cbc", "ilp-free/glpk",
                     "keep-all", "chen", "torch-knapsack", "greedy", "griewank", "exact/cbc", "exact/glpk", "lp/cbc", "lp/glpk", "checkmate/cbc", "checkmate/glpk", "auto/cbc", "auto/glpk"]
        return Set(rows.map(methodLabel)).sorted { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }
    }

    static func models(_ rows: [BenchRow]) -> [String] {
        Set(rows.map(\.model)).sorted { modelName($0) < modelName($1) }
    }

    /// M_R, M_H, M_P, then sizes by value.
    static func budgets(_ rows: [BenchRow]) -> [String] {
        func rank(_ budget: String) -> (Int, Double, String) {
            if let named = ["M_R", "M_H", "M_P"].firstIndex(of: budget) { return (named, 0, budget) }
            return (3, Double(Units.ByteCount.value(budget) ?? 0), budget)
        }
        return Set(rows.compactMap(\.budget)).sorted { rank($0) < rank($1) }
    }

    /// A file's name without folder and extension.
    static func modelName(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }
}

/// Number formatting for people.
enum BenchFormat {
    /// A fraction as a percentage, with two decimals below 1 %.
    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return String(format: abs(value) < 1 && value != 0 ? "%.2f%%" : "%.0f%%", value)
    }

    static func bytes(_ value: Int) -> String {
        let x = Double(value)
        if value == 0 { return "0" }
        if x >= Double(1 << 30) { return String(format: "%.2f GiB", x / Double(1 << 30)) }
        if x >= Double(1 << 20) { return String(format: "%.2f MiB", x / Double(1 << 20)) }
        if x >= 1024 { return String(format: "%.1f KiB", x / 1024) }
        return "\(value) B"
    }

    static func seconds(_ value: Double?) -> String {
        guard let value else { return "-" }
        return value < 10 ? String(format: "%.2f", value) : String(format: "%.0f", value)
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Left-aligned text columns, right-aligned numbers, two spaces apart.
    static func align(_ lines: [[String]]) -> String {
        guard let width = lines.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: width)
        for line in lines { for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return lines.enumerated().map { number, line in
            line.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return (i < 2 || number == 0) ? cell + pad : pad + cell
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
