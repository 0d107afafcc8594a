/*
 * stowage.h: the C API of Stowage, a tensor memory planner.
 *
 * For compilers written in C or C++ (MLIR, TVM or XLA-style passes) and for
 * any language with a C FFI (Python ctypes, Rust, Go). Installed with
 * `make install PREFIX=/usr/local` (Linux): lib/libstowage.so.0 (only the
 * stowage_* functions exported, the Swift runtime linked in), this header,
 * lib/pkgconfig/stowage.pc and lib/cmake/Stowage (find_package(Stowage)
 * gives the imported target Stowage::stowage):
 *
 *     cc pass.c $(pkg-config --cflags --libs stowage)
 *
 * In a checkout, the package's own dynamic library works too (it needs the
 * Swift runtime of the toolchain that built it):
 *
 *     swift build -c release --product StowageC
 *     cc pass.c -I include -L .build/release -lStowageC -Wl,-rpath,.build/release
 *
 * Everything crosses the boundary as JSON text (UTF-8, NUL-terminated):
 *
 *   graph    Stowage's JSON graph format (Schemas/graph.schema.json), e.g.
 *              {"name": "chain",
 *               "tensors": [{"name": "x", "kind": "input", "bytes": 4096},
 *                           {"name": "w", "kind": "weight", "bytes": 65536},
 *                           {"name": "y", "bytes": 4096}],
 *               "operators": [{"name": "fc", "type": "MatMul",
 *                              "inputs": ["x", "w"], "outputs": ["y"]}],
 *               "outputs": ["y"]}
 *   plan     Stowage's plan format (Schemas/plan.schema.json): tiers, one
 *            step per operator with the allocate / copy / free actions to run
 *            before and after it, claimed metrics, and "residencies": every
 *            stay of every tensor in every tier ({"tensor", "tier",
 *            "offset", "firstStep", "lastStep", "loaded", "stored"}), so a
 *            code generator reads where each tensor lives when without
 *            replaying the actions. The same file `stowage plan -o` writes
 *            and `stowage verify` / `render` read.
 *
 * Every plan and placement handed back has been checked by Stowage's
 * independent verifier (plans are replayed step by step; offsets are
 * checked pairwise) before the call returns.
 *
 * Ownership: a function that returns a string through a `char **` out
 * parameter allocates it; release it with stowage_free(). On success
 * `*out` is set and `*error` is NULL; on failure `*out` is NULL and
 * `*error` (when `error` is not NULL) holds one line saying what was wrong
 * and where ("graph_json: line 4: tensor 'y': ...", "options: capacity:
 * ..."). Input strings are only read, never kept.
 *
 * Errors never crash the caller: NULL arguments, malformed JSON, unknown
 * option keys, impossible capacities all return a non-zero status.
 *
 * Threads: every function may be called from several threads at once. CBC
 * solves are serialised inside the library (CBC 2.10 is not thread-safe);
 * GLPK solves run in parallel.
 */
#ifndef STOWAGE_H
#define STOWAGE_H

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this header; stowage_version() says which library was
 * loaded (the same string when they match). For compile-time checks:
 *     #if STOWAGE_VERSION >= STOWAGE_MAKE_VERSION(0, 2, 0)
 * The library's SONAME is libstowage.so.<major>. */
#define STOWAGE_VERSION_MAJOR 0
#define STOWAGE_VERSION_MINOR 1
#define STOWAGE_VERSION_PATCH 0
#define STOWAGE_VERSION_STRING "0.1.0"
#define STOWAGE_MAKE_VERSION(major, minor, patch) ((major) * 1000000L + (minor) * 1000L + (patch))
#define STOWAGE_VERSION \
    STOWAGE_MAKE_VERSION(STOWAGE_VERSION_MAJOR, STOWAGE_VERSION_MINOR, STOWAGE_VERSION_PATCH)

/* Return codes of every int-returning function (the CLI's exit codes, plus
 * one for Stowage's own bugs). */
enum stowage_status {
    STOWAGE_OK = 0,
    /* The request was well formed but has no usable answer: the capacity is
     * below what one operator needs, the buffers provably do not fit, or the
     * solver found nothing within the time limit. */
    STOWAGE_NO_ANSWER = 1,
    /* The caller's input is wrong: NULL argument, malformed JSON, invalid
     * graph, unknown or out-of-range option. *error names the place. */
    STOWAGE_BAD_INPUT = 2,
    /* A bug in Stowage, never the caller's input: a planner produced a plan
     * that failed verification (the plan is not handed back). */
    STOWAGE_INTERNAL_ERROR = 3
};

/* The library's version, e.g. "0.1.0". Static: do not free. */
const char *stowage_version(void);

/*
 * Plans a graph through a scratchpad, in the graph's operator order.
 *
 * graph_json    a graph in Stowage's JSON graph format.
 * options_json  an object with the `stowage plan` options, in camelCase:
 *     "scratchpad"  required: bytes (1048576), a size ("2MiB", "1.5GB": plain
 *                   integers are bytes, kB/MB/GB/TB powers of 10, KiB/MiB/
 *                   GiB/TiB powers of 2), or a budget of the graph: "M_R"
 *                   (the largest operator's footprint), "M_P" (nothing
 *                   spills in this order), "M_H" (halfway)
 *     "method"      "baseline" (the default) or "ilp" (optimal replacement,
 *                   with a lower bound)
 *     "policy"      baseline only: "belady" (default) or "lru"
 *     "schedule"    ilp only: "fixed" (the graph's order, default) or "free"
 *                   (the order is chosen too)
 *     "solver"      ilp only: "cbc" (default) or "glpk"
 *     "timeLimit"   wall-clock seconds for the whole call; the best
 *                   verified plan found is returned
 *     "gap"         ilp only: stop at this relative gap (0.01 = 1 %)
 *     "dtypeBytes"  count every floating-point element as this many bytes
 *     "alignment"   scratchpad offsets are multiples of this (default 1)
 *     "dims"        values of symbolic dimensions: {"batch": 1}
 *     "unknownSizes" "error" (default: tensors of unknown size are bad
 *                   input) or "zero" (plan them as 0 bytes)
 *   "capacity" and "symbols" are accepted as older names of "scratchpad"
 *   and "dims". Unknown keys, and options the method would ignore ("policy"
 *   with "ilp", "solver" with "baseline"), are errors.
 * plan_json     receives the plan (free with stowage_free).
 * error         receives the error message on failure (free with
 *               stowage_free); may be NULL.
 *
 * Returns a stowage_status.
 */
int stowage_plan(const char *graph_json, const char *options_json, char **plan_json, char **error);

/*
 * As stowage_plan, for a model file: ONNX (.onnx) or a JSON graph (.json).
 */
int stowage_plan_file(const char *model_path, const char *options_json, char **plan_json, char **error);

/*
 * Rematerialisation of a training graph: what to keep and what to recompute
 * so that its activations fit a budget, at the least extra compute the
 * method finds (the `stowage remat` command). Graph inputs and weights are
 * resident throughout and outside the budget; operators carry "cost" (1
 * each when absent) and "phase" ("forward" / "backward") in the graph.
 *
 * graph_json    a graph in Stowage's JSON graph format.
 * options_json  an object with the `stowage remat` options, in camelCase:
 *     "budget"      required: bytes (1500000000), a size ("1.5GB", "2GiB"),
 *                   a fraction of the peak of keeping everything (0.7,
 *                   or "0.7"), or "min" (the smallest budget the method
 *                   plans in, by bisection)
 *     "method"      "auto" (default: the heuristics, then an exact MILP
 *                   when the graph is small enough), "exact", "checkmate",
 *                   "lp", "chen", "torch-knapsack", "greedy", "griewank"
 *                   (forward chains mirrored by their backward chain
 *                   only), "keep-all"
 *     "spill"       true: values may be stored to host memory and loaded
 *                   back (auto, exact, greedy); needs "hardware"
 *     "hardware"    a hardware profile (file or built-in name) whose host
 *                   link prices the copies (bytes / bandwidth, no overlap)
 *     "costUnit"    the unit of operator costs: "s", "ms", "us" (default),
 *                   "ns"
 *     "solver"      auto, exact, checkmate and lp only: "cbc" (default)
 *                   or "glpk"
 *     "timeLimit"   wall-clock seconds for the whole call
 *     "gap"         auto, exact and checkmate only: stop at this relative
 *                   gap
 *     "dims"        values of symbolic dimensions: {"batch": 8}
 *     "unknownSizes" "error" (default) or "zero"
 *     "report"      true: plan_json receives {"report": {...}, "plan": {...}},
 *                   the report of `stowage remat --json` (budgetBytes,
 *                   keepAllPeakBytes, peakBytes, baseCost, computeCost,
 *                   overhead, boundScope, recomputations, method, seconds)
 *                   beside the plan
 * plan_json     receives the plan: one tier "device" (compute and home
 *               tier, capacity the budget); steps may run an operator more
 *               than once; "recompute": {"computeCost": ...} is the sum of
 *               the costs of the steps; metrics.bound, when present, is a
 *               lower bound on that cost (plus "transferCost" with spills,
 *               whose copies use a second tier "host").
 * error         as for stowage_plan; below the smallest budget that can be
 *               proven necessary, STOWAGE_NO_ANSWER and a message naming it.
 *
 * Returns a stowage_status.
 */
int stowage_remat(const char *graph_json, const char *options_json, char **plan_json, char **error);

/*
 * Fixed-lifetime offset allocation: gives every buffer an offset so that
 * buffers alive at the same time never overlap.
 *
 * buffers_json  an array (or {"buffers": [...]}) of
 *                 {"id": "a", "lower": 0, "upper": 3, "size": 1024,
 *                  "alignment": 64, "offset": 0}
 *               lifetimes are half-open, [lower, upper); "alignment" and a
 *               fixed "offset" are optional; "id" is a string or integer.
 * options_json  NULL, or an object, every key optional:
 *     "capacity"               bytes; without it the height is minimised
 *     "method"                 "auto" (default), "greedy", "search", "ilp"
 *     "solver"                 "cbc" (default) or "glpk", for "ilp"
 *     "timeLimit"              seconds after the heuristics (default 10)
 *     "minimizeBelowCapacity"  keep lowering the height after a fit
 * result_json   receives
 *                 {"offsets": [0, 1024, ...], "height": 2048,
 *                  "lowerBound": 2048, "optimal": true, "gap": 0,
 *                  "method": "...", "seconds": 0.001}
 *               with one offset per buffer, in the order given.
 * error         as for stowage_plan.
 *
 * Returns a stowage_status.
 */
int stowage_allocate(const char *buffers_json, const char *options_json, char **result_json, char **error);

/*
 * The smallest arena a graph can run in: chooses the operator order and an
 * offset for every tensor (operator outputs live from their producer to
 * their last reader, graph outputs to the end; graph inputs and weights
 * are the caller's), with a lower bound that holds for every order.
 *
 * graph_json    a graph in Stowage's JSON graph format.
 * options_json  NULL, or an object, every key optional:
 *     "method"      "auto" (default), "dp" (exact search over down-sets),
 *                   "ilp" (order ILP; joint order-and-address ILP when
 *                   small), "heuristic" (best of the given order, an
 *                   XLA-like and an Inductor-like order)
 *     "solver"      "cbc" (default) or "glpk", for the ILPs
 *     "timeLimit"   seconds for the whole call; the best verified answer
 *                   found by then is returned
 *     "dtypeBytes"  count every floating-point element as this many bytes
 *     "maxStates"   states the exact search may hold (default 4000000)
 *     "symbols"     values of symbolic dimensions: {"batch": 1}
 *   Unknown keys are errors.
 * result_json   receives the report (Schemas/schedule.schema.json):
 *                 {"height": 49152, "peakBytes": 49152, "lowerBound": 49152,
 *                  "optimal": true, "boundScope": "all-orders",
 *                  "fileOrderPeak": ..., "fileOrderHeight": ...,
 *                  "method": "dp", "seconds": 0.01, "version": 1, ...,
 *                  "plan": {...}}
 *               with the verified single-tier plan under "plan": one
 *               addressed tier "arena", steps in the chosen order,
 *               allocate (with offsets) and free actions, no copies.
 * error         as for stowage_plan.
 *
 * Returns a stowage_status.
 */
int stowage_schedule(const char *graph_json, const char *options_json, char **result_json, char **error);

/*
 * Offloading for LLM inference: where the weights, the KV cache and the
 * activations live (GPU, CPU memory, disk, or the chain of tiers a hardware
 * profile describes) for the most generated tokens per second (the
 * `stowage offload` command). FlexGen's policy search by default; "mode":
 * "exact" places whole tensors per layer with a MILP per batch shape and
 * reports a bound.
 *
 * config_json   a Hugging Face config.json (OPT, Llama, Mistral), as text.
 * options_json  NULL, or an object with the `stowage offload` options in
 *               camelCase, every key optional:
 *     "hardware"    a hardware profile: a JSON file, or a built-in name
 *                   ("t4" by default, "a100-40gb", ...)
 *     "prompt"      prompt tokens (1 to 2^20, default 512)
 *     "gen"         generated tokens (1 to 2^20, default 32)
 *     "gpuMem", "cpuMem", "disk"
 *                   tier capacities: bytes, or a size ("16GiB", "200GB");
 *                   default: the profile's
 *     "gbs", "nb"   GPU batch size and GPU batches per block (1 to 16384):
 *                   both solve that shape only; "gbs" alone caps the search
 *     "percent"     six numbers WG WC CG CC HG HC (flexgen, with gbs and nb):
 *                   evaluates that fixed policy
 *     "alpha"       factor on every capacity (0.001 to 2; default 0.8 for a
 *                   search, 1.2 for a fixed policy)
 *     "compressWeights", "compressCache" (exact only)
 *                   4-bit weights / KV cache
 *     "mode"        "flexgen" (default) or "exact"
 *     "simulate"    true: simulate and verify FlexGen's rounding of the policy
 *                   as a block plan (always done in exact mode)
 *     "timeLimit"   wall-clock seconds for the whole call; the best checked
 *                   policy found by then is returned
 *     "name"        what to call the model in messages (default "config")
 *     "plans"       true: result_json receives {"report": {...},
 *                   "prefillPlan": {...}, "decodePlan": {...}}, the verified
 *                   block plans (Schemas/plan.schema.json; null when nothing
 *                   was simulated) beside the report
 *   Unknown keys are errors.
 * result_json   receives the report (Schemas/offload-report.schema.json):
 *                 {"throughput": 7.13, "gbs": 48, "nb": 3,
 *                  "wg": 0.2, "wc": 0.8, "wn": 0, "cg": ..., "hn": ...,
 *                  "prefillSeconds": ..., "decodeSeconds": ...,
 *                  "gpuPeakBytes": ..., "cpuPeakBytes": ..., "diskPeakBytes": ...,
 *                  "lpSolves": 1, "seconds": 0.2, "version": 1, ...}
 *               the shares of weights (w), cache (c) and activations (h) on
 *               GPU (g), CPU (c) and the tiers beyond (n); exact mode adds
 *               "bound", "relaxedThroughput", "tiers", "peakBytes" and the
 *               per-layer "placement", a simulation the "simulated*" figures.
 * error         as for stowage_plan; when nothing fits, STOWAGE_NO_ANSWER and
 *               a message naming the short tiers.
 *
 * Returns a stowage_status.
 */
int stowage_offload(const char *config_json, const char *options_json, char **result_json, char **error);

/* Releases a string handed back by this library. NULL is fine. */
void stowage_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* STOWAGE_H */
