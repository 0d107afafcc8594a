import Foundation
import Testing
@testable import MILP

@Suite struct ProcessAgeTests {
    @Test("the start time is field 22, counted after the command name's last parenthesis")
    func readsTheStartFieldPastAnAwkwardCommandName() {
        // Fields 3...22 after a name holding spaces and parentheses; field 22 is 4242.
        let rest = (3 ... 21).map { String($0) }.joined(separator: " ") + " 4242 23 24"
        #expect(ProcessAge.startTicks(stat: "77 (a) b (c)) " + rest) == 4242)
        #expect(ProcessAge.startTicks(stat: "77 (plain) " + rest) == 4242)
        #expect(ProcessAge.startTicks(stat: "77 (short) 3 4 5") == nil)
        #expect(ProcessAge.startTicks(stat: "no parenthesis") == nil)
    }

    @Test("this process's age is known on Linux, grows with the wall clock, and is taken off a command's limit")
    func ageGrowsAndShortensTheLimit() throws {
        #if os(Linux)
        let first = try #require(ProcessAge.seconds)
        #expect(first >= 0)
        Thread.sleep(forTimeInterval: 0.05)
        let second = try #require(ProcessAge.seconds)
        #expect(second >= first + 0.02, "ages \(first) then \(second) around a 50 ms sleep")
        let limit = try #require(ProcessAge.remaining(of: first + 1000))
        #expect(limit <= 1000 && limit > 900)
        #endif
        #expect(ProcessAge.remaining(of: nil) == nil)
        #expect(ProcessAge.remaining(of: 1e-9) == 1e-6, "a spent limit stays a valid, already passed one")
        #expect(ProcessAge.remaining(of: -1) == -1, "an invalid limit is left for the option's check")
        #expect(ProcessAge.remaining(of: 0) == 0)
        #expect(ProcessAge.remaining(of: .nan)?.isNaN == true)
        #expect(ProcessAge.remaining(of: .infinity) == .infinity)
    }
}
