/// The table of `stowage bench report` for schedule experiments: per model,
/// the given order's peak and packed height, then per method the arena
/// height, the lower bound over every order, and the seconds (first
/// successful run of each).
struct BenchScheduleTable {
    let rows: [BenchRow]

    var text: String {
        let methods = BenchGrouping.methods(rows)
        var header = ["model", "given peak", "given height"]
        for method in methods { header += ["\(method) height", "bound", "s"] }
        var lines: [[String]] = [header]
        for model in BenchGrouping.models(rows) {
            let ofModel = rows.filter { $0.model == model }
            let given = ofModel.first { $0.status == .ok && $0.fileOrderHeight != nil }
            var line = [BenchGrouping.modelName(model), given?.fileOrderPeak.map(BenchFormat.bytes) ?? "-",
                        given?.fileOrderHeight.map(BenchFormat.bytes) ?? "-"]
            for method in methods {
                let runs = ofModel.filter { BenchGrouping.methodLabel($0) == method }
                if let ok = runs.first(where: { $0.status == .ok }), let height = ok.height {
                    line += [BenchFormat.bytes(height) + (ok.optimal == true ? " *" : ""), ok.lowerBound.map(BenchFormat.bytes) ?? "-",
                             BenchFormat.seconds(ok.solveSeconds)]
                } else {
                    line += [runs.last?.status.rawValue ?? "", "", ""]
                }
            }
            lines.append(line)
        }
        return "Arena height (* proved optimal over every order), schedule\n" + BenchFormat.align(lines)
    }
}
