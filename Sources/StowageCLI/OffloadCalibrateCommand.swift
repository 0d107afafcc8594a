import ArgumentParser
import Foundation
import Offload
import OutputFiles

/// `stowage offload calibrate`: fit a hardware profile's link bandwidths
/// and compute rates to measured timings by least squares.
struct OffloadCalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Fit a hardware profile's constants to measured timings (least squares).",
        discussion: """
            The timings CSV has the header constant,amount,seconds,gbs,hidden and \
            one measured operation a line: constant is a profile key (a link such \
            as cpuToGpuGBps with amount in bytes, or a rate such as \
            matmulPrefillTflops or cpuTflops with amount in FLOPs), seconds the \
            measured time; gbs and hidden are required on cpuTflops lines (the \
            CPU rate's batch and width correction) and empty elsewhere. Each link \
            or GPU rate is fitted as seconds = latency + amount / rate; cpuTflops \
            and its three correction coefficients as FlexGen's formula, linear \
            in them. Constants without timings keep their values. The fitted \
            profile is written atomically (-o) or printed.
            """
    )

    @Option(help: "The profile to start from: a JSON file or a built-in name.")
    var profile: String

    @Option(help: "The measured timings (CSV).")
    var timings: String

    @Option(name: .shortAndLong, help: "Write the fitted profile here instead of printing it.")
    var output: String?

    @Option(help: "Name of the fitted profile (default: the input's name + \"-calibrated\").")
    var name: String?

    func run() throws {
        // Checked before any work: a folder, a device or a missing folder is refused, nothing is replaced.
        if let output {
            do {
                try OutputFile.check(output)
            } catch {
                throw CommandFailure.badInput(error.description)
            }
        }
        let start: HardwareProfile
        do {
            start = try HardwareProfile.load(profile)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        if start.tiers != nil {
            throw CommandFailure.badInput("\(profile): calibrate fits FlexGen's three-tier constants; this profile gives a chain of tiers (edit its links directly)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: timings, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: timings) else {
            throw CommandFailure.badInput("\(timings): cannot read the timings file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let fileName = URL(fileURLWithPath: timings).lastPathComponent
        let fitted: HardwareProfile
        let fits: [ProfileCalibration.Fit]
        do {
            let rows = try ProfileCalibration.parse(text)
            (fitted, fits) = try ProfileCalibration.fit(start, rows: rows, sourceName: fileName)
        } catch {
            throw CommandFailure.badInput("\(timings): \(error.description)")
        }
        var result = fitted
        result.name = name ?? start.name + "-calibrated"
        if let problem = result.validationError() { throw CommandFailure.badInput("\(timings): the fitted profile is unusable: \(problem)") }
        let json = result.jsonData()
        for fit in fits {
            let line = String(format: "%-28@ %10.4g -> %10.4g  (%d timings, latency %.3g s, RMS %.3g s)",
                              fit.constant as NSString, fit.previous, fit.fitted, fit.rows, fit.latency, fit.rmsSeconds)
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        if let output {
            do {
                try OutputFile.write(json, to: output)
            } catch {
                throw CommandFailure.badInput("cannot write the profile: \(error.description)")
            }
        } else {
            print(String(decoding: json, as: UTF8.self), terminator: "")
        }
    }
}
