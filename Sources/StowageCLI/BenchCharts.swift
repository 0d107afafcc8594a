import Foundation

/// Hand-written SVG charts of a results file, with no dependencies:
/// - `traffic.svg`: non-compulsory traffic versus budget, one panel per
///   model, one line per method;
/// - `solve-time.svg`: solve seconds per run on a log axis, one row per
///   model, coloured by method (timeouts and crashes drawn as crosses);
/// - `throughput.svg` (offload): token/s per model and hardware setting.
struct BenchCharts {
    let rows: [BenchRow]

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    func charts() -> [(name: String, svg: String)] {
        var result: [(String, String)] = []
        let scratchpad = rows.filter { $0.kind == BenchExperiment.Kind.scratchpad.rawValue }
        let offload = rows.filter { $0.kind == BenchExperiment.Kind.offload.rawValue }
        if !scratchpad.isEmpty {
            result.append(("traffic.svg", traffic(scratchpad)))
            result.append(("solve-time.svg", solveTime(scratchpad)))
        }
        if !offload.isEmpty { result.append(("throughput.svg", throughput(offload))) }
        return result
    }

    // MARK: traffic versus budget

    private func traffic(_ rows: [BenchRow]) -> String {
        let models = BenchGrouping.models(rows)
        let methods = BenchGrouping.methods(rows)
        let columns = min(3, max(1, models.count))
        // Panels are centred in a page at least as wide as the title, the
        // legend and the note, each on a line of its own (one model used to
        // clip the title and draw the legend over the note).
        let panelWidth = 380.0, panelHeight = 250.0, top = 96.0
        let width = max(Double(columns) * panelWidth + 20, 640, 40 + legendWidth(methods))
        let height = top + Double((models.count + columns - 1) / columns) * panelHeight + 30
        let left = (width - Double(columns) * panelWidth) / 2
        var svg = BenchSVG(width: width, height: height)
        svg.text(20, 28, "Non-compulsory traffic versus scratchpad budget", size: 18, weight: "bold")
        legend(&svg, methods, x: 20, y: 52)
        svg.text(20, 74, "equal results overlap as bands (earlier methods drawn wider); × at the axis: no plan (infeasible or failed)",
                 size: 11, fill: "#666")
        for (n, model) in models.enumerated() {
            let x0 = left + Double(n % columns) * panelWidth, y0 = top + Double(n / columns) * panelHeight
            let ofModel = rows.filter { $0.model == model }
            let budgets = BenchGrouping.budgets(ofModel)
            let plotX = x0 + 80, plotY = y0 + 30, plotW = panelWidth - 110, plotH = panelHeight - 80
            svg.text(x0 + 80, y0 + 18, BenchGrouping.modelName(model), size: 14, weight: "bold")
            let values = ofModel.filter { $0.status == .ok }.compactMap(\.nonCompulsoryBytes)
            let largest = Double(values.max() ?? 0)
            // Ticks at round numbers of the unit the largest value is shown in.
            let unit = largest >= Double(1 << 30) ? (Double(1 << 30), "GiB") : largest >= Double(1 << 20) ? (Double(1 << 20), "MiB")
                : largest >= 1024 ? (1024.0, "KiB") : (1.0, "B")
            let top = largest > 0 ? Self.niceCeiling(largest / unit.0) * unit.0 : 1
            svg.rect(plotX, plotY, plotW, plotH, fill: "#fafafa", stroke: "#ccc")
            for tick in 0 ... (largest > 0 ? 4 : 0) {
                let value = top * Double(tick) / 4
                let y = plotY + plotH - plotH * Double(tick) / 4
                svg.line(plotX, y, plotX + plotW, y, stroke: "#e0e0e0")
                svg.text(plotX - 6, y + 4, tick == 0 ? "0" : String(format: "%g %@", value / unit.0, unit.1), size: 11, anchor: "end")
            }
            if largest == 0, !values.isEmpty {
                svg.text(plotX + plotW / 2, plotY + plotH / 2, "no non-compulsory traffic", size: 12, anchor: "middle", fill: "#666")
            }
            func xPosition(_ i: Int) -> Double {
                budgets.count == 1 ? plotX + plotW / 2 : plotX + 20 + (plotW - 40) * Double(i) / Double(budgets.count - 1)
            }
            for (i, budget) in budgets.enumerated() {
                let capacity = ofModel.first { $0.budget == budget && $0.capacity != nil }?.capacity
                svg.text(xPosition(i), plotY + plotH + 16, budget, size: 11, anchor: "middle")
                if let capacity { svg.text(xPosition(i), plotY + plotH + 30, BenchFormat.bytes(capacity), size: 10, anchor: "middle", fill: "#666") }
            }
            for (m, method) in methods.enumerated() {
                let colour = Self.palette[m % Self.palette.count]
                var points: [(Double, Double)] = []
                for (i, budget) in budgets.enumerated() {
                    guard let row = ofModel.first(where: { $0.budget == budget && BenchGrouping.methodLabel($0) == method && $0.status == .ok }),
                          let traffic = row.nonCompulsoryBytes else { continue }
                    points.append((xPosition(i), plotY + plotH - plotH * Double(traffic) / top))
                }
                // Earlier methods are drawn wider, so equal lines stay visible as bands.
                let width = 2 + 2.5 * Double(methods.count - 1 - m)
                if points.count > 1 { svg.polyline(points, stroke: colour, width: width) }
                for point in points { svg.circle(point.0, point.1, 1.5 + width / 2, fill: colour) }
                // Runs without a plan have no traffic to draw: a cross below the axis says so.
                for (i, budget) in budgets.enumerated() {
                    let runs = ofModel.filter { $0.budget == budget && BenchGrouping.methodLabel($0) == method }
                    guard !runs.isEmpty, !runs.contains(where: { $0.status == .ok }), let last = runs.last else { continue }
                    svg.cross(xPosition(i) + 7 * Double(m) - 3.5 * Double(methods.count - 1), plotY + plotH - 6, 4, stroke: colour,
                              title: "\(BenchGrouping.modelName(model)) \(budget) \(method): \(last.status.rawValue)\(last.message.map { ": " + $0 } ?? "")")
                }
            }
        }
        return svg.document
    }

    // MARK: solve time per method

    private func solveTime(_ rows: [BenchRow]) -> String {
        let models = BenchGrouping.models(rows)
        let methods = BenchGrouping.methods(rows)
        let rowHeight = 16.0 + 8.0 * Double(methods.count)
        let left = 170.0, top = 80.0, plotW = 720.0
        let plotH = rowHeight * Double(models.count)
        var svg = BenchSVG(width: max(left + plotW + 40, 40 + legendWidth(methods)), height: top + plotH + 60)
        svg.text(20, 28, "Solve time per run (log scale)", size: 18, weight: "bold")
        legend(&svg, methods, x: 20, y: 52)
        svg.text(20, 70, "● a plan; ○ no plan exists at the budget (infeasible); × timeout, crash or failure, at its wall time",
                 size: 11, fill: "#666")
        let seconds = rows.map { $0.solveSeconds ?? $0.wallSeconds }.filter { $0 > 0 }
        let low = floor(log10(max(1e-3, seconds.min() ?? 0.01))), high = max(low + 1, ceil(log10(max(1e-3, seconds.max() ?? 1))))
        func x(_ value: Double) -> Double { left + plotW * (log10(max(value, pow(10, low))) - low) / (high - low) }
        svg.rect(left, top, plotW, plotH, fill: "#fafafa", stroke: "#ccc")
        for decade in Int(low) ... Int(high) {
            let value = pow(10, Double(decade))
            svg.line(x(value), top, x(value), top + plotH, stroke: "#ddd")
            svg.text(x(value), top + plotH + 16, value >= 1 ? String(format: "%.0f s", value) : String(format: "%g s", value), size: 11, anchor: "middle")
        }
        svg.text(left + plotW / 2, top + plotH + 40, "seconds (solve time reported by the run, else wall time)", size: 12, anchor: "middle")
        for (r, model) in models.enumerated() {
            let y0 = top + Double(r) * rowHeight
            if r % 2 == 1 { svg.rect(left, y0, plotW, rowHeight, fill: "#f0f0f0", stroke: "none") }
            svg.text(left - 8, y0 + rowHeight / 2 + 4, BenchGrouping.modelName(model), size: 12, anchor: "end")
            for (m, method) in methods.enumerated() {
                let colour = Self.palette[m % Self.palette.count]
                let y = y0 + 8 + 8 * Double(m) + 4
                for row in rows where row.model == model && BenchGrouping.methodLabel(row) == method {
                    let tip = "\(BenchGrouping.modelName(model)) \(row.budget ?? "") \(method): \(BenchFormat.seconds(row.solveSeconds ?? row.wallSeconds)) s"
                    if row.status == .ok {
                        svg.circle(x(row.solveSeconds ?? row.wallSeconds), y, 3.5, fill: colour, opacity: 0.75, title: tip)
                    } else if row.status == .infeasible {
                        // An answer ("no plan"), but not a solve to compare: drawn hollow, at the wall time.
                        svg.ring(x(row.wallSeconds), y, 3.5, stroke: colour, title: tip + " (infeasible: \(row.message ?? "no plan"))")
                    } else {
                        svg.cross(x(row.wallSeconds), y, 4, stroke: colour, title: "\(row.status.rawValue): \(row.message ?? "")")
                    }
                }
            }
        }
        return svg.document
    }

    // MARK: offload throughput

    private func throughput(_ rows: [BenchRow]) -> String {
        let models = BenchGrouping.models(rows)
        func setting(_ row: BenchRow) -> String {
            [BenchGrouping.modelName(row.hardware ?? "t4"), row.gpuMem.map { "GPU \($0)" }, row.cpuMem.map { "CPU \($0)" },
             row.disk.map { "disk \($0)" }, row.prompt.map { "s=\($0)" }, row.gen.map { "n=\($0)" }].compactMap { $0 }.joined(separator: " ")
        }
        let settings = Array(Set(rows.map(setting))).sorted()
        let barHeight = 14.0, left = 170.0, top = 80.0, plotW = 640.0
        let rowHeight = barHeight * Double(settings.count) + 12
        let plotH = rowHeight * Double(models.count)
        var svg = BenchSVG(width: left + plotW + 120, height: top + plotH + 50)
        svg.text(20, 28, "Offload throughput (token/s) per model and hardware setting", size: 18, weight: "bold")
        legend(&svg, settings, x: 20, y: 52)
        let best = rows.filter { $0.status == .ok }.compactMap(\.throughput).max() ?? 1
        let scale = Self.niceCeiling(best)
        svg.rect(left, top, plotW, plotH, fill: "#fafafa", stroke: "#ccc")
        for tick in 0 ... 4 {
            let value = scale * Double(tick) / 4
            let x = left + plotW * Double(tick) / 4
            svg.line(x, top, x, top + plotH, stroke: "#e0e0e0")
            svg.text(x, top + plotH + 16, String(format: "%.3g", value), size: 11, anchor: "middle")
        }
        for (r, model) in models.enumerated() {
            let y0 = top + Double(r) * rowHeight + 6
            svg.text(left - 8, y0 + rowHeight / 2, BenchGrouping.modelName(model), size: 12, anchor: "end")
            for (s, name) in settings.enumerated() {
                let y = y0 + barHeight * Double(s)
                let runs = rows.filter { $0.model == model && setting($0) == name }
                guard !runs.isEmpty else { continue }
                if let value = runs.compactMap(\.throughput).max() {
                    svg.rect(left, y, plotW * value / scale, barHeight - 2, fill: Self.palette[s % Self.palette.count], stroke: "none")
                    svg.text(left + plotW * value / scale + 4, y + barHeight - 4, String(format: "%.3g", value), size: 10)
                } else {
                    svg.text(left + 4, y + barHeight - 4, runs.last?.status.rawValue ?? "", size: 10, fill: "#a00")
                }
            }
        }
        return svg.document
    }

    /// Pixels the legend of `names` takes, as ``legend(_:_:x:y:)`` draws it.
    private func legendWidth(_ names: [String]) -> Double {
        names.reduce(0) { $0 + 28 + Double($1.count) * 7 }
    }

    private func legend(_ svg: inout BenchSVG, _ names: [String], x: Double, y: Double) {
        var cursor = x
        for (i, name) in names.enumerated() {
            svg.rect(cursor, y - 9, 12, 12, fill: Self.palette[i % Self.palette.count], stroke: "none")
            svg.text(cursor + 16, y + 1, name, size: 12)
            cursor += 28 + Double(name.count) * 7
        }
    }

    /// 1, 2, 2.5 or 5 × 10^k, at least `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }
}

/// A minimal SVG writer: elements appended as text, coordinates in pixels.
struct BenchSVG {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    mutating func text(_ x: Double, _ y: Double, _ text: String, size: Double, anchor: String = "start", weight: String = "normal", fill: String = "#222") {
        body.append("<text x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" font-size=\"\(Self.f(size))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" fill=\"\(fill)\">\(Self.escape(text))</text>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String) {
        body.append("<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(max(0, w)))\" height=\"\(Self.f(max(0, h)))\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String) {
        body.append("<line x1=\"\(Self.f(x1))\" y1=\"\(Self.f(y1))\" x2=\"\(Self.f(x2))\" y2=\"\(Self.f(y2))\" stroke=\"\(stroke)\"/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2) {
        let list = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
        body.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\" stroke-linejoin=\"round\"/>")
    }

    mutating func circle(_ x: Double, _ y: Double, _ r: Double, fill: String, opacity: Double = 1, title: String? = nil) {
        let tip = title.map { "<title>\(Self.escape($0))</title>" } ?? ""
        body.append("<circle cx=\"\(Self.f(x))\" cy=\"\(Self.f(y))\" r=\"\(Self.f(r))\" fill=\"\(fill)\" fill-opacity=\"\(opacity)\">\(tip)</circle>")
    }

    mutating func ring(_ x: Double, _ y: Double, _ r: Double, stroke: String, title: String? = nil) {
        let tip = title.map { "<title>\(Self.escape($0))</title>" } ?? ""
        body.append("<circle cx=\"\(Self.f(x))\" cy=\"\(Self.f(y))\" r=\"\(Self.f(r))\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"1.5\">\(tip)</circle>")
    }

    mutating func cross(_ x: Double, _ y: Double, _ r: Double, stroke: String, title: String? = nil) {
        let tip = title.map { "<title>\(Self.escape($0))</title>" } ?? ""
        body.append("<path d=\"M\(Self.f(x - r)),\(Self.f(y - r))L\(Self.f(x + r)),\(Self.f(y + r))M\(Self.f(x - r)),\(Self.f(y + r))L\(Self.f(x + r)),\(Self.f(y - r))\" stroke=\"\(stroke)\" stroke-width=\"2\">\(tip)</path>")
    }

    var document: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.f(width))" height="\(Self.f(height))" viewBox="0 0 \(Self.f(width)) \(Self.f(height))" font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }
}
