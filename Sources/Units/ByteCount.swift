/// The one grammar for sizes in bytes, shared by every option, experiment
/// file, profile, C API field and Swift API field, so that `1GB` means the
/// same everywhere.
///
/// - A plain integer is bytes: `4096`.
/// - A number with a unit: decimal units are powers of ten (`kB`, `MB`,
///   `GB`, `TB`: 10^3 … 10^12), binary units powers of two (`KiB`, `MiB`,
///   `GiB`, `TiB`: 2^10 … 2^40); `B` is bytes. Units are case-insensitive
///   (`kb`, `KB` and `kB` are all 10^3) and may follow a space.
/// - Decimals only with a unit (`1.5MiB`); the result is rounded down to
///   whole bytes.
///
/// Refused, with the text quoted: negative numbers, exponents (`1e9`),
/// one-letter units (`512K`, `2G`: ambiguous between the two systems),
/// decimals without a unit, anything else, and sizes of 2^62 bytes or more
/// (which would overflow sums of a few of them).
///
/// FlexGen's papers and code write "GB" for 2^30 bytes; to reproduce their
/// numbers, write `GiB`.
public enum ByteCount {
    /// The largest size accepted, exclusive: 2^62 bytes.
    public static let limit = 1 << 62

    /// Why a text is not a size.
    public struct ParseError: Error, CustomStringConvertible, Equatable, Sendable {
        /// The text as given.
        public let text: String
        /// What is wrong with it.
        public let reason: String

        public var description: String { "'\(text)' is not a size: \(reason)" }
    }

    /// The grammar in one line, for option help and error messages.
    public static let grammar = "bytes (4096) or a number with a unit: kB, MB, GB, TB (powers of 10) or KiB, MiB, GiB, TiB (powers of 2)"

    /// The bytes `text` means, or a ``ParseError`` saying why it means
    /// none. O(length of text).
    public static func parse(_ text: String) throws(ParseError) -> Int {
        let trimmed = text.trimmingWhitespace()
        func fail(_ reason: String) -> ParseError { ParseError(text: text, reason: reason) }
        guard !trimmed.isEmpty else { throw fail("it is empty; expected \(grammar)") }
        if trimmed.hasPrefix("-") { throw fail("sizes cannot be negative") }

        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? trimmed.endIndex
        let number = String(trimmed[..<numberEnd])
        let unitText = String(trimmed[numberEnd...]).trimmingWhitespace()
        guard !number.isEmpty else { throw fail("expected \(grammar)") }

        let factor: Int
        if unitText.isEmpty {
            factor = 1
        } else if let known = units[unitText.lowercased()] {
            factor = known
        } else if ["k", "m", "g", "t"].contains(unitText.lowercased()) {
            let u = unitText.uppercased()
            throw fail("'\(unitText)' is ambiguous: write \(number)\(u == "K" ? "Ki" : u + "i")B (powers of 2) or \(number)\(u == "K" ? "k" : u)B (powers of 10)")
        } else if unitText.lowercased().hasPrefix("e") {
            throw fail("exponents are not accepted; write the bytes out or use a unit (1e9 → 1GB)")
        } else {
            throw fail("unknown unit '\(unitText)'; expected \(grammar)")
        }

        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !(parts.count == 2 && parts[0].isEmpty && parts[1].isEmpty) else {
            throw fail("'\(number)' is not a number")
        }
        if parts.count == 2, unitText.isEmpty {
            throw fail("a decimal needs a unit (1.5MiB); a plain number is whole bytes")
        }
        let whole = try digitsValue(parts[0], fail)
        var bytes = try checkedProduct(whole, factor, fail)
        if parts.count == 2 {
            // Exact: the fraction's digits times the factor, divided by 10^digits, rounded down.
            // Up to 18 fraction digits; 128-bit product, so nothing is lost below a byte.
            var fraction: UInt = 0
            var denominator: UInt = 1
            for digit in parts[1].prefix(18) {
                fraction = fraction * 10 + UInt(digit.asciiValue! - 48)
                denominator *= 10
            }
            let product = fraction.multipliedFullWidth(by: UInt(factor))
            let extra = Int(denominator.dividingFullWidth(product).quotient)
            let (sum, carry) = bytes.addingReportingOverflow(extra)
            guard !carry else { throw fail("beyond the largest size accepted (2^62 bytes)") }
            bytes = sum
        }
        guard bytes < limit else { throw fail("beyond the largest size accepted (2^62 bytes)") }
        return bytes
    }

    /// As ``parse(_:)``, `nil` instead of an error.
    public static func value(_ text: String) -> Int? { try? parse(text) }

    /// Bytes for people: `512 B`, `1.50 KiB`, `2.00 MiB`, `3.47 GiB` (binary units).
    public static func text(_ bytes: Int) -> String {
        let magnitude = Double(bytes.magnitude)
        let sign = bytes < 0 ? "-" : ""
        for (unit, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] where magnitude >= Double(1 << shift) {
            return sign + formatted(magnitude / Double(1 << shift)) + " " + unit
        }
        return "\(bytes) B"
    }

    private static let units: [String: Int] = [
        "b": 1,
        "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000, "tb": 1_000_000_000_000,
        "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
    ]

    private static func digitsValue(_ digits: Substring, _ fail: (String) -> ParseError) throws(ParseError) -> Int {
        var value = 0
        for digit in digits {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int(digit.asciiValue! - 48))
            guard !o1, !o2 else { throw fail("beyond the largest size accepted (2^62 bytes)") }
            value = plus
        }
        return value
    }

    private static func checkedProduct(_ a: Int, _ b: Int, _ fail: (String) -> ParseError) throws(ParseError) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw fail("beyond the largest size accepted (2^62 bytes)") }
        return product
    }

    /// Two decimals, without Foundation.
    private static func formatted(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded())
        let tail = hundredths % 100
        return "\(hundredths / 100).\(tail < 10 ? "0" : "")\(tail)"
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[first ... last]))
    }
}
