import StowageKit

/// A failed C call: the code it returns and the message it hands back.
struct CAPIError: Error {
    /// The values of `stowage_status` in stowage.h.
    enum Code: Int32 {
        case ok = 0
        /// Well-formed request, no usable answer (infeasible, time limit, solver).
        case noAnswer = 1
        /// The caller's JSON, options or arguments are wrong.
        case badInput = 2
        /// A plan or placement failed the independent check: a bug in Stowage.
        case internalError = 3
    }

    var code: Code
    var message: String

    init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: StowageError) {
        switch error {
        case .badInput: code = .badInput
        case .infeasible, .solverFailure: code = .noAnswer
        case .verificationFailed: code = .internalError
        }
        message = error.description
    }
}
