import Foundation
import OutputFiles
import Testing

/// Outputs replace only the named regular file, atomically, and refuse
/// everything else before anything is written.
@Suite struct OutputFileTests {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "stowage-output-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    private func cleanUp() { try? FileManager.default.removeItem(atPath: folder) }

    @Test func writesANewFileAndReplacesAnOldOneKeepingItsPermissions() throws {
        defer { cleanUp() }
        let path = folder + "/plan.json"
        try OutputFile.write("first", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first")
        chmod(path, 0o600)
        try OutputFile.write("second", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["plan.json"])
    }

    @Test func aFolderIsRefusedAndKept() throws {
        defer { cleanUp() }
        let inner = folder + "/keep"
        try FileManager.default.createDirectory(atPath: inner, withIntermediateDirectories: true)
        try "precious".write(toFile: inner + "/file", atomically: false, encoding: .utf8)
        #expect(throws: OutputFile.Error.self) { try OutputFile.check(inner) }
        do {
            try OutputFile.write("x", to: inner)
            Issue.record("a folder was written over")
        } catch {
            #expect(error.reason.contains("folder"))
        }
        #expect(try String(contentsOfFile: inner + "/file", encoding: .utf8) == "precious")
    }

    @Test func devicesAreRefusedAndKept() throws {
        for device in ["/dev/null", "/dev/full"] where FileManager.default.fileExists(atPath: device) {
            do {
                try OutputFile.write("x", to: device)
                Issue.record("\(device) was accepted")
            } catch {
                #expect(error.reason.contains("device"))
            }
            var info = stat()
            #expect(stat(device, &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
        }
    }

    @Test func aMissingFolderIsRefused() throws {
        defer { cleanUp() }
        #expect(throws: OutputFile.Error.self) { try OutputFile.check(folder + "/no/such/plan.json") }
        #expect(throws: OutputFile.Error.self) { try OutputFile.check(folder + "/") }
        #expect(throws: OutputFile.Error.self) { try OutputFile.check("") }
    }

    @Test func aSymbolicLinkKeepsPointingAtTheReplacedFile() throws {
        defer { cleanUp() }
        let target = folder + "/real.json"
        let link = folder + "/link.json"
        try "old".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try OutputFile.write("new", to: link)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
    }

    @Test func anUnwritableFolderIsRefusedUnlessRoot() throws {
        defer { chmod(folder, 0o755); cleanUp() }
        guard getuid() != 0 else { return } // root writes anywhere; nothing to refuse
        chmod(folder, 0o500)
        #expect(throws: OutputFile.Error.self) { try OutputFile.check(folder + "/plan.json") }
    }
}
