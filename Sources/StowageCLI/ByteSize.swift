import ArgumentParser
import Foundation

/// A memory size on the command line: `16GB`, `1.5GiB`, `512MB`, `2MiB`,
/// `4096`, `64KB`. Following FlexGen's convention, GB, MB and KB are powers
/// of 1024 like GiB, MiB and KiB; a bare number is bytes.
struct ByteSize: ExpressibleByArgument, Equatable, CustomStringConvertible {
    let bytes: Double

    init(bytes: Double) { self.bytes = bytes }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        let kib = 1024.0
        let units: [(suffix: String, factor: Double)] = [
            ("TIB", kib * kib * kib * kib), ("GIB", kib * kib * kib), ("MIB", kib * kib), ("KIB", kib),
            ("TB", kib * kib * kib * kib), ("GB", kib * kib * kib), ("MB", kib * kib), ("KB", kib),
            ("T", kib * kib * kib * kib), ("G", kib * kib * kib), ("M", kib * kib), ("K", kib), ("B", 1),
        ]
        let upper = text.uppercased()
        var scale = 1.0
        var number = Substring(upper)
        for (suffix, factor) in units where upper.hasSuffix(suffix) {
            scale = factor
            number = number.dropLast(suffix.count)
            break
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value >= 0, value.isFinite else {
            return nil
        }
        let bytes = value * scale
        guard bytes < 1e18 else { return nil }
        self.bytes = bytes
    }

    static var defaultCompletionKind: CompletionKind { .default }

    var description: String {
        let gib = bytes / Double(1 << 30)
        return gib >= 1 ? String(format: "%.2f GB", gib) : String(format: "%.2f MB", bytes / Double(1 << 20))
    }
}
