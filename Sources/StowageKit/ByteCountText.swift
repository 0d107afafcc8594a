import Foundation

/// Sizes written for people: `4096`, `2MiB`, `1.5GB`, `64K`. Following
/// the CLI (and FlexGen), KB, MB, GB and TB are powers of 1024, like KiB,
/// MiB, GiB and TiB.
enum ByteCountText {
    /// Whole bytes, rounded down; `nil` for a negative, non-finite or
    /// malformed number, or one of 2^60 bytes or more. O(length).
    static func parse(_ text: String) -> Int? {
        let upper = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(suffix: String, shift: Int)] = [
            ("TIB", 40), ("GIB", 30), ("MIB", 20), ("KIB", 10),
            ("TB", 40), ("GB", 30), ("MB", 20), ("KB", 10),
            ("T", 40), ("G", 30), ("M", 20), ("K", 10), ("B", 0),
        ]
        var number = Substring(upper)
        var shift = 0
        for unit in units where upper.hasSuffix(unit.suffix) {
            number = number.dropLast(unit.suffix.count)
            shift = unit.shift
            break
        }
        let digits = number.trimmingCharacters(in: .whitespaces)
        if shift == 0, let whole = Int(digits) { return whole >= 0 && whole < 1 << 60 ? whole : nil }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isNumber || $0 == "." }),
              let value = Double(digits), value.isFinite, value >= 0 else { return nil }
        let bytes = value * Double(1 << shift)
        guard bytes < Double(1 << 60) else { return nil }
        return Int(bytes)
    }
}
