import Foundation

/// Fits a hardware profile's constants to measured timings by least
/// squares, as FlexGen fitted its T4 constants.
///
/// ## Timings CSV
///
/// A header line `constant,amount,seconds,gbs,hidden`, then one measured
/// operation a line:
/// - `constant`: the profile key the operation measures — a link
///   (`cpuToGpuGBps`, `gpuToCpuCacheGBps`, `gpuToCpuHiddenGBps`,
///   `diskToCpuGBps`, `cpuToDiskCachePrefillGBps`,
///   `cpuToDiskHiddenPrefillGBps`, `cpuToDiskDecodeGBps`) with `amount` in
///   bytes, or a compute rate (`matmulPrefillTflops`, `matmulDecodeTflops`,
///   `batchedMatmulPrefillTflops`, `batchedMatmulDecodeTflops`,
///   `cpuTflops`) with `amount` in FLOPs;
/// - `seconds`: the measured time (> 0);
/// - `gbs`, `hidden`: the GPU batch size and hidden size of the run, needed
///   on `cpuTflops` lines (the CPU rate's batch/width correction), empty
///   elsewhere.
///
/// ## Fits
///
/// - A link or GPU rate: seconds = latency + amount / rate, an ordinary
///   least-squares line over its rows (two unknowns; with one row, or all
///   rows of one amount, the line through the origin); the rate is
///   1 / slope, in GB/s (2^30) or T/s (10^12).
/// - `cpuTflops` with FlexGen's correction: the observed rate r = amount /
///   seconds is r = p0 + p1·A·B − p2·A − p3·B with A = max(0, log2(64/gbs)),
///   B = max(0, log2(4096/hidden)), linear in p; then cpuTflops = p0 and
///   (c1, c2, c3) = (p1, p2, p3) / p0. Fewer than four distinct (A, B)
///   settings fit the rate alone and keep the profile's coefficients.
///
/// Each fit solves normal equations of at most 4 unknowns: O(rows).
public enum ProfileCalibration {
    public static let linkKeys = [
        "cpuToGpuGBps", "gpuToCpuCacheGBps", "gpuToCpuHiddenGBps", "diskToCpuGBps",
        "cpuToDiskCachePrefillGBps", "cpuToDiskHiddenPrefillGBps", "cpuToDiskDecodeGBps",
    ]
    public static let rateKeys = ["matmulPrefillTflops", "matmulDecodeTflops", "batchedMatmulPrefillTflops", "batchedMatmulDecodeTflops"]

    public struct Row: Sendable, Equatable {
        public var constant: String
        public var amount: Double
        public var seconds: Double
        public var gbs: Int?
        public var hidden: Int?
        /// 1-based line in the file.
        public var line: Int

        public init(constant: String, amount: Double, seconds: Double, gbs: Int? = nil, hidden: Int? = nil, line: Int = 0) {
            self.constant = constant
            self.amount = amount
            self.seconds = seconds
            self.gbs = gbs
            self.hidden = hidden
            self.line = line
        }
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var line: Int?
        public var message: String
        public var description: String { line.map { "line \($0): \(message)" } ?? message }
    }

    /// One fitted constant.
    public struct Fit: Sendable {
        public var constant: String
        public var previous: Double
        public var fitted: Double
        public var rows: Int
        /// Fitted per-operation latency in seconds (links and GPU rates).
        public var latency: Double
        /// Root-mean-square residual of the fitted times, seconds.
        public var rmsSeconds: Double
    }

    /// Parses the CSV described above; the first problem throws with its line.
    public static func parse(_ text: String) throws(Failure) -> [Row] {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        guard let header = lines.first else { throw Failure(line: 1, message: "empty file; expected the header constant,amount,seconds,gbs,hidden") }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard columns == ["constant", "amount", "seconds", "gbs", "hidden"] else {
            throw Failure(line: 1, message: "expected the header constant,amount,seconds,gbs,hidden, found \"\(header)\"")
        }
        var rows: [Row] = []
        for (i, line) in lines.enumerated().dropFirst() {
            let number = i + 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 5 else { throw Failure(line: number, message: "expected 5 fields, found \(fields.count)") }
            let constant = fields[0]
            guard linkKeys.contains(constant) || rateKeys.contains(constant) || constant == "cpuTflops" else {
                throw Failure(line: number, message: "unknown constant \"\(constant)\"")
            }
            guard let amount = Double(fields[1]), amount > 0, amount.isFinite else {
                throw Failure(line: number, message: "amount must be a positive number, found \"\(fields[1])\"")
            }
            guard let seconds = Double(fields[2]), seconds > 0, seconds.isFinite else {
                throw Failure(line: number, message: "seconds must be a positive number, found \"\(fields[2])\"")
            }
            func positiveInt(_ s: String, _ name: String) throws(Failure) -> Int? {
                if s.isEmpty { return nil }
                guard let v = Int(s), v > 0 else { throw Failure(line: number, message: "\(name) must be a positive integer, found \"\(s)\"") }
                return v
            }
            let gbs = try positiveInt(fields[3], "gbs"), hidden = try positiveInt(fields[4], "hidden")
            if constant == "cpuTflops" && (gbs == nil || hidden == nil) {
                throw Failure(line: number, message: "cpuTflops lines need gbs and hidden")
            }
            rows.append(Row(constant: constant, amount: amount, seconds: seconds, gbs: gbs, hidden: hidden, line: number))
        }
        if rows.isEmpty { throw Failure(line: nil, message: "no timings after the header") }
        return rows
    }

    /// Solves the normal equations (XᵀX) p = Xᵀy by Gaussian elimination
    /// with partial pivoting; nil when singular. O(rows·k² + k³).
    static func leastSquares(_ x: [[Double]], _ y: [Double]) -> [Double]? {
        let k = x.first?.count ?? 0
        var a = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k)
        for (row, value) in zip(x, y) {
            for i in 0 ..< k {
                for j in 0 ..< k { a[i][j] += row[i] * row[j] }
                a[i][k] += row[i] * value
            }
        }
        let scale = a.map { $0.prefix(k).map(abs).max() ?? 0 }.max() ?? 0
        for col in 0 ..< k {
            guard let pivot = (col ..< k).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-12 * scale else { return nil }
            a.swapAt(col, pivot)
            for r in 0 ..< k where r != col {
                let factor = a[r][col] / a[col][col]
                if factor != 0 { for c in col ... k { a[r][c] -= factor * a[col][c] } }
            }
        }
        return (0 ..< k).map { a[$0][k] / a[$0][$0] }
    }

    /// Fits every constant with rows; returns the new profile and the fits.
    /// Throws when a constant's times do not grow with its amounts (no
    /// positive rate), naming the constant.
    public static func fit(_ profile: HardwareProfile, rows: [Row], sourceName: String) throws(Failure) -> (HardwareProfile, [Fit]) {
        var result = profile
        var fits: [Fit] = []
        var sources = profile.sources ?? [:]
        let byConstant = Dictionary(grouping: rows, by: \.constant)
        for key in linkKeys + rateKeys {
            guard let group = byConstant[key] else { continue }
            let unit = linkKeys.contains(key) ? FlexGenUnits.gigabyte : FlexGenUnits.tera
            let distinct = Set(group.map(\.amount)).count
            var latency = 0.0, slope: Double
            // Amounts in units (GB or T) keep the normal equations well scaled.
            let amounts = group.map { $0.amount / unit }
            if distinct >= 2, let p = leastSquares(amounts.map { [1, $0] }, group.map(\.seconds)) {
                latency = p[0]
                slope = p[1]
            } else {
                slope = zip(amounts, group).reduce(0) { $0 + $1.0 * $1.1.seconds } / amounts.reduce(0) { $0 + $1 * $1 }
            }
            guard slope > 0, slope.isFinite else {
                throw Failure(line: group.first?.line, message: "the times of \(key) do not grow with the amount; no positive rate fits")
            }
            let fitted = 1 / slope
            let residual = zip(amounts, group).map { latency + $0.0 * slope - $0.1.seconds }
            let rms = (residual.reduce(0) { $0 + $1 * $1 } / Double(group.count)).squareRoot()
            let previous = value(of: key, in: result)
            set(key, fitted, in: &result)
            sources[key] = "fitted by stowage offload calibrate from \(sourceName): \(group.count) timings, latency \(String(format: "%.3g", latency)) s, RMS residual \(String(format: "%.3g", rms)) s"
            fits.append(Fit(constant: key, previous: previous, fitted: fitted, rows: group.count, latency: latency, rmsSeconds: rms))
        }
        if let group = byConstant["cpuTflops"] {
            func ab(_ r: Row) -> (Double, Double) {
                (max(0, log2(64 / Double(r.gbs!))), max(0, log2(4096 / Double(r.hidden!))))
            }
            let rates = group.map { $0.amount / $0.seconds / FlexGenUnits.tera }
            let settings = Set(group.map { [ab($0).0, ab($0).1] }).count
            var p: [Double]?
            if settings >= 4 {
                p = leastSquares(group.map { let (a, b) = ab($0); return [1, a * b, -a, -b] }, rates)
            }
            let previous = result.cpuTflops
            if let p, p[0] > 0 {
                result.cpuTflops = p[0]
                result.cpuCorrection = [p[1] / p[0], p[2] / p[0], p[3] / p[0]]
            } else {
                // The rate alone: rᵢ = cpuTflops · fᵢ with the profile's correction fᵢ.
                let c = profile.cpuCorrection
                let factor = group.map { let (a, b) = ab($0); return max(0.1, 1 + c[0] * a * b - c[1] * a - c[2] * b) }
                result.cpuTflops = zip(rates, factor).reduce(0) { $0 + $1.0 * $1.1 } / factor.reduce(0) { $0 + $1 * $1 }
            }
            let c = result.cpuCorrection
            let predicted = group.map { r -> Double in
                let (a, b) = ab(r)
                return r.amount / (result.cpuTflops * FlexGenUnits.tera * max(0.1, 1 + c[0] * a * b - c[1] * a - c[2] * b))
            }
            let rms = (zip(predicted, group).reduce(0) { $0 + pow($1.0 - $1.1.seconds, 2) } / Double(group.count)).squareRoot()
            guard result.cpuTflops > 0, result.cpuTflops.isFinite else {
                throw Failure(line: group.first?.line, message: "no positive CPU rate fits the cpuTflops timings")
            }
            sources["cpuTflops"] = "fitted by stowage offload calibrate from \(sourceName): \(group.count) timings, RMS residual \(String(format: "%.3g", rms)) s"
            if p != nil { sources["cpuCorrection"] = sources["cpuTflops"] }
            fits.append(Fit(constant: "cpuTflops", previous: previous, fitted: result.cpuTflops, rows: group.count, latency: 0, rmsSeconds: rms))
        }
        result.sources = sources
        return (result, fits)
    }

    static func value(of key: String, in p: HardwareProfile) -> Double {
        switch key {
        case "cpuToGpuGBps": p.cpuToGpuGBps
        case "gpuToCpuCacheGBps": p.gpuToCpuCacheGBps
        case "gpuToCpuHiddenGBps": p.gpuToCpuHiddenGBps
        case "diskToCpuGBps": p.diskToCpuGBps
        case "cpuToDiskCachePrefillGBps": p.cpuToDiskCachePrefillGBps
        case "cpuToDiskHiddenPrefillGBps": p.cpuToDiskHiddenPrefillGBps
        case "cpuToDiskDecodeGBps": p.cpuToDiskDecodeGBps
        case "matmulPrefillTflops": p.matmulPrefillTflops
        case "matmulDecodeTflops": p.matmulDecodeTflops
        case "batchedMatmulPrefillTflops": p.batchedMatmulPrefillTflops
        case "batchedMatmulDecodeTflops": p.batchedMatmulDecodeTflops
        default: p.cpuTflops
        }
    }

    static func set(_ key: String, _ value: Double, in p: inout HardwareProfile) {
        switch key {
        case "cpuToGpuGBps": p.cpuToGpuGBps = value
        case "gpuToCpuCacheGBps": p.gpuToCpuCacheGBps = value
        case "gpuToCpuHiddenGBps": p.gpuToCpuHiddenGBps = value
        case "diskToCpuGBps": p.diskToCpuGBps = value
        case "cpuToDiskCachePrefillGBps": p.cpuToDiskCachePrefillGBps = value
        case "cpuToDiskHiddenPrefillGBps": p.cpuToDiskHiddenPrefillGBps = value
        case "cpuToDiskDecodeGBps": p.cpuToDiskDecodeGBps = value
        case "matmulPrefillTflops": p.matmulPrefillTflops = value
        case "matmulDecodeTflops": p.matmulDecodeTflops = value
        case "batchedMatmulPrefillTflops": p.batchedMatmulPrefillTflops = value
        case "batchedMatmulDecodeTflops": p.batchedMatmulDecodeTflops = value
        default: p.cpuTflops = value
        }
    }
}
