/// Rematerialisation: what to keep, recompute (and where) so that a
/// training graph runs in a memory budget at the least extra compute.
///
/// ## The memory model
///
/// A *schedule* is a sequence of operator executions; an operator may run
/// more than once (a recomputation gives the same bytes as the first
/// computation). Memory is one device memory of ``RematProblem/budget``
/// bytes for activations:
///
/// 1. Graph inputs and weights (parameters) are resident throughout and
///    counted apart: they are not in the budget.
/// 2. When an operator runs, the tensors it reads and the tensors it writes
///    are resident: its outputs are allocated before it runs, and an input
///    that is not resident must first be made resident again, by running
///    its producer again (or by loading it back from host memory, when
///    spills are allowed).
/// 3. A tensor stays resident from its computation until the schedule frees
///    it; frees are free of cost and may follow any execution.
/// 4. The memory in use while an operator runs is the sum of the bytes of
///    the resident activations (its inputs and outputs included). The
///    *peak* is the largest such sum over the schedule; a schedule fits the
///    budget when its peak is at most the budget.
/// 5. Every operator runs at least once, and every graph output (the
///    gradients, the loss) is resident at the end.
/// 6. The compute cost of a schedule is the sum of the costs of its
///    executions (``MemoryGraph/Operator/executionCost``); the *base cost*
///    is one execution of every operator (one forward and one backward
///    pass), and the *overhead* is cost / base cost − 1.
/// 7. Spills (when ``RematProblem/spill`` prices them): a value on the
///    device may be *stored* to host memory at any point after it is made,
///    and a stored value *loaded* back into device memory before a later
///    read. A value being stored or loaded is resident on the device during
///    the copy (a load allocates it first); host memory is unbounded; a
///    load needs a store since the value was last computed (a recomputation
///    makes the host copy stale, as in every Stowage plan). A copy costs
///    bytes / link bandwidth in the unit of operator costs
///    (``SpillCosts``), and copies do not overlap compute: their cost adds
///    to the schedule's, and the overhead counts it.
///
/// Given the sequence of executions, the earliest frees are the best ones:
/// each computation of a tensor is freed right after its last read before
/// the tensor's next computation (or right after it is made, if nothing
/// reads it), except that the last computation of a graph output stays to
/// the end. ``RematEvaluation`` applies that rule, and every planner here
/// emits its schedule through it; the plan (``RematPlanAssembly``) then
/// carries the allocations and frees explicitly, and the verifier replays
/// them by the same rules, written down a second time in the Verifier
/// module (and a third time, as an exhaustive search over schedules, in the
/// tests).
///
/// ## Methods
///
/// - ``KeepAllPlanner``: the given order, every operator once (the peak it
///   reaches defines the budget fractions, `0.7` = 70 % of it).
/// - ``ChenPlanner``: Chen et al.'s checkpoints, every √n-th forward value
///   or by a segment budget (the greedy variant), segments recomputed on
///   demand in the backward pass.
/// - ``TorchKnapsackPlanner``: PyTorch's `activation_memory_budget`: save a
///   subset of the values the backward pass reads, chosen by a 0-1
///   knapsack on sizes with compute as the value, recompute the rest;
///   evaluated here with the true memory model.
/// - ``GreedyEvictionPlanner``: online eviction in the given order (the
///   resident value of smallest cost / (bytes × staleness) first),
///   recomputation on demand (DTR).
/// - ``SlotILP``: the exact method for small graphs: a MILP over every
///   schedule of at most `cap` executions per operator, in any order
///   (with spills, store and load variables beside keep and recompute).
/// - ``CheckmateMILP``: Checkmate's MILP over stage schedules in the given
///   order (``CheckmateFormulation``), warm-started from the heuristics and,
///   with a time limit, first improved by ``CheckmateLNS`` (the MILP of one
///   window of positions or stages at a time, the rest fixed); its bound
///   covers every stage schedule (it has no spills).
/// - ``LPRounding``: that MILP's LP relaxation (a bound over stage
///   schedules) rounded at thresholds and repaired to fit.
/// - ``StageKnapsackBound``: a bound over stage schedules from one stage's
///   0-1 knapsack at a time, with the integrality the LP relaxation loses;
///   the MILP methods report the larger of it and their own.
/// - ``StageCoverBound`` and ``CriticalMomentBound``: stronger bounds over
///   stage schedules, a covering MILP of the stage rows, and a relaxation
///   over the moments a few critical operators run (what is resident then,
///   what must be remade between them), at the stages that prove most alone
///   and together and at those of largest deficit; their solutions, read as
///   schedules, start the search.
/// - ``GriewankPlanner``: Griewank's revolve (``Revolve``) on a forward
///   chain mirrored by its backward chain; other graphs are refused.
/// - The greedy eviction also spills when that is cheaper than
///   recomputing; the other heuristics never spill.
///
/// Not here yet (issue 16): a bound that closes the gap on every bundled
/// graph up to 200 operators in a minute (decomposition at the points
/// every path crosses, cuts linking the stage knapsacks to recomputation
/// chains), and spills in Checkmate's formulation.
public enum Remat {}
