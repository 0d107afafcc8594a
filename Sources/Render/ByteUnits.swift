/// Byte counts for people: binary units (KiB, MiB, GiB, TiB) with at most
/// three significant digits, so axis labels and titles stay short.
public enum ByteUnits {
    static let units: [(name: String, scale: Double)] = [
        ("TiB", 1_099_511_627_776), ("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024),
    ]

    /// "0 B", "512 B", "1.5 KiB", "24.5 MiB", "118 MiB".
    public static func format(_ bytes: Int) -> String {
        let magnitude = Double(bytes.magnitude)
        let sign = bytes < 0 ? "-" : ""
        for unit in units where magnitude >= unit.scale {
            return sign + significant(magnitude / unit.scale) + " " + unit.name
        }
        return "\(bytes) B"
    }

    /// The unit a whole axis is labelled in: the largest not above `bytes`.
    static func unit(for bytes: Double) -> (name: String, scale: Double) {
        units.first { bytes >= $0.scale } ?? ("B", 1)
    }

    /// Three significant digits, no trailing zeros: 1.5, 24.5, 118, 1020.
    static func significant(_ value: Double) -> String {
        let decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2
        return NumberText.fixed(value, places: decimals)
    }
}
