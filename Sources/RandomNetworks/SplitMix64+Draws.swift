import Allocation

// The generators draw from Allocation's SplitMix64 (Steele, Lea and Flood,
// 2014), so that a generated network depends on nothing but its seed, on
// every platform and Swift version (the standard library's generator is
// neither seeded nor stable).
extension SplitMix64 {
    /// A uniform integer in `0 ..< bound` (bound > 0), without modulo bias.
    mutating func below(_ bound: Int) -> Int { Int(next(upperBound: UInt64(bound))) }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}
