import Foundation
import Testing
@testable import Offload

/// The profiles in Profiles/ are the built-in ones, and every number in a
/// derived profile says where it comes from.
@Suite struct HardwareProfileTests {
    static let profiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Profiles")

    static let numericKeys = [
        "gpuMemoryGB", "cpuMemoryGB", "diskGB", "cpuToGpuGBps", "gpuToCpuCacheGBps", "gpuToCpuHiddenGBps",
        "diskToCpuGBps", "cpuToDiskCachePrefillGBps", "cpuToDiskHiddenPrefillGBps", "cpuToDiskDecodeGBps",
        "matmulPrefillTflops", "matmulDecodeTflops", "batchedMatmulPrefillTflops", "batchedMatmulDecodeTflops",
        "cpuTflops", "cpuCorrection",
    ]

    @Test(arguments: ["t4", "a100-40gb", "a100-80gb", "h100-80gb", "rtx4090"])
    func fileMatchesTheBuiltInProfile(_ name: String) throws {
        let data = try Data(contentsOf: Self.profiles.appendingPathComponent("\(name).json"))
        var file = try JSONDecoder().decode(HardwareProfile.self, from: data)
        var builtIn = try #require(HardwareProfile.builtIn[name])
        #expect(file.validationError() == nil)
        if name != "t4" {
            let sources = try #require(file.sources)
            for key in Self.numericKeys {
                #expect(!(sources[key] ?? "").isEmpty, "\(name): no source for \(key)")
            }
            #expect(Set(sources.keys) == Set(builtIn.sources?.keys ?? [:].keys))
        }
        file.source = nil; file.sources = nil
        builtIn.source = nil; builtIn.sources = nil
        #expect(file == builtIn)
    }

    @Test func derivedProfilesScaleTheT4FitByDatasheetRatios() {
        let h100 = HardwareProfile.h100_80gb, t4 = HardwareProfile.t4
        // PCIe gen5 vs gen3: 4×; H100 dense fp16 989.4 vs T4 65 TFLOPS; 3350 vs 320 GB/s.
        #expect(abs(h100.cpuToGpuGBps - 4 * t4.cpuToGpuGBps) < 1e-3)
        #expect(abs(h100.matmulPrefillTflops - t4.matmulPrefillTflops * 989.4 / 65) < 1e-3)
        #expect(abs(h100.matmulDecodeTflops - t4.matmulDecodeTflops * 3350 / 320) < 1e-3)
        #expect(h100.diskToCpuGBps == t4.diskToCpuGBps && h100.cpuTflops == t4.cpuTflops)
        #expect(HardwareProfile.a100_40gb.gpuMemoryGB == 40 && HardwareProfile.rtx4090.gpuMemoryGB == 24)
    }
}
