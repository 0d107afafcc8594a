// See include/CbcDriver.h for why this driver exists.
#include "CbcDriver.h"

#include "CbcEventHandler.hpp"
#include "CbcModel.hpp"
#include "CbcSolver.hpp"
#include "ClpEventHandler.hpp"
#include "ClpSimplex.hpp"
#include "CoinError.hpp"
#include "CoinMessageHandler.hpp"
#include "OsiClpSolverInterface.hpp"

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <time.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

// CLP and CBC as Debian builds them keep their assert()s, and a failed one calls abort() from inside a
// solve (seen once: ClpNonLinearCost::checkInfeasibilities, on a critical-moment relaxation of
// ResNet-18 with CBC's default cuts and heuristics; either off avoided it). Nothing can be recovered
// from inside the library: while a solve runs, SIGABRT ends the process with one line on standard
// error and Stowage's internal-error status (3) instead of a signal and a stack dump. Only
// async-signal-safe calls in the handler.
class AbortNotice {
public:
  AbortNotice() {
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = onAbort;
    sigemptyset(&action.sa_mask);
    sigaction(SIGABRT, &action, &previous);
  }
  ~AbortNotice() { sigaction(SIGABRT, &previous, nullptr); }
  AbortNotice(const AbortNotice &) = delete;
  AbortNotice &operator=(const AbortNotice &) = delete;

private:
  struct sigaction previous;

  static void onAbort(int) {
    static const char text[] = "stowage: internal error: the CBC/CLP solver library failed one of its own assertions "
                               "(its message is above) and aborted the solve; the command stops here\n";
    ssize_t written = write(STDERR_FILENO, text, sizeof text - 1);
    (void)written;
    _exit(3);
  }
};

double now() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

/// CPU seconds the calling thread has used: CBC runs on it alone (no
/// threads of its own), so this is the solve's work, whatever else the
/// machine runs.
double threadCpuNow() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

/// Values CBC uses for "no solution" / "no bound".
bool meaningful(double value) { return std::isfinite(value) && std::fabs(value) < 1e50; }

/// Hands every message to the line callback and prints nothing.
///
/// CBC passes one handler to its sub-searches (heuristics run small branch
/// and bounds), and they set its log level to 0 when they start. The
/// per-class levels, which those calls do not touch, therefore decide what
/// is printed. The LP iterations of every node are left out below the
/// verbose level.
class LineHandler : public CoinMessageHandler {
public:
  LineHandler(StowageCbcCallbacks callbacks, int level) : callbacks_(callbacks), level_(level) {
    int cbcLevel = level >= 2 ? 3 : level;
    setLogLevel(cbcLevel);
    for (int kind = 0; kind < 4; kind++) setLogLevel(kind, cbcLevel);
  }
  LineHandler(const LineHandler &other)
      : CoinMessageHandler(other), callbacks_(other.callbacks_), level_(other.level_) {}
  CoinMessageHandler *clone() const override { return new LineHandler(*this); }

  int print() override {
    if (level_ <= 0 || !callbacks_.line) return 0;
    const std::string &source = currentSource();
    int number = currentMessage().externalNumber();
    // CLP's messages other than the driver's general ones (1000) come from
    // the LP solves of every node: thousands a second.
    if (level_ < 2 && source == "Clp" && number != 1000) return 0;
    if (number == 1000 || prefix()) {
      callbacks_.line(callbacks_.context, messageBuffer());
    } else {
      char code[48];
      std::snprintf(code, sizeof code, "%s%04d%c ", source.c_str(), number, currentMessage().severity());
      std::string text = std::string(code) + messageBuffer();
      callbacks_.line(callbacks_.context, text.c_str());
    }
    return 0;
  }

private:
  StowageCbcCallbacks callbacks_;
  int level_;
};

/// What the event handlers learn and obey, shared by their clones (CBC and
/// CLP copy event handlers into every model and solver they make).
struct SearchState {
  double deadline = -1;
  /// The thread's CPU time (threadCpuNow) at which the search stops as at the deadline; < 0: none.
  double cpuDeadline = -1;
  /// The clock time (now) before which cpuDeadline cannot have passed, the thread's CPU time growing no
  /// faster than the clock: reading the CPU clock is a system call, and late() runs after every LP iteration.
  mutable double cpuCheckAfter = -1;
  /// 1 to minimise, -1 to maximise: the caller's sense. CBC's preprocessing
  /// may turn a maximisation into a minimisation of the negated objective,
  /// and the events see that model.
  double sense = 1;
  /// Whether LPs stop at the deadline: from the start of branch and cut
  /// until the search ends. Not afterwards: CBC then solves the LP with
  /// the integers fixed to check the best solution, and a stopped LP
  /// would make it discard that solution.
  bool stopLPs = false;
  bool hasBound = false;
  double boundBeforeDeadline = 0;
  /// Whether branch and bound returned, and whether it was late by then.
  bool searchEnded = false;
  bool lateAtSearchEnd = false;

  bool late() const {
    double clock = now();
    return (deadline >= 0 && clock >= deadline) || cpuLate(clock);
  }

  bool cpuLate(double clock) const {
    if (cpuDeadline < 0 || clock < cpuCheckAfter) return false;
    double left = cpuDeadline - threadCpuNow();
    if (left <= 0) return true;
    cpuCheckAfter = clock + left;
    return false;
  }

  void endSearch() {
    if (searchEnded) return;
    searchEnded = true;
    lateAtSearchEnd = late();
    stopLPs = false;
  }
};

/// The search CbcMain1 runs on this thread; its callback has no context
/// argument (and CBC runs one search at a time per process anyway).
thread_local SearchState *currentSearch = nullptr;

/// CbcMain1's hook: whereFrom 4 is "just after branch and bound, before
/// postprocessing"; a fallback for the endSearch event.
int afterSearchHook(CbcModel *, int whereFrom) {
  if (whereFrom >= 4 && currentSearch != nullptr) currentSearch->endSearch();
  return 0;
}

/// Stops every LP iteration loop once the deadline has passed (CLP checks
/// its own time limit too rarely: one feasibility-pump LP on a large model
/// ran 38 s past a 60 s limit).
class DeadlineLPEvents : public ClpEventHandler {
public:
  explicit DeadlineLPEvents(SearchState *state) : state_(state) {}
  DeadlineLPEvents(const DeadlineLPEvents &other) : ClpEventHandler(other), state_(other.state_) {}
  ClpEventHandler *clone() const override { return new DeadlineLPEvents(*this); }
  int event(Event which) override {
    if (which == endOfIteration && state_->stopLPs && state_->late()) return 0;
    return -1;
  }

private:
  SearchState *state_;
};

/// Reports the top-level search's progress and stops it at the deadline.
class DeadlineEvents : public CbcEventHandler {
public:
  DeadlineEvents(StowageCbcCallbacks callbacks, SearchState *state) : callbacks_(callbacks), state_(state) {}
  DeadlineEvents(const DeadlineEvents &other)
      : CbcEventHandler(other), callbacks_(other.callbacks_), state_(other.state_) {}
  CbcEventHandler *clone() const override { return new DeadlineEvents(*this); }

  CbcAction event(CbcEvent which) override { return event(which, nullptr); }

  CbcAction event(CbcEvent which, void *) override {
    bool late = state_->late();
    bool topLevel = model_ != nullptr && model_->parentModel() == nullptr;
    if (which == endSearch && topLevel) state_->endSearch();
    bool reportable = which == node || which == treeStatus || which == solution || which == heuristicSolution;
    if (topLevel && reportable) {
      double flip = model_->solver()->getObjSense() == state_->sense ? 1.0 : -1.0;
      double bound = flip * model_->getBestPossibleObjValue();
      if (!late && meaningful(bound)) {
        state_->hasBound = true;
        state_->boundBeforeDeadline = bound;
      }
      if (callbacks_.progress) {
        bool hasIncumbent = model_->bestSolution() != nullptr && meaningful(model_->getObjValue());
        callbacks_.progress(callbacks_.context, which == solution || which == heuristicSolution, hasIncumbent,
                            hasIncumbent ? flip * model_->getObjValue() : 0, bound, double(model_->getNodeCount()));
      }
    }
    if (!late) return noAction;
    switch (which) {
    case node:
    case treeStatus:
      return stop;
    case smallBranchAndBound:
      return killSolution; // skip a heuristic's sub-search once time is up
    default:
      return noAction;
    }
  }

private:
  StowageCbcCallbacks callbacks_;
  SearchState *state_;
};

void setMessage(StowageCbcOutcome *outcome, const std::string &text) {
  std::snprintf(outcome->message, sizeof outcome->message, "%s", text.c_str());
}

/// The LP relaxation under the deadline; fills `outcome` and returns true
/// when it decides the answer (an LP, or a relaxation that is not optimal).
bool solveRelaxation(OsiClpSolverInterface &solver, bool integer, double deadline, double *solution,
                     StowageCbcOutcome *outcome) {
  ClpSimplex *clp = solver.getModelPtr();
  if (deadline >= 0) clp->setMaximumWallSeconds(std::max(0.001, deadline - now()));
  solver.initialSolve();
  int status = clp->status();
  outcome->cbcStatus = status;
  outcome->cbcSecondaryStatus = clp->secondaryStatus();
  if (status == 0 && solver.isProvenOptimal()) {
    outcome->hasBound = 1;
    outcome->bound = solver.getObjValue();
    if (integer) return false;
    outcome->status = StowageCbcOptimal;
    outcome->hasSolution = 1;
    outcome->objective = solver.getObjValue();
    std::memcpy(solution, solver.getColSolution(), sizeof(double) * size_t(solver.getNumCols()));
    outcome->relaxationOnly = 1;
    return true;
  }
  outcome->relaxationOnly = 1;
  switch (status) {
  case 1:
    outcome->status = StowageCbcInfeasible;
    break;
  case 2:
    outcome->status = StowageCbcUnbounded;
    break;
  case 3:
    outcome->status = StowageCbcLimit;
    setMessage(outcome, "time limit reached in the LP relaxation");
    break;
  default:
    outcome->status = StowageCbcFailed;
    setMessage(outcome, "CLP stopped on the LP relaxation with status " + std::to_string(status) +
                            ", secondary " + std::to_string(clp->secondaryStatus()));
  }
  return true;
}

void branchAndCut(OsiClpSolverInterface &solver, const StowageCbcProblem *problem, const StowageCbcSettings *settings,
                  LineHandler &handler, StowageCbcCallbacks callbacks, double deadline, double cpuDeadline,
                  double *solution, StowageCbcOutcome *outcome) {
  SearchState state;
  state.deadline = deadline;
  state.cpuDeadline = cpuDeadline;
  state.stopLPs = deadline >= 0 || state.cpuDeadline >= 0;
  state.sense = problem->maximize ? -1.0 : 1.0;
  currentSearch = &state;
  struct Reset {
    ~Reset() { currentSearch = nullptr; }
  } reset;
  // Every LP solved from here on (CbcModel clones this solver and its event
  // handler) stops at the deadline, so a long feasibility-pump pass or cut
  // round cannot run past it.
  solver.getModelPtr()->setMaximumWallSeconds(-1.0);
  DeadlineLPEvents lpEvents(&state);
  solver.getModelPtr()->passInEventHandler(&lpEvents);
  CbcModel model(solver);
  CbcSolverUsefulData data;
  data.noPrinting_ = settings->logLevel <= 0;
  data.useSignalHandler_ = false;
  CbcMain0(model, data);
  model.passInMessageHandler(&handler);
  DeadlineEvents events(callbacks, &state);
  model.passInEventHandler(&events);
  if (settings->start) {
    std::vector<std::pair<std::string, double>> start;
    start.reserve(size_t(problem->columns));
    for (int j = 0; j < problem->columns; j++) start.emplace_back(model.solver()->getColName(j), settings->start[j]);
    model.setMIPStart(start);
  }
  char number[64];
  std::vector<std::string> arguments = {"stowage", "-log", std::to_string(settings->logLevel >= 2 ? 3 : settings->logLevel),
                                        // Wall-clock seconds, not CPU seconds (the default), which run slower
                                        // than the clock on a busy machine.
                                        "-timeMode", "elapsed",
                                        // The relaxation is solved already: keep its basis.
                                        "-presolve", "off"};
  if (deadline >= 0 && settings->ownTimeLimit != 0) {
    std::snprintf(number, sizeof number, "%.3f", std::max(0.01, deadline - now()));
    arguments.insert(arguments.end(), {"-seconds", number});
  }
  if (settings->relativeGap >= 0) {
    std::snprintf(number, sizeof number, "%.17g", settings->relativeGap);
    arguments.insert(arguments.end(), {"-ratioGap", number});
  }
  if (settings->strictTolerances) {
    arguments.insert(arguments.end(), {"-integerTolerance", "1e-9", "-primalTolerance", "1e-9"});
  }
  if (settings->preprocess == 0) arguments.insert(arguments.end(), {"-preprocess", "off"});
  if (settings->cuts == 1) arguments.insert(arguments.end(), {"-cutsOnOff", "off"});
  if (settings->cuts == 2) arguments.insert(arguments.end(), {"-cutsOnOff", "root"});
  if (settings->heuristics == 0) arguments.insert(arguments.end(), {"-heuristicsOnOff", "off"});
  // With pseudo-costs trusted from the start, CBC (by its 2.10 source) branches through CbcNode::chooseBranch
  // and never enters CbcNode::chooseDynamicBranch (see CBCSearchSettings.strongBranching).
  if (settings->strongBranching == 0) arguments.insert(arguments.end(), {"-strongBranching", "0", "-trustPseudoCosts", "0"});
  if (settings->strongBranching != 0 && settings->pseudoCostTrust >= 0)
    arguments.insert(arguments.end(), {"-trustPseudoCosts", std::to_string(settings->pseudoCostTrust)});
  arguments.insert(arguments.end(), {"-solve", "-quit"});
  std::vector<const char *> argv;
  for (const std::string &argument : arguments) argv.push_back(argument.c_str());
  CbcMain1(int(argv.size()), argv.data(), model, afterSearchHook, data);

  outcome->relaxationOnly = 0;
  outcome->deadlinePassed = state.searchEnded ? state.lateAtSearchEnd : state.late();
  outcome->cbcStatus = model.status();
  outcome->cbcSecondaryStatus = model.secondaryStatus();
  const double *best = model.bestSolution();
  if (best != nullptr && meaningful(model.getObjValue())) {
    outcome->hasSolution = 1;
    outcome->objective = model.getObjValue();
    std::memcpy(solution, best, sizeof(double) * size_t(problem->columns));
  }
  // Bounds: the relaxation's (already in outcome), then what the search had
  // proved before the deadline; CBC's final figure only if it finished in time.
  double finalBound = model.getBestPossibleObjValue();
  bool minimize = !problem->maximize;
  auto tighten = [&](double bound) {
    if (!meaningful(bound)) return;
    if (!outcome->hasBound) {
      outcome->hasBound = 1;
      outcome->bound = bound;
    } else {
      outcome->bound = minimize ? std::max(outcome->bound, bound) : std::min(outcome->bound, bound);
    }
  };
  if (state.hasBound) tighten(state.boundBeforeDeadline);
  if (!outcome->deadlinePassed) tighten(finalBound);

  if (outcome->deadlinePassed) {
    // LPs stopped at the deadline may have made CBC prune, give up or
    // conclude anything; only the incumbent and the earlier bounds stand.
    outcome->status = StowageCbcLimit;
    setMessage(outcome, "time limit reached");
  } else if (model.isAbandoned()) {
    outcome->status = StowageCbcFailed;
    setMessage(outcome, "CBC abandoned the search (numerical difficulties)");
  } else if (model.isProvenOptimal() && outcome->hasSolution) {
    outcome->status = StowageCbcOptimal;
  } else if (model.isProvenInfeasible()) {
    outcome->status = StowageCbcInfeasible;
  } else if (model.isContinuousUnbounded() || model.secondaryStatus() == 7) {
    outcome->status = StowageCbcUnbounded;
  } else if (model.status() == 1) {
    outcome->status = StowageCbcLimit;
    setMessage(outcome, "time limit reached");
  } else {
    outcome->status = StowageCbcFailed;
    setMessage(outcome, "CBC ended with status " + std::to_string(model.status()) + ", secondary " +
                            std::to_string(model.secondaryStatus()));
  }
}

} // namespace

extern "C" void stowage_cbc_solve(const StowageCbcProblem *problem, const StowageCbcSettings *settings,
                                  StowageCbcCallbacks callbacks, double *solution, StowageCbcOutcome *outcome) {
  std::memset(outcome, 0, sizeof *outcome);
  double deadline = settings->secondsLeft >= 0 ? now() + settings->secondsLeft : -1;
  double cpuDeadline = settings->cpuSecondsLeft >= 0 ? threadCpuNow() + settings->cpuSecondsLeft : -1;
  AbortNotice notice;
  try {
    // Declared first, destroyed last: the solver and the models point to it.
    LineHandler handler(callbacks, settings->logLevel);
    OsiClpSolverInterface solver;
    solver.passInMessageHandler(&handler);
    solver.getModelPtr()->passInMessageHandler(&handler);
    solver.loadProblem(problem->columns, problem->rows, problem->columnStarts, problem->rowIndices, problem->values,
                       problem->columnLower, problem->columnUpper, problem->objective, problem->rowLower,
                       problem->rowUpper);
    solver.setObjSense(problem->maximize ? -1.0 : 1.0);
    bool integer = false;
    for (int j = 0; j < problem->columns; j++) {
      if (problem->isInteger[j]) {
        solver.setInteger(j);
        integer = true;
      }
    }
    if (solveRelaxation(solver, integer, deadline, solution, outcome)) return;
    branchAndCut(solver, problem, settings, handler, callbacks, deadline, cpuDeadline, solution, outcome);
  } catch (const CoinError &error) {
    outcome->status = StowageCbcFailed;
    outcome->hasSolution = 0;
    setMessage(outcome, "CBC error in " + error.className() + "::" + error.methodName() + ": " + error.message());
  } catch (const std::bad_alloc &) {
    outcome->status = StowageCbcFailed;
    outcome->hasSolution = 0;
    setMessage(outcome, "CBC ran out of memory");
  } catch (const std::exception &error) {
    outcome->status = StowageCbcFailed;
    outcome->hasSolution = 0;
    setMessage(outcome, std::string("CBC error: ") + error.what());
  } catch (...) {
    outcome->status = StowageCbcFailed;
    outcome->hasSolution = 0;
    setMessage(outcome, "CBC threw an unknown exception");
  }
}
