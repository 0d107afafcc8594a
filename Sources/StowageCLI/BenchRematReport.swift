import Foundation

/// `stowage bench report` for remat experiments: the overhead (extra
/// compute over one forward and backward pass) per model, budget and
/// method, with "over" where the method's schedule does not fit, and the
/// overhead-versus-budget chart.
extension BenchReport {
    func rematTable(_ rows: [BenchRow]) -> String {
        let methods = BenchGrouping.methods(rows)
        var lines: [[String]] = [["model", "budget", "bytes"] + methods.flatMap { ["\($0) overhead", "s"] }]
        for model in BenchGrouping.models(rows) {
            let ofModel = rows.filter { $0.model == model }
            for budget in BenchGrouping.budgets(ofModel) {
                let cell = ofModel.filter { $0.budget == budget }
                var line = [BenchGrouping.modelName(model), budget, cell.compactMap(\.capacity).first.map(BenchFormat.bytes) ?? "-"]
                for method in methods {
                    let runs = cell.filter { BenchGrouping.methodLabel($0) == method }
                    if let ok = runs.first(where: { $0.status == .ok }), let overhead = ok.overhead {
                        let mark = ok.optimal == true ? " *" : ok.overheadBound.map { " (≥ \(BenchFormat.percent($0)))" } ?? ""
                        line += [BenchFormat.percent(overhead) + mark, BenchFormat.seconds(ok.solveSeconds)]
                    } else {
                        line += [runs.last?.status.rawValue ?? "", runs.isEmpty ? "" : BenchFormat.seconds(runs.last?.wallSeconds)]
                    }
                }
                lines.append(line)
            }
        }
        return "Compute overhead over one forward + backward pass (* proven optimal in its scope; ≥ a proven lower bound), remat\n"
            + BenchFormat.align(lines)
    }
}

extension BenchCharts {
    /// `overhead.svg`: overhead versus budget, one panel per model, one line per method.
    func overhead(_ rows: [BenchRow]) -> String {
        let models = BenchGrouping.models(rows)
        let methods = BenchGrouping.methods(rows)
        let columns = min(3, max(1, models.count))
        let panelWidth = 380.0, panelHeight = 250.0, top = 96.0
        let width = max(Double(columns) * panelWidth + 20, 640)
        let height = top + Double((models.count + columns - 1) / columns) * panelHeight + 30
        let left = (width - Double(columns) * panelWidth) / 2
        var svg = BenchSVG(width: width, height: height)
        svg.text(20, 28, "Compute overhead versus activation budget", size: 18, weight: "bold")
        var cursor = 20.0
        for (i, name) in methods.enumerated() {
            svg.rect(cursor, 43, 12, 12, fill: Self.palette[i % Self.palette.count], stroke: "none")
            svg.text(cursor + 16, 53, name, size: 12)
            cursor += 28 + Double(name.count) * 7
        }
        svg.text(20, 74, "extra compute over one forward + backward pass; × at the axis: no plan within the budget", size: 11, fill: "#666")
        for (n, model) in models.enumerated() {
            let x0 = left + Double(n % columns) * panelWidth, y0 = top + Double(n / columns) * panelHeight
            let ofModel = rows.filter { $0.model == model }
            let budgets = BenchGrouping.budgets(ofModel)
            let plotX = x0 + 70, plotY = y0 + 30, plotW = panelWidth - 100, plotH = panelHeight - 80
            svg.text(plotX, y0 + 18, BenchGrouping.modelName(model), size: 14, weight: "bold")
            let largest = ofModel.filter { $0.status == .ok }.compactMap(\.overhead).max() ?? 0
            let ceiling = largest > 0 ? Self.niceCeiling(largest) : 0.01
            svg.rect(plotX, plotY, plotW, plotH, fill: "#fafafa", stroke: "#ccc")
            for tick in 0 ... 4 {
                let y = plotY + plotH - plotH * Double(tick) / 4
                svg.line(plotX, y, plotX + plotW, y, stroke: "#e0e0e0")
                svg.text(plotX - 6, y + 4, BenchFormat.percent(ceiling * Double(tick) / 4), size: 11, anchor: "end")
            }
            func xPosition(_ i: Int) -> Double {
                budgets.count == 1 ? plotX + plotW / 2 : plotX + 20 + (plotW - 40) * Double(i) / Double(budgets.count - 1)
            }
            for (i, budget) in budgets.enumerated() {
                svg.text(xPosition(i), plotY + plotH + 16, budget, size: 11, anchor: "middle")
            }
            for (m, method) in methods.enumerated() {
                let colour = Self.palette[m % Self.palette.count]
                var points: [(Double, Double)] = []
                for (i, budget) in budgets.enumerated() {
                    let runs = ofModel.filter { $0.budget == budget && BenchGrouping.methodLabel($0) == method }
                    if let row = runs.first(where: { $0.status == .ok }), let overhead = row.overhead {
                        points.append((xPosition(i), plotY + plotH - plotH * overhead / ceiling))
                    } else if let last = runs.last {
                        svg.cross(xPosition(i) + 7 * Double(m) - 3.5 * Double(methods.count - 1), plotY + plotH - 6, 4, stroke: colour,
                                  title: "\(BenchGrouping.modelName(model)) \(budget) \(method): \(last.status.rawValue)\(last.message.map { ": " + $0 } ?? "")")
                    }
                }
                let lineWidth = 2 + 2 * Double(methods.count - 1 - m)
                if points.count > 1 { svg.polyline(points, stroke: colour, width: lineWidth) }
                for point in points { svg.circle(point.0, point.1, 1.5 + lineWidth / 2, fill: colour) }
            }
        }
        return svg.document
    }
}
