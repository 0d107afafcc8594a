import Testing
@testable import Allocation

@Suite struct SectionBitsTests {
    /// `next` and `intersects` against a plain set, on random members of
    /// sizes around the 64-bit word edges, for every range.
    @Test func agreesWithASetOnEveryRange() {
        var rng = SplitMix64(seed: 14)
        var mismatches: [String] = []
        for count in [0, 1, 63, 64, 65, 130] {
            var bits = SectionBits(count: count)
            var members = [Bool](repeating: false, count: count)
            for _ in 0 ..< count / 2 + 1 where count > 0 {
                let k = Int(rng.next() % UInt64(count))
                if members[k] { bits.remove(k) } else { bits.insert(k) }
                members[k].toggle()
            }
            // The smallest member at or after each index (count: none).
            var nextMember = [Int](repeating: count, count: count + 1)
            for k in stride(from: count - 1, through: 0, by: -1) { nextMember[k] = members[k] ? k : nextMember[k + 1] }
            for k in 0 ..< count where bits.contains(k) != members[k] { mismatches.append("count \(count): contains(\(k))") }
            for lo in 0 ... count {
                for hi in lo ... count {
                    let expected = min(nextMember[lo], hi)
                    if bits.next(from: lo, below: hi) != expected || bits.intersects(lo ..< hi) != (expected < hi) {
                        mismatches.append("count \(count): \(lo) ..< \(hi)")
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
