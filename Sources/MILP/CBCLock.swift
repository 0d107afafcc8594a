import Foundation

/// The one CBC solve a process runs at a time. CBC 2.10's driver
/// (`CbcMain1`) keeps global state and is not safe on two threads at once
/// (coin-or/Cbc#332), so solves queue here, and a caller whose time runs
/// out while it waits gives up instead of blocking past its limit.
final class CBCLock: @unchecked Sendable {
    static let shared = CBCLock()

    private let condition = NSCondition()
    private var busy = false

    /// Takes the lock, waiting at most until `deadline` (`nil`: for as long
    /// as it takes). Returns false, without the lock, when the deadline
    /// passed first.
    func acquire(before deadline: ContinuousClock.Instant?) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while busy {
            if let deadline {
                let left = deadline - ContinuousClock.now
                guard left > .zero else { return false }
                _ = condition.wait(until: Date(timeIntervalSinceNow: Deadline.seconds(left)))
            } else {
                condition.wait()
            }
        }
        busy = true
        return true
    }

    func release() {
        condition.lock()
        busy = false
        condition.signal()
        condition.unlock()
    }
}
