/// A cheap refutation of a claimed optimum: an integer variable that can
/// move by one unit, keeping every bound and row exactly satisfied, to a
/// better objective. GLPK, scaled and with tight tolerances, still calls
/// suboptimal points optimal when a row mixes coefficients of 1e8 and more
/// with small ones (measured on random 3-variable models: 7 to 23 in 30
/// wrong at 1e8 to 1e12); most such points have a better neighbour.
///
/// Moves are checked without tolerance: a row may not end further outside
/// its bounds than it was, so a move cannot exploit the audit's slack.
/// Building the column index costs O(variables + nonzeros); each pass over
/// the variables O(nonzeros).
struct ImprovingMoves {
    let model: Model
    /// For column j, the (row, coefficient) pairs at `columnStarts[j] ..< columnStarts[j + 1]`.
    private let columnStarts: [Int]
    private let entries: [(row: Int, coefficient: Double)]
    private let cost: [Double]

    init(_ model: Model) {
        self.model = model
        var starts = [Int](repeating: 0, count: model.variableCount + 1)
        for k in 0 ..< model.nonzeroCount { starts[Int(model.columns[k]) + 1] += 1 }
        for j in 0 ..< model.variableCount { starts[j + 1] += starts[j] }
        var next = starts
        var entries = [(row: Int, coefficient: Double)](repeating: (0, 0), count: model.nonzeroCount)
        for r in 0 ..< model.constraintCount {
            for k in model.rowStarts[r] ..< model.rowStarts[r + 1] {
                let j = Int(model.columns[k])
                entries[next[j]] = (r, model.coefficients[k])
                next[j] += 1
            }
        }
        columnStarts = starts
        self.entries = entries
        // Minimising: a move of +1 on column j pays cost[j]; negative is better.
        let sign = model.sense == .minimize ? 1.0 : -1.0
        cost = model.denseObjective.map { $0 * sign }
    }

    /// The first improving unit move from `point` (integers integral, as
    /// the audit returns them): the variable and the step (+1 or -1).
    func first(from point: [Double]) -> (variable: Int, step: Double)? {
        let activities = model.rowActivities(at: point)
        return firstMove(point, activities)
    }

    /// `point` improved by unit moves until none is left or `limit` moves
    /// were made.
    func improved(_ point: [Double], limit: Int) -> [Double] {
        var point = point
        var activities = model.rowActivities(at: point)
        var moves = 0
        while moves < limit, let (j, step) = firstMove(point, activities) {
            point[j] += step
            for k in columnStarts[j] ..< columnStarts[j + 1] {
                activities[entries[k].row] += entries[k].coefficient * step
            }
            moves += 1
        }
        return point
    }

    private func firstMove(_ point: [Double], _ activities: [Double]) -> (variable: Int, step: Double)? {
        let scale = max(1, abs(model.objectiveValue(at: point)))
        for (j, info) in model.variables.enumerated() where info.isInteger && cost[j] != 0 {
            let step: Double = cost[j] < 0 ? 1 : -1
            // Too small a gain to tell from rounding.
            guard abs(cost[j]) > 1e-9 * scale else { continue }
            let moved = point[j] + step
            guard moved >= info.lower, moved <= info.upper else { continue }
            var allowed = true
            for k in columnStarts[j] ..< columnStarts[j + 1] where allowed {
                let (r, a) = entries[k]
                let before = activities[r], after = before + a * step
                let lower = model.rowLower[r], upper = model.rowUpper[r]
                if after > upper, after > before { allowed = false }
                if after < lower, after < before { allowed = false }
            }
            if allowed { return (j, step) }
        }
        return nil
    }
}
