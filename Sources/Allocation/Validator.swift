/// Checks a proposed solution, independently of every algorithm that makes
/// one: it shares no code with the heuristics, the search or the ILP, only
/// the problem's data types, and uses overflow-checked arithmetic because the
/// offsets it checks may come from anywhere (a file, a solver, a bug).
///
/// Complexity: O(n log n + E) where E is the number of pairs of buffers
/// whose lifetimes intersect: buffers are swept by start time, and each is
/// compared with every buffer still alive when it starts.
public enum Validator {
    /// The height of `offsets` for `problem`, or the first violation found:
    /// wrong count, negative or misaligned offset, moved fixed offset,
    /// overflow, capacity exceeded, or two live buffers overlapping.
    public static func height(of offsets: [Int], for problem: AllocationProblem) throws(AllocationViolation) -> Int {
        let buffers = problem.buffers
        guard offsets.count == buffers.count else {
            throw AllocationViolation("expected \(buffers.count) offsets, got \(offsets.count)")
        }
        var ends = [Int](repeating: 0, count: buffers.count)
        var height = 0
        for (i, buffer) in buffers.enumerated() {
            let offset = offsets[i]
            if offset < 0 { throw AllocationViolation("buffer '\(buffer.id)' has negative offset \(offset)") }
            if buffer.alignment <= 0 { throw AllocationViolation("buffer '\(buffer.id)' has alignment \(buffer.alignment)") }
            if offset % buffer.alignment != 0 {
                throw AllocationViolation("buffer '\(buffer.id)' at offset \(offset) is not aligned to \(buffer.alignment)")
            }
            if let fixed = buffer.fixedOffset, fixed != offset {
                throw AllocationViolation("buffer '\(buffer.id)' must stay at offset \(fixed), not \(offset)")
            }
            let (end, overflow) = offset.addingReportingOverflow(buffer.size)
            if overflow { throw AllocationViolation("buffer '\(buffer.id)': offset \(offset) + size \(buffer.size) overflows") }
            ends[i] = end
            height = max(height, end)
        }
        if let capacity = problem.capacity, height > capacity {
            throw AllocationViolation("height \(height) exceeds capacity \(capacity)")
        }

        // Sweep by start time; `alive` holds buffers started earlier.
        let order = buffers.indices.sorted { buffers[$0].lower < buffers[$1].lower }
        var alive: [Int] = []
        for i in order {
            let b = buffers[i]
            alive.removeAll { buffers[$0].upper <= b.lower }
            if b.size > 0 {
                for j in alive where buffers[j].size > 0 {
                    // Lifetimes intersect (j started no later and ends after b starts).
                    if offsets[i] < ends[j] && offsets[j] < ends[i] {
                        throw AllocationViolation(
                            "buffers '\(buffers[j].id)' [\(offsets[j]), \(ends[j])) and '\(b.id)' [\(offsets[i]), \(ends[i])) overlap while both are alive")
                    }
                }
            }
            alive.append(i)
        }
        return height
    }

    /// True when `offsets` is a valid solution of `problem`.
    public static func isValid(_ offsets: [Int], for problem: AllocationProblem) -> Bool {
        (try? height(of: offsets, for: problem)) != nil
    }
}

/// What is wrong with a proposed solution.
public struct AllocationViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
