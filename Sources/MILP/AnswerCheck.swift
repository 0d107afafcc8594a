/// A backend whose raw answers ``AnswerCheck`` checks before they are returned.
protocol CheckedBackend: Solver {
    /// The backend's own claim about `model` (infinite bounds normalised,
    /// data valid, `input` built from it), unchecked. `strict` asks for
    /// integrality and feasibility tolerances of 1e-9 instead of the
    /// backend's defaults. `clock` started with the whole solve.
    func rawSolve(_ model: Model, input: BackendInput, options: SolveOptions, clock: Stopwatch, strict: Bool) -> SolveResult
}

extension CheckedBackend {
    /// Validates and normalises `model`, asks the backend, and checks its
    /// answer (``AnswerCheck``). Both backends' `solve` are this.
    func checkedSolve(_ model: Model, options: SolveOptions) -> SolveResult {
        let clock = Stopwatch()
        let model = model.normalizingInfiniteBounds()
        // Both libraries index rows, columns and nonzeros with 32-bit ints.
        guard model.variableCount < Int(Int32.max), model.constraintCount < Int(Int32.max),
              model.nonzeroCount < Int(Int32.max) else {
            return SolveResult(status: .error, seconds: clock.seconds, solver: name,
                               message: "the model is too large for \(name) (2^31 - 1 variables, rows or nonzeros at most)")
        }
        let input = BackendInput(model)
        if let decided = input.resultWithoutSolver(for: model, solver: name, seconds: clock.seconds) { return decided }
        let raw = rawSolve(model, input: input, options: options, clock: clock, strict: false)
        var result = AnswerCheck(model: model, backend: self, options: options, clock: clock).checked(raw)
        result.seconds = clock.seconds
        return result
    }
}

/// Nothing a backend says is returned unchecked:
/// - a solution is audited against the model (``SolutionAudit``); one that
///   fails is solved again once with strict tolerances, and if that fails
///   too the result is ``SolveStatus/error`` naming the backend and the
///   violation;
/// - a claimed optimum of a MIP must have no better neighbour one integer
///   step away (``ImprovingMoves``); if it has one, the model is solved
///   again with strict tolerances, and if the claim fails again the result
///   is ``SolveStatus/feasible``: the point improved step by step, no
///   bound, and a message naming the backend that failed;
/// - a claim of infeasibility is probed by solving the model without its
///   objective (a different search, which cannot be unbounded): a point
///   found there refutes the claim. The model is then unbounded if an
///   improving ray exists; otherwise the result is ``SolveStatus/feasible``
///   with that point, improved step by step, and a message naming the
///   backend that failed;
/// - a claim of unboundedness needs an improving ray of the recession cone
///   (a small LP) and, for a MIP, an integer-feasible point (Meyer 1974: a
///   MIP with rational data whose relaxation is unbounded is unbounded or
///   infeasible).
///
/// Probes run within the solve's remaining time; a probe cut short leaves
/// the claim standing with a note. Each probe costs at most one more solve
/// of the model or of an LP of its size.
struct AnswerCheck<Backend: CheckedBackend> {
    let model: Model
    let backend: Backend
    let options: SolveOptions
    let clock: Stopwatch

    func checked(_ raw: SolveResult, mayRetry: Bool = true) -> SolveResult {
        switch raw.status {
        case .optimal, .feasible:
            return checkedSolution(raw, mayRetry: mayRetry)
        case .infeasible:
            return confirmedInfeasible(raw)
        case .unbounded:
            return confirmedUnbounded(raw)
        case .noSolution, .error:
            return raw
        }
    }

    // MARK: Solutions

    private func checkedSolution(_ raw: SolveResult, mayRetry: Bool) -> SolveResult {
        switch SolutionAudit.check(raw.values, in: model) {
        case .accepted(let values, let objective):
            if raw.status == .optimal, options.relativeGap ?? 0 == 0, model.hasIntegerVariables,
               let move = ImprovingMoves(model).first(from: values) {
                let name = model.variables[move.variable].name ?? "x\(move.variable)"
                let refutation = "it reported \(objective) as optimal, but changing \(name) by \(move.step > 0 ? "+1" : "-1") gives a better feasible point"
                if mayRetry, hasTimeLeft {
                    let retry = backend.rawSolve(model, input: BackendInput(model), options: options, clock: clock, strict: true)
                    let result = checked(retry, mayRetry: false)
                    if result.status == .optimal { return noted(result, "\(backend.name)'s first answer was wrong (\(refutation)); solved again with tolerances of 1e-9") }
                }
                return feasiblePoint(values, failure: refutation)
            }
            var result = raw
            result.values = values
            result.objective = objective
            result.bound = consistentBound(raw, objective: objective)
            return result
        case .rejected(let violation):
            if mayRetry, hasTimeLeft {
                let retry = backend.rawSolve(model, input: BackendInput(model), options: options, clock: clock, strict: true)
                var result = checked(retry, mayRetry: false)
                if result.status != .error {
                    result.message = [result.message, "\(backend.name)'s first answer was wrong (\(violation)); solved again with tolerances of 1e-9"]
                        .compactMap { $0 }.joined(separator: "; ")
                    return result
                }
            }
            return failure("returned a solution that violates the model: \(violation)")
        }
    }

    /// The backend's bound, never past the objective of the returned point
    /// (a bound read from the tree just before it emptied can lag behind, and
    /// the audit may have moved the objective by rounding).
    private func consistentBound(_ raw: SolveResult, objective: Double) -> Double? {
        if raw.status == .optimal, options.relativeGap == nil { return objective }
        guard let bound = raw.bound else { return raw.status == .optimal ? objective : nil }
        return model.sense == .minimize ? min(bound, objective) : max(bound, objective)
    }

    // MARK: Infeasibility

    private func confirmedInfeasible(_ raw: SolveResult) -> SolveResult {
        // An infeasible LP relaxation is a simplex phase-1 result, which an
        // objective does not influence; and without an objective the probe
        // would repeat the same search.
        guard !raw.fromRelaxation, !model.objective.terms.isEmpty else { return raw }
        var feasibility = model
        feasibility.setObjective(LinearExpression(), sense: .minimize)
        // A search that ended in "infeasible" may have to be repeated in
        // full to find nothing again: the probe gets as long as the solve
        // took (at least 0.2 s), so checking at most doubles the time.
        switch probe(feasibility, budget: max(0.2, clock.seconds)) {
        case .point(let values):
            if improvingRayExists() {
                return SolveResult(status: .unbounded, seconds: 0, solver: backend.name,
                                   message: "\(backend.name) reported infeasible; a feasible point and an improving ray show the model unbounded")
            }
            return feasiblePoint(values, failure: "it reported the model infeasible, but a feasibility probe found a point that satisfies every bound, row and integrality requirement")
        case .none:
            return raw
        case .inconclusive(let why):
            return noted(raw, "not confirmed: \(why)")
        }
    }

    // MARK: Unboundedness

    private func confirmedUnbounded(_ raw: SolveResult) -> SolveResult {
        var feasibility = model
        feasibility.setObjective(LinearExpression(), sense: .minimize)
        switch probe(feasibility, budget: nil) {
        case .none:
            return SolveResult(status: .infeasible, seconds: 0, solver: backend.name,
                               message: model.hasIntegerVariables ? "the LP relaxation is unbounded, but no integer point is feasible" : nil)
        case .inconclusive(let why):
            if why.hasPrefix("time") {
                return SolveResult(status: .noSolution, seconds: 0, solver: backend.name,
                                   message: "LP relaxation unbounded; no feasible point found within the limit")
            }
            return noted(raw, "not confirmed: \(why)")
        case .point:
            if improvingRayExists() { return SolveResult(status: .unbounded, seconds: 0, solver: backend.name, message: raw.message) }
            return failure("reported the model unbounded, but a feasible point exists and no direction improves the objective without limit")
        }
    }

    // MARK: Probes

    private enum ProbeOutcome {
        /// A feasible point, audited (integers rounded).
        case point([Double])
        /// The probe proved the model infeasible.
        case none
        case inconclusive(String)
    }

    /// Solves `probeModel` (the model without its objective) with the same
    /// backend, for at most `budget` seconds of the time left, and audits
    /// any point found.
    private func probe(_ probeModel: Model, budget: Double?) -> ProbeOutcome {
        guard hasTimeLeft else { return .inconclusive("time ran out before the check") }
        var options = probeOptions
        if let budget { options.timeLimit = min(options.timeLimit ?? .infinity, clock.seconds + budget) }
        let result = backend.rawSolve(probeModel, input: BackendInput(probeModel), options: options, clock: clock, strict: false)
        switch result.status {
        case .optimal, .feasible:
            if case .accepted(let values, _) = SolutionAudit.check(result.values, in: probeModel) { return .point(values) }
            return .inconclusive("the feasibility probe's point failed the audit too")
        case .infeasible:
            return .none
        case .noSolution:
            return .inconclusive("time ran out during the feasibility probe")
        case .unbounded, .error:
            return .inconclusive("the feasibility probe failed (\(result.message ?? result.status.rawValue))")
        }
    }

    private func improvingRayExists() -> Bool {
        UnboundedRelaxation.improvingRay(of: model) { cone in
            backend.rawSolve(cone, input: BackendInput(cone), options: probeOptions, clock: clock, strict: false)
        }
    }

    /// The solve's own limits (measured on the same clock), without its
    /// progress reports, warm start and gap.
    private var probeOptions: SolveOptions {
        var probe = options
        probe.progress = nil
        probe.warmStart = nil
        probe.relativeGap = nil
        return probe
    }

    private var hasTimeLeft: Bool { options.secondsLeft(clock).map { $0 > 0.01 } ?? true }

    /// The truth after a refuted claim: `point` is feasible (audited), made
    /// better by unit steps where it can be, and nothing is known of the
    /// optimum. At most 1,000 steps, fewer on large models (each costs up
    /// to O(nonzeros)).
    private func feasiblePoint(_ point: [Double], failure what: String) -> SolveResult {
        let work = model.variableCount + model.nonzeroCount
        let improved = ImprovingMoves(model).improved(point, limit: max(1, min(1000, 10_000_000 / max(1, work))))
        let values: [Double]
        if case .accepted(let audited, _) = SolutionAudit.check(improved, in: model) { values = audited } else { values = point }
        return SolveResult(status: .feasible, objective: model.objectiveValue(at: values), bound: nil, seconds: 0,
                           values: values, solver: backend.name,
                           message: "\(backend.name) failed: \(what); the point returned is feasible (checked), its optimality unknown")
    }

    private func failure(_ what: String) -> SolveResult {
        SolveResult(status: .error, seconds: 0, solver: backend.name, message: "\(backend.name) failed: it \(what)")
    }

    private func noted(_ result: SolveResult, _ note: String) -> SolveResult {
        var noted = result
        noted.message = [result.message, note].compactMap { $0 }.joined(separator: "; ")
        return noted
    }
}
