import Foundation
import Testing
@testable import StowageCLI

/// `stowage offload calibrate`.
@Suite struct OffloadCalibrateCommandTests {
    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("stowage-calibrate-\(UUID().uuidString)-\(name)").path
    }

    @Test func fitsTheMeasuredRatesAndWritesAProfileTheOffloadCommandReads() throws {
        // Exact timings of a 20 GiB/s link with 1 ms latency, and a 100 TFLOPS matmul.
        let gib = Double(1 << 30)
        let csv = """
            constant,amount,seconds,gbs,hidden
            cpuToGpuGBps,\(gib),\(0.001 + 1.0 / 20),,
            cpuToGpuGBps,\(4 * gib),\(0.001 + 4.0 / 20),,
            matmulPrefillTflops,1e13,0.1,,

            """
        let timings = Self.temporary("t.csv"), output = Self.temporary("p.json")
        try Data(csv.utf8).write(to: URL(fileURLWithPath: timings))
        defer { try? FileManager.default.removeItem(atPath: timings); try? FileManager.default.removeItem(atPath: output) }
        let outcome = try CommandRunner.run(["offload", "calibrate", "--profile", "t4", "--timings", timings, "-o", output])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let profile = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as! [String: Any]
        #expect(abs((profile["cpuToGpuGBps"] as! Double) - 20) < 1e-9)
        #expect(abs((profile["matmulPrefillTflops"] as! Double) - 100) < 1e-9)
        #expect((profile["diskToCpuGBps"] as! Double) == 0.473)
        let run = try CommandRunner.run(["offload", "--model", "\(CommandRunner.root.path)/Models/llm/opt-30b.json", "--hardware", output])
        #expect(run.status == 0, "\(run.stderr)")
    }

    @Test func aBadLineExitsWithTwoNamingFileAndLineAndWritesNothing() throws {
        let timings = Self.temporary("bad.csv"), output = Self.temporary("p.json")
        try Data("constant,amount,seconds,gbs,hidden\ncpuToGpuGBps,1e9,0.1,,\ncpuToGpuGBps,1e9,soon,,\n".utf8)
            .write(to: URL(fileURLWithPath: timings))
        defer { try? FileManager.default.removeItem(atPath: timings) }
        let outcome = try CommandRunner.run(["offload", "calibrate", "--profile", "t4", "--timings", timings, "-o", output])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("\(timings): line 3"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func aMissingTimingsFileExitsWithTwo() throws {
        let outcome = try CommandRunner.run(["offload", "calibrate", "--profile", "t4", "--timings", "/nonexistent.csv"])
        #expect(outcome.status == 2)
    }
}
