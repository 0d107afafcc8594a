import ArgumentParser
import MILP

/// `--solver glpk|cbc`.
enum SolverChoice: String, ExpressibleByArgument, CaseIterable {
    case glpk
    case cbc

    var solver: any Solver {
        switch self {
        case .glpk: return GLPKSolver()
        case .cbc: return CBCSolver()
        }
    }
}
