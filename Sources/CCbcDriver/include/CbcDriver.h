// One CBC 2.10 solve behind a plain C interface, for Sources/MILP/CBCSolver.swift.
//
// CBC's own C interface (Cbc_C_Interface.h) cannot be used by a library that
// shares its process: its message callback still prints every message to
// standard output, and the first heuristic sub-search lowers the shared
// handler's log level to 0 for good, so the callback goes silent. Its time
// limit counts CPU seconds unless told otherwise, and its LP relaxation runs
// without any limit. This driver calls the same solver (CbcMain0/CbcMain1 on
// an OsiClpSolverInterface) with a message handler that writes nowhere but
// the line callback, an event handler that reports progress and stops at a
// wall-clock deadline (or a limit on the thread's CPU time), and the LP
// relaxation solved first under that deadline.
#ifndef STOWAGE_CBC_DRIVER_H
#define STOWAGE_CBC_DRIVER_H

#ifdef __cplusplus
extern "C" {
#endif

/// A problem in column-major form; infinite bounds as +-DBL_MAX.
typedef struct {
  int columns;
  int rows;
  const int *columnStarts;    // columns + 1 entries
  const int *rowIndices;      // columnStarts[columns] entries
  const double *values;       // columnStarts[columns] entries
  const double *columnLower;
  const double *columnUpper;
  const double *objective;
  const double *rowLower;
  const double *rowUpper;
  const unsigned char *isInteger;  // one flag per column
  int maximize;
} StowageCbcProblem;

typedef struct {
  double secondsLeft;      // wall-clock seconds for the whole call; < 0: no limit
  double relativeGap;      // stop at this relative gap; < 0: CBC's default
  int logLevel;            // 0 quiet, 1 normal, 2 verbose (node LPs too)
  const double *start;     // a MIP start, one value per column, or NULL
  int strictTolerances;    // 1: integrality and feasibility tolerances of 1e-9
  int preprocess;          // 1: CBC's Cgl preprocessing (its default); 0: off
  int cuts;                // 0: CBC's default cut generation; 1: off; 2: at the root only
  int heuristics;          // 1: CBC's primal heuristics (its default); 0: off
  int strongBranching;     // 1: CBC's strong branching (its default); 0: off, pseudo-costs trusted from the start
  int pseudoCostTrust;     // with strong branching: strong branches before a pseudo-cost is trusted; < 0: CBC's default (10)
  int ownTimeLimit;        // 1: CBC's own time limit (-seconds) as well as the deadline's events; 0: the events only
  double cpuSecondsLeft;   // CPU seconds of the calling thread for the whole call: branch and cut stops at them as at the
                           // deadline (the LP relaxation before it only at the deadline); < 0: no limit
} StowageCbcSettings;

typedef struct {
  void *context;
  /// One log line, without a newline. May be NULL.
  void (*line)(void *context, const char *text);
  /// The top-level search's state after a node or a new incumbent. May be NULL.
  void (*progress)(void *context, int newIncumbent, int hasIncumbent, double incumbent,
                   double bound, double nodes);
} StowageCbcCallbacks;

typedef enum {
  StowageCbcOptimal = 0,
  StowageCbcInfeasible = 1,
  /// The LP relaxation is unbounded (or, for CLP, dual infeasible).
  StowageCbcUnbounded = 2,
  /// A time limit stopped the solve; see hasSolution and hasBound.
  StowageCbcLimit = 3,
  /// CBC or CLP gave up (numerical trouble) or threw; see message.
  StowageCbcFailed = 4,
} StowageCbcStatus;

typedef struct {
  StowageCbcStatus status;
  /// 1 when the answer came from the LP relaxation alone (no branch and cut).
  int relaxationOnly;
  int hasSolution;
  double objective;        // of the solution, as CBC computed it
  int hasBound;
  double bound;            // best proven bound, in the model's sense
  /// 1 when the deadline had passed before CBC returned: claims CBC made
  /// after it (a proof of optimality or infeasibility) are not trusted and
  /// are reported as StowageCbcLimit.
  int deadlinePassed;
  int cbcStatus;
  int cbcSecondaryStatus;
  char message[256];
} StowageCbcOutcome;

/// Solves `problem`; writes `solution` (one value per column) when
/// outcome->hasSolution. Never writes to standard output or standard error,
/// installs no signal handler, and catches every C++ exception.
void stowage_cbc_solve(const StowageCbcProblem *problem, const StowageCbcSettings *settings,
                       StowageCbcCallbacks callbacks, double *solution, StowageCbcOutcome *outcome);

#ifdef __cplusplus
}
#endif

#endif
