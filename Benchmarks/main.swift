import Foundation

/// `swift run -c release Benchmarks [SUITE ...]`: timings that would be noise
/// in unit tests. Each suite prints its own table; compare ratios measured in
/// one run, since the machines are shared.
let suites: [(name: String, run: () -> Void)] = [
    ("milp", MILPBenchmarks.run),
    ("milp-limits", MILPLimitBenchmarks.run),
    ("import", ImportBenchmarks.run),
    ("alloc", AllocationBenchmarks.run),
    ("alloc-phases", AllocationPhases.run),
    ("verify", VerifierBenchmarks.run),
    ("offload", OffloadBenchmarks.run),
    ("offload-lp", OffloadBenchmarks.lpAndSearch),
    ("scratchpad", ScratchpadBenchmarks.run),
    ("schedule", ScheduleBenchmarks.run),
    ("scratchpad-vision", ScratchpadVisionBenchmarks.run),
    ("scratchpad-limits", ScratchpadLimitBenchmarks.run),
    ("remat", RematBenchmarks.run),
    // Not in the default run: minutes of MILP solves (see CheckmateBenchmarks, NeighbourhoodBenchmarks,
    // SearchBenchmarks and StartsBenchmarks for their settings).
    ("remat-checkmate", CheckmateBenchmarks.run),
    ("remat-neighbourhoods", NeighbourhoodBenchmarks.run),
    ("remat-search", SearchBenchmarks.run),
    ("remat-starts", StartsBenchmarks.run),
    // Not in the default run: it loads every core and runs for minutes.
    ("limits", LimitBenchmarks.run),
]

let wanted = Set(CommandLine.arguments.dropFirst())
let unknown = wanted.subtracting(suites.map(\.name))
if !unknown.isEmpty {
    FileHandle.standardError.write(Data("unknown suite(s): \(unknown.sorted().joined(separator: ", ")); known: \(suites.map(\.name).joined(separator: ", "))\n".utf8))
    exit(2)
}
for suite in suites where wanted.isEmpty ? !["limits", "remat-checkmate", "remat-neighbourhoods", "remat-search", "remat-starts"].contains(suite.name) : wanted.contains(suite.name) {
    print("== \(suite.name)")
    suite.run()
}
