// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Stowage",
    products: [
        .executable(name: "stowage", targets: ["StowageCLI"]),
        .library(name: "MILP", targets: ["MILP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
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
        .target(
            name: "MILP",
            dependencies: ["CGLPK", "CCbc"]
        ),
        .executableTarget(
            name: "StowageCLI",
            dependencies: [
                "MILP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "MILPTests",
            dependencies: ["MILP"]
        ),
        .testTarget(
            name: "StowageCLITests",
            dependencies: ["StowageCLI"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
