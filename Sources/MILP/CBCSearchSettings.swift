/// Switches for CBC's search, for callers whose models CBC's defaults serve
/// badly; GLPK ignores them. The defaults are CBC's own.
///
/// Why they exist: on Checkmate's stage MILP (tens of thousands of binaries
/// linked by long chains of memory rows) CBC's Cgl preprocessing and root
/// cut rounds took the whole minute without branching once; such a caller
/// turns them off and relies on its own warm start and bounds.
public struct CBCSearchSettings: Sendable, Equatable {
    /// Which cut generators run, and where.
    public enum Cuts: Sendable, Equatable {
        /// CBC's default: its generators at the root and, by their own frequency, in the tree.
        case standard
        /// No cut generation at all.
        case off
        /// Cuts at the root node only.
        case rootOnly

        var driverCode: Int32 {
            switch self {
            case .standard: return 0
            case .off: return 1
            case .rootOnly: return 2
            }
        }
    }

    /// CBC's Cgl preprocessing (probing, clique merging, bound tightening on a copy of the model).
    public var preprocessing: Bool
    public var cuts: Cuts
    /// CBC's primal heuristics (feasibility pump, RINS, diving, ...).
    public var heuristics: Bool
    /// CBC's strong branching: trial solves of candidate branches at a node
    /// until a variable's pseudo-costs are trusted. Off, CBC trusts them
    /// from the start and so (by its 2.10 source) never enters
    /// `CbcNode::chooseDynamicBranch`, which in CBC 2.10.8 can read a
    /// branching candidate it never stored and crash the process (SIGSEGV;
    /// seen on the critical-moment relaxations of the Remat module, which,
    /// like Checkmate's neighbourhood solves, keep strong branching and
    /// avoid the crash's conditions instead, ``avoidingBranchingOverrun()``).
    public var strongBranching: Bool
    /// With strong branching: how many strong branches on a variable before
    /// its pseudo-costs are trusted; nil is CBC's default (10).
    public var pseudoCostTrust: Int?
    /// CBC's own time limit (`-seconds`) besides the driver's deadline,
    /// which stops the search at its next node once the time is up. Off,
    /// CBC never knows of a limit, so its internal checks of one
    /// (`CbcNode::chooseDynamicBranch`'s among them) never fire; the
    /// search may then run past the deadline by one node.
    public var ownTimeLimit: Bool

    public init(preprocessing: Bool = true, cuts: Cuts = .standard, heuristics: Bool = true, strongBranching: Bool = true,
                pseudoCostTrust: Int? = nil, ownTimeLimit: Bool = true) {
        self.preprocessing = preprocessing
        self.cuts = cuts
        self.heuristics = heuristics
        self.strongBranching = strongBranching
        self.pseudoCostTrust = pseudoCostTrust
        self.ownTimeLimit = ownTimeLimit
    }

    /// These settings with strong branching kept but out of reach of the
    /// read past its candidates in CBC 2.10.8's
    /// `CbcNode::chooseDynamicBranch`: by CBC's 2.10 source that overrun
    /// needs pseudo-costs trusted after exactly 10 strong branches (the
    /// default; here 11), and a second read of a slot that may never have
    /// been stored needs CBC's own time limit to be reached (here off: the
    /// driver's deadline stops the search instead). Strong branching off
    /// (``strongBranching``) avoids the function altogether, at the price
    /// of the trial solves, which on small 0-1 programs close many in a
    /// fraction of the time.
    public func avoidingBranchingOverrun() -> CBCSearchSettings {
        var settings = self
        settings.pseudoCostTrust = 11
        settings.ownTimeLimit = false
        return settings
    }
}
