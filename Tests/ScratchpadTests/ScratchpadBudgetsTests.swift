import MemoryGraph
import Testing
@testable import Scratchpad

@Suite struct ScratchpadBudgetsTests {
    /// x → y → z → out with x read again by the last operator: x stays
    /// resident across the middle operator, so M_P exceeds M_R.
    static func skip(x: Int, y: Int, z: Int, out: Int) throws -> Graph {
        let tensors = [
            Tensor(name: "x", kind: .input, bytes: x),
            Tensor(name: "y", kind: .activation, bytes: y),
            Tensor(name: "z", kind: .activation, bytes: z),
            Tensor(name: "out", kind: .activation, bytes: out),
        ]
        let operators = [
            Operator(name: "f", type: "Op", inputs: [0], outputs: [1]),
            Operator(name: "g", type: "Op", inputs: [1], outputs: [2]),
            Operator(name: "h", type: "Op", inputs: [2, 0], outputs: [3]),
        ]
        return try Graph(name: "skip", tensors: tensors, operators: operators, outputs: [3])
    }

    @Test func budgetsOfASmallSkip() throws {
        let graph = try Self.skip(x: 8, y: 8, z: 4, out: 1)
        let budgets = ScratchpadBudgets(ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 0))
        // Footprints f: x+y = 16, g: y+z = 12, h: z+x+out = 13; kept from
        // first to last use, g holds x, y, z = 20.
        #expect(budgets.minimum == 16)
        #expect(budgets.noSpill == 20)
        #expect(budgets.half == 18)
    }

    /// The graph's own check only bounds the sum of all tensors by Int.max,
    /// so M_R + M_P can exceed it; M_H must still be the midpoint.
    @Test func halfOfHugeBudgetsDoesNotOverflow() throws {
        let graph = try Self.skip(x: 1 << 61, y: 1 << 61, z: 1 << 60, out: 1)
        let budgets = ScratchpadBudgets(ScratchpadProblem(graph: graph, schedule: .default(for: graph), capacity: 0))
        #expect(budgets.minimum == 1 << 62)                  // f: x + y
        #expect(budgets.noSpill == (1 << 62) + (1 << 60))    // g: x, y, z
        #expect(budgets.minimum.addingReportingOverflow(budgets.noSpill).overflow)
        #expect(budgets.half == (1 << 62) + (1 << 59))
        #expect(budgets.named("M_H") == budgets.half)
    }
}
