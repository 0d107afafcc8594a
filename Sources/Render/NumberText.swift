/// Numbers as text for SVG coordinates and labels: fixed decimals, no
/// trailing zeros, no exponent, and independent of the locale (a German
/// locale must not turn `12.5` into `12,5` inside an SVG attribute).
enum NumberText {
    /// `value` rounded to `places` decimals (0...6): 12.5, 3, -0.25.
    /// Non-finite or absurdly large values print as 0 rather than trap,
    /// since they can only come from malformed input.
    static func fixed(_ value: Double, places: Int = 1) -> String {
        let places = min(max(places, 0), 6)
        guard value.isFinite, abs(value) < 1e12 else { return "0" }
        var factor = 1.0
        for _ in 0 ..< places { factor *= 10 }
        let scaled = Int((value * factor).rounded())
        var digits = String(scaled.magnitude)
        if places > 0 {
            if digits.count <= places { digits = String(repeating: "0", count: places - digits.count + 1) + digits }
            var fraction = Substring(digits.suffix(places))
            let whole = digits.dropLast(places)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            digits = fraction.isEmpty ? String(whole) : whole + "." + fraction
        }
        return (scaled < 0 ? "-" : "") + digits
    }
}
