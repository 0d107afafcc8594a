// GLPK's solvers behind a guard against its internal errors.
//
// When GLPK detects an internal error (an assertion in its simplex on a
// badly conditioned basis, "Error detected in file simplex/spxprim.c"), it
// prints the message and calls abort(): the whole process dies, whatever
// the caller was doing. GLPK's documented way out is an error hook that
// jumps back to the application, which must then free the thread's GLPK
// environment. These functions do exactly that around one call.
#ifndef STOWAGE_GLPK_GUARD_H
#define STOWAGE_GLPK_GUARD_H

#include <glpk.h>

#ifdef __cplusplus
extern "C" {
#endif

/// glp_simplex(P, parm), or, if GLPK reports an internal error meanwhile,
/// *failed = 1 and the thread's GLPK environment freed: P and every other
/// GLPK object of this thread are gone and must not be touched again.
int stowage_glp_simplex(glp_prob *P, const glp_smcp *parm, int *failed);

/// glp_intopt(P, parm), guarded as stowage_glp_simplex. The callback in
/// parm must not call back into GLPK in a way that fails (it would be left
/// by a jump).
int stowage_glp_intopt(glp_prob *P, const glp_iocp *parm, int *failed);

/// For the tests: provokes an internal GLPK error (a column number out of
/// range) inside the guard on a problem of its own; returns 1 when the
/// guard caught it, 0 when GLPK returned normally.
int stowage_glp_guard_selftest(void);

#ifdef __cplusplus
}
#endif

#endif
