/// Evenly spaced, round tick values for an axis from 0 to `maximum`: steps
/// of 1, 2, 2.5 or 5 times a power of ten, as few as keep at most `count`
/// intervals. O(count).
struct AxisTicks: Equatable {
    var step: Double
    var values: [Double]

    init(maximum: Double, count: Int, integral: Bool = false) {
        let count = max(count, 1)
        guard maximum.isFinite, maximum > 0 else {
            step = 1
            values = [0]
            return
        }
        let raw = maximum / Double(count)
        var power = 1.0
        while power * 10 <= raw { power *= 10 }
        while power > raw { power /= 10 }
        let multipliers: [Double] = integral && power < 10 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10]
        var step = (multipliers.map { $0 * power }.first { $0 >= raw }) ?? power * 10
        if integral { step = max(1, step.rounded(.up)) }
        self.step = step
        var values: [Double] = []
        var index = 0.0
        // A tolerance keeps a tick that lands on the maximum up to rounding.
        while index * step <= maximum * (1 + 1e-9), values.count <= count + 1 {
            values.append(index * step)
            index += 1
        }
        self.values = values
    }
}
