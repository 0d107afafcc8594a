import Foundation
import StowageKit
import Testing
import Verifier

/// The C library as `make install` lays it out, and the C and C++ examples
/// built against that copy the way a user outside this repository would:
/// pkg-config for C, CMake's `find_package(Stowage)` for C++.
///
/// `make test` installs the library into a fresh prefix before `swift test`
/// and names it in `STOWAGE_TEST_PREFIX`; the install build is a release
/// build with the Swift runtime linked in (minutes), so a plain `swift test`
/// does not make one and these tests say so and are skipped.
@Suite("Installed library: make install, pkg-config (C), CMake (C++)",
       .enabled(if: InstalledLibrary.prefix != nil, Comment(rawValue: InstalledLibrary.skipReason)))
struct InstalledLibraryTests {
    var prefix: URL { InstalledLibrary.prefix! }
    var library: URL { prefix.appendingPathComponent("lib/libstowage.so.\(Planner.version)") }

    @Test("the prefix holds libstowage.so.N with its SONAME and links, the header, stowage.pc and the CMake package")
    func layout() throws {
        let lib = prefix.appendingPathComponent("lib")
        let major = Planner.version.split(separator: ".")[0]
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: library.path))
        #expect(try fm.destinationOfSymbolicLink(atPath: lib.appendingPathComponent("libstowage.so.\(major)").path)
                == "libstowage.so.\(Planner.version)")
        #expect(try fm.destinationOfSymbolicLink(atPath: lib.appendingPathComponent("libstowage.so").path) == "libstowage.so.\(major)")
        for file in ["include/stowage.h", "lib/pkgconfig/stowage.pc", "lib/cmake/Stowage/StowageConfig.cmake",
                     "lib/cmake/Stowage/StowageConfigVersion.cmake"] {
            #expect(fm.fileExists(atPath: prefix.appendingPathComponent(file).path), "\(file) is not installed")
        }

        let dynamic = try Products.run("readelf", ["-d", library.path])
        try #require(dynamic.status == 0, Comment(rawValue: dynamic.text))
        #expect(dynamic.stdout.contains("Library soname: [libstowage.so.\(major)]"))
        // No run path into the toolchain that built it: at most $ORIGIN.
        for line in dynamic.stdout.split(separator: "\n") where line.contains("RUNPATH") || line.contains("RPATH") {
            #expect(line.hasSuffix("[$ORIGIN]"), "\(line)")
        }
        // The Swift runtime and Foundation are inside, not needed beside it.
        let needed = dynamic.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(!needed.isEmpty)
        for line in needed {
            #expect(!line.contains("swift") && !line.contains("Foundation") && !line.contains("dispatch"), "\(line)")
        }
    }

    @Test("only the functions stowage.h declares are exported")
    func exportedSymbols() throws {
        let nm = try Products.run("nm", ["-D", "--defined-only", "--extern-only", library.path])
        try #require(nm.status == 0, Comment(rawValue: nm.text))
        let exported = Set(nm.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) })
        let declared = try InstalledLibrary.declaredFunctions(in: prefix.appendingPathComponent("include/stowage.h"))
        #expect(declared.contains("stowage_plan") && declared.contains("stowage_free"))
        #expect(exported == declared, "exported \(exported.sorted()), declared \(declared.sorted())")
    }

    @Test("the header's version macros, stowage.pc and the CMake package say Planner.version")
    func versions() throws {
        let parts = Planner.version.split(separator: ".").map(String.init)
        let header = try String(contentsOf: prefix.appendingPathComponent("include/stowage.h"), encoding: .utf8)
        #expect(header.contains("#define STOWAGE_VERSION_MAJOR \(parts[0])\n"))
        #expect(header.contains("#define STOWAGE_VERSION_MINOR \(parts[1])\n"))
        #expect(header.contains("#define STOWAGE_VERSION_PATCH \(parts[2])\n"))
        #expect(header.contains("#define STOWAGE_VERSION_STRING \"\(Planner.version)\"\n"))
        let version = try Products.run("pkg-config", ["--modversion", "stowage"], environment: pkgConfigEnvironment)
        #expect(version.stdout == "\(Planner.version)\n", Comment(rawValue: version.text))
        let config = try String(contentsOf: prefix.appendingPathComponent("lib/cmake/Stowage/StowageConfigVersion.cmake"), encoding: .utf8)
        #expect(config.contains("set(PACKAGE_VERSION \"\(Planner.version)\")"))
    }

    var pkgConfigEnvironment: [String: String] {
        ["PKG_CONFIG_PATH": prefix.appendingPathComponent("lib/pkgconfig").path]
    }

    @Test("Examples/c/plan_graph.c builds with pkg-config against the installed copy and plans")
    func cWithPkgConfig() throws {
        let folder = try Products.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let flags = try Products.run("pkg-config", ["--cflags", "--libs", "stowage"], environment: pkgConfigEnvironment)
        let libdir = try Products.run("pkg-config", ["--variable=libdir", "stowage"], environment: pkgConfigEnvironment)
        try #require(flags.status == 0 && libdir.status == 0, Comment(rawValue: flags.text + libdir.text))
        let binary = folder.appendingPathComponent("plan_graph").path
        let arguments = ["-std=c99", "-Wall", "-Wextra", "-Werror", "Examples/c/plan_graph.c"]
            + flags.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
            + ["-Wl,-rpath,\(libdir.stdout.trimmingCharacters(in: .whitespacesAndNewlines))", "-o", binary]
        let compile = try Products.run(Products.available("cc") ? "cc" : "clang", arguments)
        try #require(compile.status == 0, Comment(rawValue: compile.text))

        let planFile = folder.appendingPathComponent("plan.json")
        let run = try Products.run(binary, [planFile.path])
        #expect(run.status == 0, Comment(rawValue: run.text))
        #expect(run.stdout.hasPrefix("stowage \(Planner.version)\n"))
        #expect(run.stdout.hasSuffix("ok\n"))
        #expect(run.stdout.contains("typo: status=2 error=options: methd: unknown key"))
        // The plan it wrote replays against the graph it planned, with the
        // traffic the Swift facade finds for the same request.
        let graph = try Planner.graph(fromJSON: Data(try Products.run(binary, ["--graph"]).stdout.utf8), source: "example graph")
        let plan = try PlanCodec.read(contentsOf: planFile.path)
        let report = Verifier.verify(plan, against: graph)
        #expect(report.passed, "\(report.failure.map(\.description) ?? "")")
        let direct = try Planner(options: PlanningOptions(method: .ilp, solver: .glpk)).plan(graph, capacity: .half)
        #expect(plan.metrics.nonCompulsoryBytes == direct.nonCompulsoryBytes)
        // It loaded the installed library, not a build folder's.
        let ldd = try Products.run("ldd", [binary])
        #expect(ldd.stdout.contains("libstowage.so.0 => \(prefix.path)/lib/"), Comment(rawValue: ldd.text))
    }

    @Test("Examples/cpp builds with CMake find_package(Stowage) and plans ResNet-50 and a graph on two threads")
    func cppWithCMake() throws {
        let folder = try Products.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try InstalledLibrary.buildCppExample(prefix: prefix, in: folder)
        let planFile = folder.appendingPathComponent("resnet50-plan.json")
        let model = "Models/onnx/resnet50.onnx"
        let run = try Products.run(binary.path, [model, planFile.path])
        #expect(run.status == 0, Comment(rawValue: run.text))
        #expect(run.stdout.hasPrefix("stowage \(Planner.version) (header \(Planner.version))\n"))
        #expect(run.stdout.hasSuffix("ok\n"))

        // The same request through the facade: same traffic; the plan replays.
        let direct = try Planner(options: PlanningOptions(dtypeBytes: 1)).plan(modelAt: model, capacity: .half)
        let fields = Products.fields(of: run.stdout, line: "model:")
        #expect(fields["nonCompulsoryBytes"] == String(direct.nonCompulsoryBytes))
        #expect(fields["residencies"] == String(direct.plan.residencies.count))
        let report = try Planner.verify(planAt: planFile.path, modelAt: model, options: VerificationOptions(dtypeBytes: 1))
        #expect(report.passed, "\(report.failure.map(\.description) ?? "")")
        // The chain's input is read again by the last operator and cannot
        // stay at M_R (the largest footprint, 96 KiB, leaves no room for it):
        // it is loaded twice, 16 KiB of avoidable traffic, and the ILP proves it.
        #expect(run.stdout.contains("chain: nonCompulsoryBytes=16384 bound=yes\n"))
        #expect(run.stdout.contains("missing: status=2 error=\(model).missing: no such file"))
        #expect(run.stdout.contains("tiny: status=1 error=infeasible at 1024 bytes"))
    }

    @Test("make install-files honours DESTDIR, and the staged tree works from where it lands (relocatable)")
    func destdirAndRelocation() throws {
        let folder = try Products.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let stage = folder.appendingPathComponent("stage")
        let install = try Products.run("make", ["--no-print-directory", "install-files", "DESTDIR=\(stage.path)", "PREFIX=/opt/stowage"])
        try #require(install.status == 0, Comment(rawValue: install.text))
        let moved = stage.appendingPathComponent("opt/stowage")
        #expect(FileManager.default.fileExists(atPath: moved.appendingPathComponent("lib/libstowage.so.\(Planner.version)").path))

        // pkg-config and CMake both find the tree where it is, not at PREFIX.
        let libdir = try Products.run("pkg-config", ["--variable=libdir", "stowage"],
                                      environment: ["PKG_CONFIG_PATH": moved.appendingPathComponent("lib/pkgconfig").path])
        let resolved = URL(fileURLWithPath: libdir.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).standardizedFileURL.path
        #expect(resolved == moved.appendingPathComponent("lib").standardizedFileURL.path, Comment(rawValue: libdir.text))
        let binary = try InstalledLibrary.buildCppExample(prefix: moved, in: folder)
        let ldd = try Products.run("ldd", [binary.path])
        #expect(ldd.stdout.contains("libstowage.so.0 => \(moved.path)/lib/"), Comment(rawValue: ldd.text))
        let run = try Products.run(binary.path, ["Models/onnx/mobilenet_v2.onnx"])
        #expect(run.status == 0, Comment(rawValue: run.text))
    }
}

/// Where `make test` installed the library, and helpers for the tests above.
enum InstalledLibrary {
    static let prefix: URL? = ProcessInfo.processInfo.environment["STOWAGE_TEST_PREFIX"]
        .flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }

    static let skipReason = "STOWAGE_TEST_PREFIX is not set: `make test` installs libstowage (a release build with the "
        + "Swift runtime linked in) into a temporary prefix and names it there; plain `swift test` does not"

    /// The functions `stowage.h` declares: `name(` after a return type at
    /// the start of a line.
    static func declaredFunctions(in header: URL) throws -> Set<String> {
        let text = try String(contentsOf: header, encoding: .utf8)
        var names = Set<String>()
        for line in text.split(separator: "\n") where !line.hasPrefix(" ") && !line.hasPrefix("#") && !line.hasPrefix("/") {
            guard let open = line.firstIndex(of: "(") else { continue }
            let head = line[..<open]
            guard let name = head.split(whereSeparator: { $0 == " " || $0 == "*" }).last, name.hasPrefix("stowage_") else { continue }
            names.insert(String(name))
        }
        return names
    }

    /// Runs `program` with no signal blocked. The test runner's worker
    /// threads block most signals and a spawned child inherits that mask;
    /// cmake (libuv) then never hears SIGCHLD from its own children and
    /// waits for ever. python3 (a test dependency: `make test-deps`) clears
    /// the mask and execs the program.
    static func runUnblocked(_ program: String, _ arguments: [String]) throws -> Products.Outcome {
        let exec = "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])"
        return try Products.run("python3", ["-c", exec, program] + arguments)
    }

    /// Configures and builds Examples/cpp with CMake against `prefix`;
    /// returns the program.
    static func buildCppExample(prefix: URL, in folder: URL) throws -> URL {
        let build = folder.appendingPathComponent("build-cpp")
        let configure = try runUnblocked("cmake", ["-S", "Examples/cpp", "-B", build.path, "-DCMAKE_BUILD_TYPE=Release",
                                                   "-DCMAKE_PREFIX_PATH=\(prefix.path)"])
        try #require(configure.status == 0, Comment(rawValue: configure.text))
        let make = try runUnblocked("cmake", ["--build", build.path])
        try #require(make.status == 0, Comment(rawValue: make.text))
        return build.appendingPathComponent("plan_model")
    }
}
