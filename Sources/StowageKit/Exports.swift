// A caller of the facade needs the graph IR (to build a graph in code), the
// plan (what comes back) and the buffer type of pure allocation, without
// importing each module: `import StowageKit` brings them along. Scratchpad,
// Verifier and MILP stay behind the facade; their choices are the facade's
// options, and their names (Residency, Validator) would clash with others'.
@_exported import Allocation
@_exported import MemoryGraph
@_exported import Plan
@_exported import Units
// What the verifier reports, for ``Planner/verify(planAt:modelAt:options:)``.
@_exported import struct Verifier.VerificationReport
@_exported import struct Verifier.VerificationFailure
@_exported import enum Verifier.VerificationMode
