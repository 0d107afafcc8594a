import Foundation
import MILP

// A host program that prints on its own standard output while the MILP
// library solves on another thread, for MILPTests/StandardOutputTests.
//
//     MILPStdoutProbe SECONDS MODEL...
//
// A printer thread writes "host 1", "host 2", ... on standard output until
// every MODEL has been solved with CBC and GLPK (log and progress on, a time
// limit of SECONDS each), then "host end N" with N the count. Solver logs
// and progress belong on standard error; "during-solves K" there says how
// many host lines were printed while the solvers ran.

let arguments = CommandLine.arguments.dropFirst()
guard let seconds = arguments.first.flatMap(Double.init), seconds > 0, arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: MILPStdoutProbe SECONDS MODEL...\n".utf8))
    exit(2)
}
let models: [Model]
do {
    models = try arguments.dropFirst().map { path throws(ModelFileError) in try Model(contentsOf: path) }
} catch {
    FileHandle.standardError.write(Data("\(error.description)\n".utf8))
    exit(2)
}

final class Printer: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private(set) var count = 0
    private let finished = DispatchSemaphore(value: 0)

    func run() {
        Thread.detachNewThread { [self] in
            while !lock.withLock({ stopped }) {
                let next = lock.withLock { count += 1; return count }
                print("host \(next)")
                fflush(nil)
                usleep(200)
            }
            finished.signal()
        }
    }

    var printed: Int { lock.withLock { count } }

    func stop() -> Int {
        lock.withLock { stopped = true }
        finished.wait()
        return printed
    }
}

let printer = Printer()
printer.run()
usleep(20_000)
let before = printer.printed
var options = SolveOptions(timeLimit: seconds, logLevel: .normal)
options.progressInterval = 0.1
options.progress = { progress in
    FileHandle.standardError.write(Data("progress \(progress.elapsed) incumbent \(progress.incumbent ?? .nan) bound \(progress.bound ?? .nan)\n".utf8))
}
for model in models {
    for solver in [CBCSolver() as any Solver, GLPKSolver()] {
        let result = solver.solve(model, options: options)
        FileHandle.standardError.write(Data("result \(solver.name) \(model.name) \(result.status) \(result.objective ?? .nan)\n".utf8))
    }
}
let during = printer.printed - before
let total = printer.stop()
print("host end \(total)")
FileHandle.standardError.write(Data("during-solves \(during)\n".utf8))
