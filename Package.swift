// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Stowage",
    products: [
        .executable(name: "stowage", targets: ["StowageCLI"]),
        .library(name: "MILP", targets: ["MILP"]),
        .library(name: "MemoryGraph", targets: ["MemoryGraph"]),
        .library(name: "Units", targets: ["Units"]),
        .library(name: "OutputFiles", targets: ["OutputFiles"]),
        .library(name: "ModelImport", targets: ["ModelImport"]),
        .library(name: "Allocation", targets: ["Allocation"]),
        .library(name: "Offload", targets: ["Offload"]),
        .library(name: "Plan", targets: ["Plan"]),
        .library(name: "Verifier", targets: ["Verifier"]),
        .library(name: "Render", targets: ["Render"]),
        .library(name: "Scratchpad", targets: ["Scratchpad"]),
        .library(name: "Remat", targets: ["Remat"]),
        .library(name: "ArenaSchedule", targets: ["ArenaSchedule"]),
        .library(name: "RandomNetworks", targets: ["RandomNetworks"]),
        // The facade for Swift callers, and the C API as a shared library
        // (libStowageC.so / .dylib; header: include/stowage.h).
        .library(name: "StowageKit", targets: ["StowageKit"]),
        .library(name: "StowageC", type: .dynamic, targets: ["StowageC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        // System libraries. GLPK ships no pkg-config file on Debian, so its
        // module map links `glpk` directly; CBC is found through pkg-config.
        .systemLibrary(
            name: "CGLPK",
            providers: [.apt(["libglpk-dev"])]
        ),
        .systemLibrary(
            name: "CCbc",
            pkgConfig: "cbc",
            providers: [.apt(["coinor-libcbc-dev", "pkg-config"])]
        ),
        // CBC's solver driven from C++ behind a C header (Sources/CCbcDriver/include/CbcDriver.h
        // says why CBC's own C interface is not enough).
        .target(
            name: "CCbcDriver",
            dependencies: ["CCbc"],
            cxxSettings: [.define("NDEBUG")]
        ),
        // GLPK's solvers with its internal errors caught instead of aborting the process (include/GLPKGuard.h).
        .target(
            name: "CGLPKGuard",
            dependencies: ["CGLPK"]
        ),
        .target(
            name: "MILP",
            dependencies: ["CGLPK", "CGLPKGuard", "CCbcDriver", "OutputFiles"]
        ),
        .target(name: "MemoryGraph"),
        // The one grammar for sizes in bytes (options, files, APIs).
        .target(name: "Units"),
        // Writing the files a user names as outputs: checked first, atomic, nothing else touched.
        .target(name: "OutputFiles"),
        .target(
            name: "ModelImport",
            dependencies: [
                "MemoryGraph",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Generated/README.md"]
        ),
        .target(
            name: "Allocation",
            dependencies: ["MILP"]
        ),
        .target(
            name: "Plan",
            dependencies: ["MemoryGraph", "OutputFiles"]
        ),
        .target(
            name: "Verifier",
            dependencies: ["MemoryGraph", "Plan"]
        ),
        .target(
            name: "Render",
            dependencies: ["MemoryGraph", "Plan"]
        ),
        .target(
            name: "Scratchpad",
            dependencies: ["MemoryGraph", "Allocation", "MILP", "Plan"]
        ),
        // Rematerialisation of training graphs: keep, recompute (and spill).
        .target(
            name: "Remat",
            dependencies: ["MemoryGraph", "MILP", "Plan"]
        ),
        // The smallest arena over operator orders: heuristics, exact search
        // over down-sets, ILPs, lower bounds, single-tier plans.
        .target(
            name: "ArenaSchedule",
            dependencies: ["MemoryGraph", "Allocation", "MILP", "Plan"]
        ),
        // Randomly wired networks (RandWire stages, NAS cells) to measure it on.
        .target(
            name: "RandomNetworks",
            dependencies: ["MemoryGraph", "Allocation"]
        ),
        // `swift run generate-networks`: writes Models/randwire and Models/nas.
        .executableTarget(
            name: "generate-networks",
            dependencies: ["RandomNetworks", "ModelImport"],
            path: "Tools/GenerateNetworks"
        ),
        .target(
            name: "Offload",
            dependencies: ["MILP", "MemoryGraph", "Plan", "Units", "Verifier"]
        ),
        .executableTarget(
            name: "StowageCLI",
            dependencies: [
                "MILP",
                "MemoryGraph",
                "ModelImport",
                "Allocation",
                "Offload",
                "Plan",
                "Verifier",
                "Render",
                "Scratchpad",
                // The facade: every command that plans goes through it.
                "StowageKit",
                "Units",
                "OutputFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "StowageKit",
            dependencies: ["MemoryGraph", "ModelImport", "Allocation", "MILP", "Plan", "Scratchpad", "Remat", "Verifier", "ArenaSchedule",
                           "Units", "OutputFiles", "Offload"]
        ),
        .target(
            name: "StowageC",
            dependencies: ["StowageKit"]
        ),
        // Examples/swift: a graph built in code and planned through the facade.
        .executableTarget(
            name: "PlanGraphExample",
            dependencies: ["StowageKit"],
            path: "Examples/swift"
        ),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["MILP", "MemoryGraph", "ModelImport", "Allocation", "Offload", "Plan", "Scratchpad", "Remat", "Verifier",
                           "ArenaSchedule", "RandomNetworks"],
            path: "Benchmarks"
        ),
        // Test support: checks documents against the JSON Schemas in Schemas/.
        .target(name: "SchemaCheck", path: "Tests/Support/SchemaCheck"),
        // Test support: seeded mutations of input files for the hostile-input suites.
        .target(name: "InputMutation", path: "Tests/Support/InputMutation"),
        // A host program printing on its own stdout while CBC and GLPK solve (MILPTests runs it).
        .executableTarget(name: "MILPStdoutProbe", dependencies: ["MILP"], path: "Tests/MILPStdoutProbe"),
        .testTarget(name: "MILPTests", dependencies: ["MILP", "MILPStdoutProbe"]),
        .testTarget(name: "MemoryGraphTests", dependencies: ["MemoryGraph"]),
        .testTarget(name: "UnitsTests", dependencies: ["Units"]),
        .testTarget(name: "OutputFilesTests", dependencies: ["OutputFiles"]),
        .testTarget(name: "ModelImportTests", dependencies: ["ModelImport", "MemoryGraph"], exclude: ["Fixtures"]),
        .testTarget(name: "AllocationTests", dependencies: ["Allocation", "MILP"]),
        .testTarget(name: "PlanTests", dependencies: ["Plan", "MemoryGraph"]),
        .testTarget(name: "VerifierTests", dependencies: ["Verifier", "Plan", "MemoryGraph"]),
        .testTarget(name: "RenderTests", dependencies: ["Render", "Plan", "MemoryGraph"]),
        .testTarget(name: "ScratchpadTests", dependencies: ["Scratchpad", "Plan", "MemoryGraph", "ModelImport", "MILP", "Verifier"]),
        .testTarget(name: "RematTests", dependencies: ["Remat", "MILP", "Plan", "Verifier", "MemoryGraph", "Allocation", "ModelImport"]),
        .testTarget(name: "ArenaScheduleTests",
                    dependencies: ["ArenaSchedule", "RandomNetworks", "MemoryGraph", "ModelImport", "Plan", "Verifier", "Allocation", "MILP"]),
        .testTarget(name: "OffloadTests", dependencies: ["Offload", "MILP", "Plan", "Verifier", "Allocation"]),
        .testTarget(name: "StowageCLITests", dependencies: ["StowageCLI", "StowageKit", "StowageC", "SchemaCheck", "InputMutation", "Allocation"]),
        .testTarget(name: "StowageKitTests", dependencies: ["StowageKit", "StowageC", "Verifier", "SchemaCheck", "InputMutation"]),
        // Compiles and runs Examples/ (c, python, swift) against the built
        // libStowageC and PlanGraphExample.
        .testTarget(name: "ExamplesTests", dependencies: ["PlanGraphExample", "StowageKit", "Verifier"]),
    ],
    swiftLanguageModes: [.v6]
)
