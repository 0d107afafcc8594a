/// A model in the column-major arrays COIN-OR's solvers load, with
/// infinities replaced by COIN's `DBL_MAX`. One O(nonzeros) transpose of
/// the row-wise storage; memory O(variables + rows + nonzeros).
struct CoinProblemData {
    let columnCount: Int32
    let rowCount: Int32
    var columnStarts: [Int32]
    var rowIndices: [Int32]
    var values: [Double]
    let lower: [Double]
    let upper: [Double]
    let objective: [Double]
    let rowLower: [Double]
    let rowUpper: [Double]
    let isInteger: [UInt8]

    init(_ model: Model, input: BackendInput) {
        let n = model.variableCount
        columnCount = Int32(n)
        rowCount = Int32(model.constraintCount)
        var starts = [Int32](repeating: 0, count: n + 1)
        for k in 0 ..< model.nonzeroCount { starts[Int(model.columns[k]) + 1] += 1 }
        for j in 0 ..< n { starts[j + 1] += starts[j] }
        var next = starts
        var rows = [Int32](repeating: 0, count: model.nonzeroCount)
        var entries = [Double](repeating: 0, count: model.nonzeroCount)
        for r in 0 ..< model.constraintCount {
            for k in model.rowStarts[r] ..< model.rowStarts[r + 1] {
                let column = Int(model.columns[k])
                let slot = Int(next[column])
                rows[slot] = Int32(r)
                entries[slot] = model.coefficients[k]
                next[column] += 1
            }
        }
        columnStarts = starts
        rowIndices = rows
        values = entries
        func finite(_ x: Double) -> Double {
            x == .infinity ? .greatestFiniteMagnitude : x == -.infinity ? -.greatestFiniteMagnitude : x
        }
        lower = input.lower.map(finite)
        upper = input.upper.map(finite)
        objective = input.objective
        rowLower = model.rowLower.map(finite)
        rowUpper = model.rowUpper.map(finite)
        isInteger = model.variables.map { $0.isInteger ? 1 : 0 }
    }
}
