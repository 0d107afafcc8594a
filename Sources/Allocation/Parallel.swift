import Dispatch
import Foundation
import Synchronization

/// Independent jobs on the machine's cores.
enum Parallel {
    /// How many jobs run at once: the active processor count (at least 1).
    static var width: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// `body(0) … body(count - 1)`, run on up to ``width`` threads; the
    /// results in index order. With one job, or one core, it runs inline.
    static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 1 && width > 1 else { return (0 ..< max(0, count)).map(body) }
        let results = Mutex<[T?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { k in
            let value = body(k)
            results.withLock { $0[k] = value }
        }
        return results.withLock { $0.compactMap { $0 } }
    }
}
