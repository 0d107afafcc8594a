import MemoryGraph

/// Checked integer arithmetic and shape rules shared by the shape
/// inference: every operation returns `nil` instead of trapping on
/// overflow, division by zero, or a negative result, because the numbers
/// come from files.
enum ShapeArithmetic {
    static func add(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? nil : r
    }

    static func subtract(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.subtractingReportingOverflow(b)
        return o ? nil : r
    }

    static func multiply(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : r
    }

    /// Floor division; `nil` for a zero divisor or overflow.
    static func floorDivide(_ a: Int, _ b: Int) -> Int? {
        guard b != 0, !(a == Int.min && b == -1) else { return nil }
        let q = a / b
        return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
    }

    static func ceilDivide(_ a: Int, _ b: Int) -> Int? {
        guard let q = floorDivide(a, b) else { return nil }
        return q * b == a ? q : q + 1
    }

    /// The product of the values, `nil` on overflow.
    static func product<S: Sequence>(_ values: S) -> Int? where S.Element == Int {
        var p = 1
        for v in values {
            guard let next = multiply(p, v) else { return nil }
            p = next
        }
        return p
    }

    /// An axis in `[-rank, rank)` as an index in `[0, rank)`.
    static func axis(_ axis: Int, rank: Int) -> Int? {
        let a = axis < 0 ? axis + rank : axis
        return (0 ..< rank).contains(a) ? a : nil
    }

    /// Numpy broadcasting of two shapes; `nil` when they are incompatible or
    /// two different symbols meet.
    static func broadcast(_ a: [Dimension], _ b: [Dimension]) -> [Dimension]? {
        let rank = max(a.count, b.count)
        var result: [Dimension] = []
        result.reserveCapacity(rank)
        for i in 0 ..< rank {
            let x = i < rank - a.count ? Dimension.fixed(1) : a[i - (rank - a.count)]
            let y = i < rank - b.count ? Dimension.fixed(1) : b[i - (rank - b.count)]
            switch (x, y) {
            case _ where x == y: result.append(x)
            case (.fixed(1), _): result.append(y)
            case (_, .fixed(1)): result.append(x)
            case (.symbolic, .fixed(let n)), (.fixed(let n), .symbolic): result.append(.fixed(n))
            default: return nil
            }
        }
        return result
    }
}
