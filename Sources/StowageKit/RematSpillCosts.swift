import Offload
import Remat

extension RematOptions {
    /// The price of spills from the host link of ``hardware``: a store
    /// costs bytes / (device → host bandwidth), a load bytes / (host →
    /// device bandwidth), in ``costUnit``s (GB = 2^30 bytes, as profiles
    /// give them). FlexGen-style profiles give the host link as
    /// `cpuToGpuGBps` (loads) and `gpuToCpuHiddenGBps` (stores); profiles
    /// with tiers as the second tier's `readGBps` (or the fastest point of
    /// its `readCurve`) and `writeGBps`. Nil without spills.
    func spillCosts() throws(StowageError) -> SpillCosts? {
        guard spill, let hardware else { return nil }
        let profile: HardwareProfile
        do {
            profile = try HardwareProfile.load(hardware)
        } catch {
            throw .badInput(source: hardware, location: nil, reason: error.description)
        }
        let tiers = profile.tierSpecs
        guard tiers.count >= 2 else { throw .badInput(source: hardware, location: "tiers", reason: "the profile has no host tier") }
        let host = tiers[1]
        guard let loadGBps = host.readGBps ?? host.readCurve?.map(\.gbps).max(), loadGBps > 0, loadGBps.isFinite else {
            throw .badInput(source: hardware, location: "tiers[1]", reason: "the profile gives no host → device bandwidth")
        }
        let storeGBps = host.writeGBps ?? loadGBps
        guard storeGBps > 0, storeGBps.isFinite else {
            throw .badInput(source: hardware, location: "tiers[1]", reason: "the profile gives no device → host bandwidth")
        }
        let gigabyte = 1_073_741_824.0
        return SpillCosts(storePerByte: 1 / (storeGBps * gigabyte) / costUnit.seconds,
                          loadPerByte: 1 / (loadGBps * gigabyte) / costUnit.seconds)
    }
}
