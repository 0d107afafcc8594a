import Foundation
import Testing
@testable import Offload

/// Calibration recovers known constants from synthetic timings with noise.
@Suite struct ProfileCalibrationTests {
    /// A deterministic generator (SplitMix64) for the noise.
    struct Noise {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 53) * 2 - 1  // uniform in [-1, 1)
        }
    }

    /// Timings a machine with `truth`'s constants would produce: 20 µs of
    /// latency per operation and ±2 % multiplicative noise.
    static func synthetic(_ truth: HardwareProfile) -> String {
        var noise = Noise(state: 7)
        var lines = ["constant,amount,seconds,gbs,hidden"]
        for key in ProfileCalibration.linkKeys + ProfileCalibration.rateKeys {
            let unit = ProfileCalibration.linkKeys.contains(key) ? FlexGenUnits.gigabyte : FlexGenUnits.tera
            let rate = ProfileCalibration.value(of: key, in: truth) * unit
            for amount in [0.25, 0.5, 1, 2, 4, 8].map({ $0 * unit / 8 }) {
                let seconds = (20e-6 + amount / rate) * (1 + 0.02 * noise.next())
                lines.append("\(key),\(amount),\(seconds),,")
            }
        }
        let c = truth.cpuCorrection
        for gbs in [1, 4, 16, 64] {
            for hidden in [1024, 2048, 4096] {
                let a = max(0, log2(64 / Double(gbs))), b = max(0, log2(4096 / Double(hidden)))
                let rate = truth.cpuTflops * 1e12 * (1 + c[0] * a * b - c[1] * a - c[2] * b)
                let flops = 1e9
                lines.append("cpuTflops,\(flops),\(flops / rate * (1 + 0.02 * noise.next())),\(gbs),\(hidden)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func recoversTheH100ConstantsStartingFromTheT4() throws {
        let truth = HardwareProfile.h100_80gb
        let rows = try ProfileCalibration.parse(Self.synthetic(truth))
        let (fitted, fits) = try ProfileCalibration.fit(.t4, rows: rows, sourceName: "synthetic.csv")
        #expect(fits.count == 12)
        for key in ProfileCalibration.linkKeys + ProfileCalibration.rateKeys + ["cpuTflops"] {
            let want = ProfileCalibration.value(of: key, in: truth), got = ProfileCalibration.value(of: key, in: fitted)
            #expect(abs(got - want) / want < 0.03, "\(key): fitted \(got), true \(want)")
            #expect(fitted.sources?[key]?.contains("synthetic.csv") == true)
        }
        // The 20 µs latency drowns in ±2 % of times up to seconds; it must stay small against them.
        for fit in fits where fit.constant != "cpuTflops" {
            let longest = rows.filter { $0.constant == fit.constant }.map(\.seconds).max()!
            #expect(abs(fit.latency) < 0.02 * longest, "\(fit.constant) latency \(fit.latency)")
        }
        // The correction's coefficients come back too (c2, c3 dominate at these settings).
        #expect(abs(fitted.cpuCorrection[1] - truth.cpuCorrection[1]) < 0.01)
        #expect(abs(fitted.cpuCorrection[2] - truth.cpuCorrection[2]) < 0.01)
        #expect(fitted.validationError() == nil)
    }

    @Test(arguments: [
        ("", 1),
        ("constant,amount,seconds\n", 1),
        ("constant,amount,seconds,gbs,hidden\ncpuToGpuGBps,1e9,0.1,,\nwarpDrive,1,1,,\n", 3),
        ("constant,amount,seconds,gbs,hidden\ncpuToGpuGBps,1e9,-0.1,,\n", 2),
        ("constant,amount,seconds,gbs,hidden\ncpuToGpuGBps,lots,0.1,,\n", 2),
        ("constant,amount,seconds,gbs,hidden\ncpuTflops,1e9,0.1,,\n", 2),
        ("constant,amount,seconds,gbs,hidden\ncpuToGpuGBps,1e9,0.1\n", 2),
    ])
    func badCSVNamesTheLine(_ text: String, _ line: Int) {
        #expect(throws: ProfileCalibration.Failure.self) { try ProfileCalibration.parse(text) }
        do {
            _ = try ProfileCalibration.parse(text)
        } catch {
            #expect(error.line == line, "\(error)")
        }
    }

    @Test func timesThatShrinkWithTheAmountFitNoRate() throws {
        let rows = try ProfileCalibration.parse("constant,amount,seconds,gbs,hidden\ndiskToCpuGBps,1e9,2,,\ndiskToCpuGBps,2e9,1,,\n")
        #expect(throws: ProfileCalibration.Failure.self) { try ProfileCalibration.fit(.t4, rows: rows, sourceName: "x") }
    }
}
