import Foundation

/// Runs the built `stowage` executable as a user would, capturing its
/// output and exit status.
struct CommandRunner {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Killed by a signal (a crash, or the timeout): `status` is the signal.
        var signaled = false
    }

    /// The `stowage` binary next to the test bundle (both live in the build
    /// products folder).
    static let executable: URL? = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0 ..< 4 {
            let candidate = folder.appendingPathComponent("stowage")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        return nil
    }()

    /// Runs `stowage` with `arguments`, adding `environment` to this process's.
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double? = nil) throws -> Outcome {
        guard let executable else { throw CocoaError(.fileNoSuchFile) }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let timeout {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak process] in
                if process?.isRunning == true { kill(pid, SIGKILL) }
            }
        }
        // Read both pipes to the end before waiting, so a full pipe never blocks.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self),
                       signaled: process.terminationReason == .uncaughtSignal)
    }

    /// The repository root (for bundled examples).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
