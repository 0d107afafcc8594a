/// A program of operations over values, turned into an allocation trace the
/// way a compiler's buffer assignment sees one: operations are scheduled
/// one per step, a value becomes a buffer alive from the step of the
/// operation that writes it through the step of its last reader.
///
/// The generators (``TrainingTrace``, ``ModelTrainingTrace``) write their
/// program in a natural order; ``buffers(jitter:seed:)`` then schedules it
/// as a compiler's list scheduler would, taking among the operations whose
/// inputs are ready the one with the smallest `position + noise`, noise
/// uniform in `[0, jitter)`. Independent operations (a weight gradient and
/// an input gradient, the three projections of attention, a collective and
/// the computation it overlaps) thereby interleave within a few steps, which
/// spreads short lifetimes over several steps as in real traces, while the
/// program's long-range structure (forward, then backward in reverse) stays.
///
/// Cost: O((V + R) + P log P) for V values, R reads and P operations;
/// memory O(V + R + P).
struct TraceProgram {
    typealias Value = Int

    private(set) var names: [String] = []
    private(set) var sizes: [Int] = []
    /// Values alive for the whole program (parameters, optimizer state).
    private var resident: [Bool] = []
    /// Writing operation of each value (-1 for resident values).
    private var writer: [Int] = []
    /// Per operation: the values it reads, and the values it writes.
    private var reads: [[Value]] = []
    private var writes: [[Value]] = []

    var valueCount: Int { names.count }
    var operationCount: Int { reads.count }

    /// A value alive from the first step to the last.
    mutating func resident(_ name: String, size: Int) -> Value {
        names.append(name)
        sizes.append(max(1, size))
        resident.append(true)
        writer.append(-1)
        return names.count - 1
    }

    /// One operation: reads `inputs`, writes a new value per `outputs`
    /// entry (name and bytes, at least 1), and returns them in that order.
    /// An operation with no outputs updates values in place (an
    /// accumulation, an optimizer step): it still takes a step.
    @discardableResult
    mutating func op(_ inputs: [Value], _ outputs: [(String, Int)] = []) -> [Value] {
        let index = reads.count
        var written: [Value] = []
        written.reserveCapacity(outputs.count)
        for (name, size) in outputs {
            names.append(name)
            sizes.append(max(1, size))
            resident.append(false)
            writer.append(index)
            written.append(names.count - 1)
        }
        reads.append(inputs)
        writes.append(written)
        return written
    }

    /// One output: the common case.
    mutating func op1(_ inputs: [Value], _ name: String, _ size: Int) -> Value {
        op(inputs, [(name, size)])[0]
    }

    /// The program scheduled with noise in `[0, jitter)` (0: program order),
    /// as buffers in value order with half-open lifetimes.
    func buffers(jitter: Int, seed: UInt64) -> [Buffer] {
        let order = schedule(jitter: jitter, seed: seed)
        let horizon = max(1, order.count)
        var step = [Int](repeating: 0, count: operationCount)
        for (s, op) in order.enumerated() { step[op] = s }
        var upper = [Int](repeating: 0, count: valueCount)
        for v in 0 ..< valueCount where writer[v] >= 0 { upper[v] = step[writer[v]] + 1 }
        for op in 0 ..< operationCount {
            for v in reads[op] where !resident[v] { upper[v] = max(upper[v], step[op] + 1) }
        }
        return (0 ..< valueCount).map { v in
            resident[v]
                ? Buffer(id: names[v], lower: 0, upper: horizon, size: sizes[v])
                : Buffer(id: names[v], lower: step[writer[v]], upper: upper[v], size: sizes[v])
        }
    }

    /// A topological order of the operations: list scheduling by
    /// `position + noise`. O(R + P log P).
    private func schedule(jitter: Int, seed: UInt64) -> [Int] {
        let p = operationCount
        var rng = SplitMix64(seed: seed)
        let key: [Int] = (0 ..< p).map { jitter > 1 ? $0 * jitter + Int.random(in: 0 ..< jitter * jitter, using: &rng) : $0 }
        // Dependents of each operation (deduplicated) and pending counts.
        var pending = [Int](repeating: 0, count: p)
        var dependents = [[Int]](repeating: [], count: p)
        var seen: [Int] = []
        for op in 0 ..< p {
            seen.removeAll(keepingCapacity: true)
            for v in reads[op] {
                let w = writer[v]
                if w >= 0 && w != op && !seen.contains(w) {
                    seen.append(w)
                    dependents[w].append(op)
                    pending[op] += 1
                }
            }
        }
        var heap = MinHeap()
        for op in 0 ..< p where pending[op] == 0 { heap.push(key: key[op], value: op) }
        var order: [Int] = []
        order.reserveCapacity(p)
        while let op = heap.pop() {
            order.append(op)
            for d in dependents[op] {
                pending[d] -= 1
                if pending[d] == 0 { heap.push(key: key[d], value: d) }
            }
        }
        return order
    }
}
