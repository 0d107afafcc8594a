import Foundation
import Testing
@testable import Offload

/// The profiles in Profiles/ are the built-in ones, every number in a
/// derived profile says where it comes from, chains of tiers read and
/// write back, and every bad field is named.
@Suite struct HardwareProfileTests {
    static let profiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Profiles")

    static let numericKeys = [
        "gpuMemory", "cpuMemory", "disk", "cpuToGpuGBps", "gpuToCpuCacheGBps", "gpuToCpuHiddenGBps",
        "diskToCpuGBps", "cpuToDiskCachePrefillGBps", "cpuToDiskHiddenPrefillGBps", "cpuToDiskDecodeGBps",
        "matmulPrefillTflops", "matmulDecodeTflops", "batchedMatmulPrefillTflops", "batchedMatmulDecodeTflops",
        "cpuTflops", "cpuCorrection",
    ]

    static func fourTier() throws -> HardwareProfile {
        try HardwareProfile.load(profiles.appendingPathComponent("a100-cxl-nvme.json").path)
    }

    @Test(arguments: ["t4", "a100-40gb", "a100-80gb", "h100-80gb", "rtx4090"])
    func fileMatchesTheBuiltInProfile(_ name: String) throws {
        var file = try HardwareProfile.load(Self.profiles.appendingPathComponent("\(name).json").path)
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
        // Written back and read again, the profile is the same.
        #expect(try HardwareProfile(json: file.jsonData()) == file)
    }

    @Test func derivedProfilesScaleTheT4FitByDatasheetRatios() {
        let h100 = HardwareProfile.h100_80gb, t4 = HardwareProfile.t4
        // PCIe gen5 vs gen3: 4×; H100 dense fp16 989.4 vs T4 65 TFLOPS; 3350 vs 320 GB/s.
        #expect(abs(h100.cpuToGpuGBps - 4 * t4.cpuToGpuGBps) < 1e-3)
        #expect(abs(h100.matmulPrefillTflops - t4.matmulPrefillTflops * 989.4 / 65) < 1e-3)
        #expect(abs(h100.matmulDecodeTflops - t4.matmulDecodeTflops * 3350 / 320) < 1e-3)
        #expect(h100.diskToCpuGBps == t4.diskToCpuGBps && h100.cpuTflops == t4.cpuTflops)
        #expect(HardwareProfile.a100_40gb.gpuMemory == 40 << 30 && HardwareProfile.rtx4090.gpuMemory == 24 << 30)
    }

    @Test func theFourTierProfileIsATreeWithFlexGensViewDerived() throws {
        let profile = try Self.fourTier()
        #expect(profile.validationError() == nil)
        let specs = profile.tierSpecs
        #expect(specs.map(\.name) == ["gpu", "cpu", "cxl", "nvme"])
        let chain = TierChain(specs)
        #expect(chain.tiers.map(\.parent) == [-1, 0, 1, 1])
        #expect(chain.path(from: 3) == [3, 1] && chain.path(from: 2) == [2, 1])
        #expect(chain.isBeneath(3, 1) && chain.isBeneath(2, 0) && !chain.isBeneath(3, 2))
        // FlexGen's view: GPU and host as given, its disk the last tier (NVMe) at the curve's 16 MiB rate.
        #expect(profile.gpuMemory == 40 << 30 && profile.cpuMemory == 85 << 30 && profile.disk == 2_000_000_000_000)
        #expect(profile.cpuToGpuGBps == HardwareProfile.a100_40gb.cpuToGpuGBps)
        #expect(abs(profile.diskToCpuGBps - 5.821) < 1e-9 && profile.cpuToDiskDecodeGBps == 3)
        #expect(try HardwareProfile(json: profile.jsonData()) == profile)
    }

    static let base = String(decoding: HardwareProfile.t4.jsonData(), as: UTF8.self)

    /// The T4 profile with one field replaced (`nil`: removed).
    static func t4(_ key: String, _ value: String?) -> String {
        var object = try! JSONSerialization.jsonObject(with: Data(base.utf8)) as! [String: Any]
        if let value {
            object[key] = try! JSONSerialization.jsonObject(with: Data("[\(value)]".utf8), options: [.fragmentsAllowed]) as! [Any]
            object[key] = (object[key] as! [Any])[0]
        } else {
            object[key] = nil
        }
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test(arguments: [
        (t4("cpuTflops", "1e-300"), "cpuTflops"),
        (t4("cpuTflops", "\"fast\""), "cpuTflops"),
        (t4("matmulDecodeTflops", nil), "matmulDecodeTflops"),
        (t4("gpuMemory", "\"16 gigs\""), "gpuMemory"),
        (t4("gpuMemory", "16.5"), "gpuMemory"),
        (t4("gpuMemory", "-1"), "gpuMemory"),
        (t4("disk", "\"2000PiB\""), "disk"),
        (t4("disk", "\"2000000TiB\""), "disk must be a size from 0 to 2^60"),
        (t4("gpuMemoryGB", "16"), "gpuMemoryGB"),
        (t4("diskToCpuGBps", "1e9"), "diskToCpuGBps"),
        (t4("cpuCorrection", "[1, 2]"), "cpuCorrection"),
        (t4("cpuCorrection", "[1, 2, 1e9]"), "cpuCorrection[2]"),
        (t4("warp", "9"), "warp"),
        (t4("tiers", "[{\"name\": \"gpu\", \"capacity\": \"16GiB\"}]"), "gives capacities and links per tier"),
        ("{\"name\": \"x\"", "not valid JSON"),
        ("[1, 2]", "JSON object"),
    ])
    func badProfilesNameTheField(_ text: String, _ field: String) {
        #expect(throws: ProfileError.self) { try HardwareProfile(json: Data(text.utf8)) }
        do {
            _ = try HardwareProfile(json: Data(text.utf8))
        } catch {
            #expect(error.description.contains(field), "\(error.description)")
        }
    }

    static let goodTiers = """
        [{"name": "gpu", "capacity": "16GiB"},
         {"name": "cpu", "capacity": "64GiB", "readGBps": 12, "writeGBps": 4},
         {"name": "ssd", "capacity": "1TB", "readCurve": [{"chunk": "4KiB", "gbps": 0.1}, {"chunk": "1MiB", "gbps": 3}], "writeGBps": 1}]
        """

    static func chain(_ tiers: String) -> String {
        var object = try! JSONSerialization.jsonObject(with: Data(base.utf8)) as! [String: Any]
        for key in HardwareProfile.flexGenLinkKeys + HardwareProfile.sizeKeys { object[key] = nil }
        object["tiers"] = try! JSONSerialization.jsonObject(with: Data(tiers.utf8))
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func aThreeTierChainReadsAndDefaultsItsChunkToTheCurvesLargest() throws {
        let profile = try HardwareProfile(json: Data(Self.chain(Self.goodTiers).utf8))
        let chain = TierChain(profile.tierSpecs)
        #expect(chain.tiers[2].chunk == Double(1 << 20) && chain.tiers[2].parent == 1)
        #expect(profile.disk == 1_000_000_000_000 && profile.diskToCpuGBps == 3)
    }

    @Test(arguments: [
        ("[{\"name\": \"gpu\", \"capacity\": \"16GiB\"}]", "2 to 8 tiers"),
        (goodTiers.replacingOccurrences(of: "\"readGBps\": 12, ", with: ""), "tiers[1] needs readGBps"),
        (goodTiers.replacingOccurrences(of: "\"ssd\", \"capacity\"", with: "\"ssd\", \"via\": \"gpu\", \"capacity\""), "tiers[2].via"),
        (goodTiers.replacingOccurrences(of: "\"ssd\", \"capacity\"", with: "\"ssd\", \"via\": \"tape\", \"capacity\""), "tiers[2].via"),
        (goodTiers.replacingOccurrences(of: "\"ssd\"", with: "\"cpu\""), "tiers[2].name"),
        (goodTiers.replacingOccurrences(of: "\"1MiB\"", with: "\"2KiB\""), "tiers[2].readCurve"),
        (goodTiers.replacingOccurrences(of: "\"gbps\": 3", with: "\"gbps\": 0"), "tiers[2].readCurve[1].gbps"),
        (goodTiers.replacingOccurrences(of: "\"1TB\"", with: "\"1 lot\""), "tiers[2].capacity"),
        (goodTiers.replacingOccurrences(of: "\"writeGBps\": 4", with: "\"writeGBps\": 4, \"speed\": 1"), "tiers[1].speed"),
        (goodTiers.replacingOccurrences(of: "\"16GiB\"}", with: "\"16GiB\", \"readGBps\": 1}"), "tiers[0]"),
    ])
    func badChainsNameTheTierAndField(_ tiers: String, _ field: String) {
        do {
            _ = try HardwareProfile(json: Data(Self.chain(tiers).utf8))
            Issue.record("accepted: \(tiers)")
        } catch {
            #expect(error.description.contains(field), "\(error.description)")
        }
    }
}
