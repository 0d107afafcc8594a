/// Where the plot sits in the picture and how time and addresses map to
/// pixels: step boundaries left to right, addresses bottom (0) to top.
struct ChartFrame {
    var left: Double
    var top: Double
    var right: Double
    var bottom: Double
    /// The last step boundary shown (the number of steps, at least 1).
    var boundaries: Double
    /// The highest address shown.
    var addresses: Double

    var width: Double { right - left }
    var height: Double { bottom - top }

    func x(_ boundary: Int) -> Double { left + Double(boundary) / boundaries * width }
    func y(_ address: Int) -> Double { y(Double(address)) }
    func y(_ address: Double) -> Double { bottom - address / addresses * height }
    /// The row of `offset + bytes`, summed without overflow.
    func y(end offset: Int, _ bytes: Int) -> Double { y(Double(offset) + Double(bytes)) }
    var pixelsPerStep: Double { width / boundaries }
}
