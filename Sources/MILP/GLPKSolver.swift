import CGLPK
import CGLPKGuard

/// The GNU Linear Programming Kit behind the ``Solver`` protocol.
///
/// LPs go to the primal simplex. MIPs first solve the LP relaxation (which
/// classifies infeasible and unbounded relaxations exactly), then run
/// GLPK's branch and cut with its cut generators on, reporting progress and
/// offering the warm start through the search callback. Solves on different
/// threads run in parallel: GLPK's environment is thread-local.
///
/// GLPK's time limits (`tm_lim`) count wall-clock milliseconds; the search
/// callback also stops branch and cut as soon as the deadline passes, since
/// GLPK checks `tm_lim` only between nodes. Its output goes through its
/// terminal hook (``GLPKProblem``), never to standard output. An internal
/// GLPK error, on which GLPK itself would abort the process, comes back as
/// an `error` result (CGLPKGuard). Answers are checked before they are
/// returned (``AnswerCheck``).
public struct GLPKSolver: Solver, CheckedBackend {
    public let name = "glpk"

    /// Turn on GLPK's cut generators (Gomory, MIR, cover, clique). They cost
    /// time at the root and usually pay for it on the models Stowage builds.
    public var cuts: Bool

    public init(cuts: Bool = true) {
        self.cuts = cuts
    }

    public func solve(_ model: Model, options: SolveOptions) -> SolveResult {
        checkedSolve(model, options: options)
    }

    func rawSolve(_ model: Model, input: BackendInput, options: SolveOptions, clock: Stopwatch, strict: Bool) -> SolveResult {
        let problem = GLPKProblem(echo: options.logLevel >= .normal)
        problem.load(model, input: input, names: false)
        return run(problem, model: model, options: options, clock: clock, strict: strict)
    }

    private func messageLevel(_ level: SolverLogLevel) -> Int32 {
        switch level {
        case .quiet: return GLP_MSG_ERR
        case .normal: return GLP_MSG_ON
        case .verbose: return GLP_MSG_ALL
        }
    }

    /// The answer when GLPK hit an internal error (an assertion in its simplex on a badly conditioned
    /// basis, seen in Checkmate's neighbourhood MILPs on U-Net): the guard freed GLPK's environment instead
    /// of letting GLPK abort the process, and the caller gets an error with GLPK's own words.
    private func internalError(_ problem: GLPKProblem, in function: String) -> SolveResult {
        problem.markFreed()
        let words = problem.capturedOutput.split(whereSeparator: \.isNewline).suffix(2).joined(separator: "; ")
        return SolveResult(status: .error, seconds: 0, solver: name, message: "glpk failed: internal error in \(function): \(words)")
    }

    private func milliseconds(left options: SolveOptions, clock: Stopwatch) -> Int32 {
        guard let seconds = options.glpkSecondsLeft(clock) else { return Int32.max }
        return Int32(min(max(1, (seconds * 1000).rounded(.up)), Double(Int32.max)))
    }

    private func run(_ problem: GLPKProblem, model: Model, options: SolveOptions, clock: Stopwatch, strict: Bool) -> SolveResult {
        let P = problem.pointer
        var simplex = glp_smcp()
        glp_init_smcp(&simplex)
        simplex.msg_lev = messageLevel(options.logLevel)
        simplex.tm_lim = milliseconds(left: options, clock: clock)
        simplex.presolve = GLP_OFF
        if strict {
            // A second attempt after a wrong answer. glp_simplex does not
            // scale by itself, and unscaled rows mixing 1e9 with 1 made it
            // return suboptimal "optimal" MIP solutions; but scaling always
            // made the offload MILPs 7 times slower (Llama-2-70B, exact mode).
            simplex.tol_bnd = 1e-9
            glp_scale_prob(P, GLP_SF_AUTO)
        }
        var failed: Int32 = 0
        let code = stowage_glp_simplex(P, &simplex, &failed)
        if failed != 0 { return internalError(problem, in: "glp_simplex") }
        if code == GLP_ETMLIM {
            return SolveResult(status: .noSolution, seconds: 0, solver: name,
                               message: "time limit reached in the LP relaxation")
        }
        if code != 0 {
            return SolveResult(status: .error, seconds: 0, solver: name,
                               message: "glpk failed: glp_simplex returned code \(code): \(problem.capturedOutput.lastLine)")
        }
        switch glp_get_status(P) {
        case GLP_OPT:
            break
        case GLP_NOFEAS:
            var result = SolveResult(status: .infeasible, seconds: 0, solver: name)
            result.fromRelaxation = true
            return result
        case GLP_UNBND:
            var result = SolveResult(status: .unbounded, seconds: 0, solver: name)
            result.fromRelaxation = true
            return result
        default:
            return SolveResult(status: .error, seconds: 0, solver: name,
                               message: "glpk failed: its simplex ended with status \(glp_get_status(P))")
        }
        let relaxation = glp_get_obj_val(P)
        let n = model.variableCount
        guard model.hasIntegerVariables else {
            let values = (0 ..< n).map { glp_get_col_prim(P, Int32($0 + 1)) }
            return SolveResult(status: .optimal, objective: relaxation, bound: relaxation, seconds: 0,
                               values: values, solver: name)
        }

        let search = GLPKSearch(
            options: options, clock: clock, relaxationBound: relaxation,
            warmStart: BackendInput.usableWarmStart(options.warmStart, for: model), sense: model.sense
        )
        var parameters = glp_iocp()
        glp_init_iocp(&parameters)
        parameters.msg_lev = messageLevel(options.logLevel)
        parameters.tm_lim = milliseconds(left: options, clock: clock)
        parameters.presolve = GLP_OFF
        if let gap = options.relativeGap { parameters.mip_gap = gap }
        if strict {
            // A second attempt after a wrong answer: tight integrality, and
            // GLPK's MIP presolver, which tightens big-M coefficients.
            parameters.tol_int = 1e-9
            parameters.presolve = GLP_ON
        }
        if cuts {
            parameters.gmi_cuts = GLP_ON
            parameters.mir_cuts = GLP_ON
            parameters.cov_cuts = GLP_ON
            parameters.clq_cuts = GLP_ON
        }
        parameters.cb_func = glpkSearchCallback
        parameters.cb_info = Unmanaged.passUnretained(search).toOpaque()
        let mipCode = withExtendedLifetime(search) { stowage_glp_intopt(P, &parameters, &failed) }
        if failed != 0 { return internalError(problem, in: "glp_intopt") }

        let mipStatus = glp_mip_status(P)
        let hasSolution = mipStatus == GLP_OPT || mipStatus == GLP_FEAS
        let values = hasSolution ? (0 ..< n).map { glp_mip_col_val(P, Int32($0 + 1)) } : []
        let objective = hasSolution ? glp_mip_obj_val(P) : nil
        switch mipCode {
        case 0 where mipStatus == GLP_OPT:
            return SolveResult(status: .optimal, objective: objective, bound: objective, seconds: 0,
                               values: values, solver: name)
        case 0 where mipStatus == GLP_NOFEAS, GLP_ENOPFS:
            return SolveResult(status: .infeasible, seconds: 0, solver: name)
        case GLP_ENODFS:
            return SolveResult(status: .unbounded, seconds: 0, solver: name)
        case GLP_EMIPGAP where hasSolution:
            return SolveResult(status: .optimal, objective: objective, bound: search.bound(incumbent: objective),
                               seconds: 0, values: values, solver: name)
        case GLP_ETMLIM, GLP_ESTOP:
            if hasSolution {
                return SolveResult(status: .feasible, objective: objective, bound: search.bound(incumbent: objective),
                                   seconds: 0, values: values, solver: name, message: "time limit reached")
            }
            return SolveResult(status: .noSolution, bound: search.bound(incumbent: nil), seconds: 0, solver: name,
                               message: "time limit reached before a feasible solution was found")
        default:
            return SolveResult(status: .error, seconds: 0, solver: name,
                               message: "glpk failed: glp_intopt returned code \(mipCode): \(problem.capturedOutput.lastLine)")
        }
    }
}

/// State shared with GLPK's branch-and-cut callback.
final class GLPKSearch {
    let options: SolveOptions
    let clock: Stopwatch
    let sense: ObjectiveSense
    var warmStart: [Double]?
    /// Best bound seen on the open tree; starts at the LP relaxation.
    var treeBound: Double
    var incumbent: Double?
    var lastReport = -Double.infinity

    init(options: SolveOptions, clock: Stopwatch, relaxationBound: Double, warmStart: [Double]?, sense: ObjectiveSense) {
        self.options = options
        self.clock = clock
        self.treeBound = relaxationBound
        self.warmStart = warmStart
        self.sense = sense
    }

    /// The proven bound, never past the incumbent (a bound read from the tree
    /// just before it emptied can lag behind).
    func bound(incumbent: Double?) -> Double {
        guard let incumbent else { return treeBound }
        return sense == .minimize ? min(treeBound, incumbent) : max(treeBound, incumbent)
    }

    func handle(_ tree: OpaquePointer) {
        // GLPK checks tm_lim between nodes only; cut generation and
        // heuristics at a node can run long after it.
        if let left = options.glpkSecondsLeft(clock), left <= 0 {
            glp_ios_terminate(tree)
            return
        }
        let reason = glp_ios_reason(tree)
        let best = glp_ios_best_node(tree)
        if best != 0 {
            let nodeBound = glp_ios_node_bound(tree, best)
            // The tree's best bound only tightens; ignore a looser stale value.
            treeBound = sense == .minimize ? max(treeBound, nodeBound) : min(treeBound, nodeBound)
        }
        if reason == GLP_IHEUR, let start = warmStart {
            warmStart = nil
            var oneBased = [0.0] + start
            _ = glp_ios_heur_sol(tree, &oneBased)
        }
        var newIncumbent = false
        if reason == GLP_IBINGO {
            incumbent = glp_mip_obj_val(glp_ios_get_prob(tree))
            newIncumbent = true
        }
        guard let progress = options.progress else { return }
        let elapsed = clock.seconds
        guard newIncumbent || elapsed - lastReport >= options.progressInterval else { return }
        lastReport = elapsed
        var active: Int32 = 0, live: Int32 = 0, total: Int32 = 0
        glp_ios_tree_size(tree, &active, &live, &total)
        let bound = bound(incumbent: incumbent)
        progress(SolveProgress(
            incumbent: incumbent, bound: bound, gap: incumbent.map { relativeGap($0, bound) },
            elapsed: elapsed, nodes: Int(total)
        ))
    }
}

private func glpkSearchCallback(_ tree: OpaquePointer?, _ info: UnsafeMutableRawPointer?) {
    guard let tree, let info else { return }
    Unmanaged<GLPKSearch>.fromOpaque(info).takeUnretainedValue().handle(tree)
}

extension String {
    /// The last non-empty line, for one-line error messages.
    var lastLine: String {
        split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
    }
}

extension SolveOptions {
    /// ``secondsLeft(_:)`` for GLPK, which has no CPU clock: its ``cpuTimeLimit`` is one more wall-clock limit.
    func glpkSecondsLeft(_ clock: Stopwatch) -> Double? {
        let cpuLeft = cpuTimeLimit.map { max(0, $0 - clock.seconds) }
        return [secondsLeft(clock), cpuLeft].compactMap { $0 }.min()
    }
}
