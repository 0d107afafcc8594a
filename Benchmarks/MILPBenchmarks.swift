import Foundation
import MILP

/// Model building and loading costs of the MILP layer.
enum MILPBenchmarks {
    static func run() {
        let variables = 100_000
        let nonzeros = 1_000_000

        // One million nonzeros in 100,000 rows of 10 terms each.
        var model = Model()
        let build = bestTime {
            model = Model()
            let x = (0 ..< variables).map { _ in model.addVariable(upper: 1) }
            for r in 0 ..< nonzeros / 10 {
                var row = LinearExpression()
                for k in 0 ..< 10 { row += Double(k + 1) * x[(r * 7 + k * 13) % variables] }
                model.add(row <= 5)
            }
            model.minimize(LinearExpression(sum: x))
        }
        print("build 1,000,000 nonzeros (100,000 rows)        \(formatSeconds(build))")

        // One expression of 100,000 terms accumulated with +=: linear.
        let x = (0 ..< variables).map { Variable(index: $0) }
        let accumulate = bestTime {
            var sum = LinearExpression()
            for v in x { sum += 2 * v }
            _ = sum.normalized()
        }
        let accumulateSmall = bestTime {
            var sum = LinearExpression()
            for v in x.prefix(10_000) { sum += 2 * v }
            _ = sum.normalized()
        }
        print("sum of 100,000 terms with +=                   \(formatSeconds(accumulate))  (ratio to 10,000: \(String(format: "%.1f", accumulate / accumulateSmall)), linear ≈ 10)")

        let mps = NSTemporaryDirectory() + "stowage-bench-\(getpid()).mps"
        let export = bestTime(repeats: 1) { try? model.write(to: mps, format: .mps) }
        print("export to free MPS                             \(formatSeconds(export))")
        let reimport = bestTime(repeats: 1) { _ = try? Model(contentsOf: mps) }
        print("import free MPS                                \(formatSeconds(reimport))")
        try? FileManager.default.removeItem(atPath: mps)

        // Loading into the backends is measured through a solve that stops at
        // once: a tiny time limit on the LP is dominated by loading.
        var limited = SolveOptions(timeLimit: 0.001)
        limited.logLevel = .quiet
        let glpk = bestTime(repeats: 1) { _ = GLPKSolver().solve(model, options: limited) }
        print("GLPK load + stop at a 1 ms limit               \(formatSeconds(glpk))")
        let cbc = bestTime(repeats: 1) { _ = CBCSolver().solve(model, options: limited) }
        print("CBC load + stop at a 1 ms limit                \(formatSeconds(cbc))")
    }
}
