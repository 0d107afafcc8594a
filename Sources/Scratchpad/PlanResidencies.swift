import Plan

/// Reads a scratchpad plan back into residency stretches and the set of
/// stored activations, the form the ILPs take as a warm start. A tensor
/// allocated before step `s` starts a stretch at `s`; freed after step `s`
/// it ends at `s`, freed before step `s` at `s − 1`. O(actions).
enum PlanResidencies {
    static func read(_ plan: Plan, problem: ScratchpadProblem) -> (residencies: [Residency], stored: Set<Int>) {
        let scratchpad = PlanAssembly.scratchpad
        var open: [Int: (first: Int, loaded: Bool)] = [:]
        var residencies: [Residency] = []
        var stored = Set<Int>()
        func close(_ t: Int, last: Int) {
            guard let stretch = open.removeValue(forKey: t) else { return }
            if stretch.first <= last { residencies.append(Residency(tensor: t, first: stretch.first, last: last, loaded: stretch.loaded)) }
        }
        func noteStore(_ t: Int) {
            if !problem.startsInHost(t), !problem.isGraphOutput[t] { stored.insert(t) }
        }
        for (s, step) in plan.steps.enumerated() {
            for action in step.before {
                switch action.kind {
                case .allocate where action.tier == scratchpad: open[action.tensor] = (s, false)
                case .copy where action.tier == scratchpad: open[action.tensor]?.loaded = true
                case .copy where action.from == scratchpad: noteStore(action.tensor)
                case .free where action.tier == scratchpad: close(action.tensor, last: s - 1)
                default: break
                }
            }
            for action in step.after {
                switch action.kind {
                case .copy where action.from == scratchpad: noteStore(action.tensor)
                case .free where action.tier == scratchpad: close(action.tensor, last: s)
                case .allocate where action.tier == scratchpad: open[action.tensor] = (s + 1, false)
                default: break
                }
            }
        }
        for t in Array(open.keys) { close(t, last: plan.steps.count - 1) }
        return (residencies, stored)
    }
}
