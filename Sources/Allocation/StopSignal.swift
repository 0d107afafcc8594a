import Synchronization

/// A flag one thread raises to stop work on others: the portfolio raises it
/// when a greedy pass reaches the goal, so that the passes still running
/// stop at their next check instead of finishing work nobody needs.
final class StopSignal: Sendable {
    private let raised = Atomic<Bool>(false)

    init() {}

    var isRaised: Bool { raised.load(ordering: .relaxed) }

    func raise() { raised.store(true, ordering: .relaxed) }
}
