@testable import MILP

/// A small, seeded generator (SplitMix64), so random tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The answer a brute-force search expects.
enum Expected: Equatable {
    case optimal(Double)
    case infeasible
    case unbounded
}

/// A random small MILP with its expected answer. `family` names the kind.
struct RandomCase {
    var family: String
    var model: Model
    var expected: Expected
}

/// Families of small random MILPs whose every integer variable has a finite
/// domain (and at most two continuous variables, with finite bounds), so
/// that exhaustive enumeration finds the exact answer.
enum RandomModels {
    static func knapsack(_ rng: inout SeededGenerator) -> Model {
        var model = Model(name: "knapsack")
        let n = Int.random(in: 3 ... 8, using: &rng)
        let items = (0 ..< n).map { _ in model.addBinary() }
        let values = items.map { _ in Double(Int.random(in: 1 ... 20, using: &rng)) }
        for _ in 0 ..< Int.random(in: 1 ... 2, using: &rng) {
            let weights = items.map { _ in Double(Int.random(in: 1 ... 12, using: &rng)) }
            let capacity = Double(Int.random(in: 5 ... 30, using: &rng))
            model.add(LinearExpression(sum: zip(weights, items).map { $0 * $1 }) <= capacity)
        }
        model.maximize(LinearExpression(sum: zip(values, items).map { $0 * $1 }))
        return model
    }

    static func assignment(_ rng: inout SeededGenerator) -> Model {
        var model = Model(name: "assignment")
        let workers = Int.random(in: 2 ... 3, using: &rng)
        let jobs = Int.random(in: 2 ... 3, using: &rng)
        var x: [[Variable]] = []
        var cost = LinearExpression()
        for i in 0 ..< workers {
            var row: [Variable] = []
            for j in 0 ..< jobs {
                let v = model.addBinary(name: "x[\(i),\(j)]")
                cost += Double(Int.random(in: 1 ... 15, using: &rng)) * v
                row.append(v)
            }
            x.append(row)
        }
        for i in 0 ..< workers { model.add(LinearExpression(sum: x[i]) == 1) }
        for j in 0 ..< jobs { model.add(LinearExpression(sum: x.map { $0[j] }) <= 1) }
        // Forbidden pairs sometimes make the assignment impossible.
        for _ in 0 ..< Int.random(in: 0 ... 3, using: &rng) {
            let i = Int.random(in: 0 ..< workers, using: &rng)
            let j = Int.random(in: 0 ..< jobs, using: &rng)
            model.add(x[i][j] <= 0)
        }
        model.minimize(cost)
        return model
    }

    static func setCover(_ rng: inout SeededGenerator) -> Model {
        var model = Model(name: "setcover")
        let sets = Int.random(in: 3 ... 7, using: &rng)
        let elements = Int.random(in: 3 ... 6, using: &rng)
        let chosen = (0 ..< sets).map { model.addBinary(name: "set \($0)") }
        for _ in 0 ..< elements {
            let covering = chosen.filter { _ in Int.random(in: 0 ..< 10, using: &rng) < 3 }
            model.add(LinearExpression(sum: covering) >= 1)
        }
        model.minimize(LinearExpression(sum: chosen.map { Double(Int.random(in: 1 ... 9, using: &rng)) * $0 }))
        return model
    }

    /// General integers and up to two continuous variables, rows of every
    /// kind (≤, ≥, =, ranges), either sense, an objective constant.
    static func mixed(_ rng: inout SeededGenerator) -> Model {
        var model = Model(name: "mixed")
        var variables: [Variable] = []
        for i in 0 ..< Int.random(in: 1 ... 3, using: &rng) {
            let lower = Double(Int.random(in: -3 ... 0, using: &rng))
            variables.append(model.addInteger(lower: lower, upper: lower + Double(Int.random(in: 1 ... 5, using: &rng)), name: "n\(i)"))
        }
        if Bool.random(using: &rng) { variables.append(model.addBinary(name: "b")) }
        for i in 0 ..< Int.random(in: 0 ... 2, using: &rng) {
            let lower = Double(Int.random(in: -4 ... 1, using: &rng)) / 2
            variables.append(model.addVariable(lower: lower, upper: lower + Double(Int.random(in: 1 ... 8, using: &rng)) / 2, name: "y\(i)"))
        }
        for _ in 0 ..< Int.random(in: 1 ... 4, using: &rng) {
            var row = LinearExpression()
            for v in variables where Int.random(in: 0 ..< 3, using: &rng) > 0 {
                row += Double(Int.random(in: -4 ... 4, using: &rng)) * v
            }
            let rhs = Double(Int.random(in: -6 ... 8, using: &rng))
            switch Int.random(in: 0 ..< 4, using: &rng) {
            case 0: model.add(row <= rhs)
            case 1: model.add(row >= rhs)
            case 2: model.add(row == rhs)
            default: model.add(LinearConstraint(row, in: rhs ... rhs + Double(Int.random(in: 1 ... 4, using: &rng))))
            }
        }
        var objective = LinearExpression(constant: Double(Int.random(in: -5 ... 5, using: &rng)))
        for v in variables { objective += Double(Int.random(in: -5 ... 5, using: &rng)) * v }
        if Bool.random(using: &rng) { model.minimize(objective) } else { model.maximize(objective) }
        return model
    }

    /// A bounded model plus a ray: a non-negative variable without upper bound
    /// that improves the objective and only ever loosens a row. The whole is
    /// unbounded exactly when the bounded part is feasible.
    static func withRay(_ base: Model, integer: Bool, _ rng: inout SeededGenerator) -> Model {
        var model = Model(name: base.name + "+ray")
        for info in base.variables {
            model.addVariable(lower: info.lower, upper: info.upper, kind: info.kind, name: info.name)
        }
        let ray = model.addVariable(lower: 0, upper: .infinity, kind: integer ? .integer : .continuous, name: "ray")
        for r in 0 ..< base.constraintCount {
            var row = LinearExpression(terms: base.row(r).map { Term($0.coefficient, Variable(index: $0.column)) })
            let lower = base.rowLower[r], upper = base.rowUpper[r]
            if lower == -.infinity, upper.isFinite {
                row -= Double(Int.random(in: 0 ... 2, using: &rng)) * LinearExpression(ray)
            } else if upper == .infinity, lower.isFinite {
                row += Double(Int.random(in: 0 ... 2, using: &rng)) * LinearExpression(ray)
            }
            model.add(LinearConstraint(row, lower: lower, upper: upper))
        }
        var objective = base.objective
        let gain = Double(Int.random(in: 1 ... 3, using: &rng))
        objective += (base.sense == .maximize ? gain : -gain) * LinearExpression(ray)
        model.setObjective(objective, sense: base.sense)
        return model
    }

    static func randomCase(_ rng: inout SeededGenerator, index: Int) -> RandomCase {
        let base: Model
        switch index % 5 {
        case 0: base = knapsack(&rng)
        case 1: base = assignment(&rng)
        case 2: base = setCover(&rng)
        default: base = mixed(&rng)
        }
        if index % 7 == 6 {
            let model = withRay(base, integer: Bool.random(using: &rng), &rng)
            // Raising the ray never hurts feasibility, so the model is feasible
            // iff it is with the ray capped (at an integer value, 100 being far
            // beyond any row's reach here); feasible means unbounded.
            var capped = model
            let ray = Variable(index: model.variableCount - 1)
            capped.setKind(of: ray, to: .integer)
            capped.setBounds(of: ray, lower: 0, upper: 100)
            let expected: Expected = BruteForce.isFeasible(capped) ? .unbounded : .infeasible
            return RandomCase(family: model.name, model: model, expected: expected)
        }
        return RandomCase(family: base.name, model: base, expected: BruteForce.solve(base))
    }
}
