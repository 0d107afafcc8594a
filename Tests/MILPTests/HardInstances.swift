@testable import MILP

/// Market split (Cornuéjols and Dawande): m equality rows over n binaries
/// with random coefficients, right-hand side half the row sum, slack
/// variables in the objective. Tiny, and notoriously hard for branch and
/// bound: an incumbent is found at once (all slack), the proof takes long.
enum HardInstances {
    static func marketSplit(rows m: Int, columns n: Int, seed: UInt64) -> Model {
        var rng = SeededGenerator(seed: seed)
        var model = Model(name: "market-split-\(m)x\(n)")
        let x = (0 ..< n).map { model.addBinary(name: "x\($0)") }
        var objective = LinearExpression()
        for i in 0 ..< m {
            let a = (0 ..< n).map { _ in Double(Int.random(in: 0 ... 99, using: &rng)) }
            let over = model.addVariable(lower: 0, name: "over\(i)")
            let under = model.addVariable(lower: 0, name: "under\(i)")
            var row = LinearExpression(sum: zip(a, x).map { $0 * $1 })
            row += over
            row -= under
            model.add(row == (a.reduce(0, +) / 2).rounded(.down), name: "split\(i)")
            objective += over
            objective += under
        }
        model.minimize(objective)
        return model
    }
}
