#include "GLPKGuard.h"

#include <setjmp.h>
#include <stddef.h>

// One guard per thread: GLPK's environment, and so its error hook, is per thread too.
static _Thread_local jmp_buf *guard_target = NULL;

static void guard_hook(void *info) {
    (void)info;
    jmp_buf *target = guard_target;
    if (target != NULL) longjmp(*target, 1);
    // Not inside a guard: GLPK aborts, as it would without the hook.
}

// Runs body(P, parm) with the hook set. Time: that of body; no allocation.
static int guarded(int (*body)(glp_prob *, const void *), glp_prob *P, const void *parm, int *failed) {
    jmp_buf target;
    jmp_buf *outer = guard_target;
    *failed = 0;
    if (setjmp(target) != 0) {
        guard_target = outer;
        // GLPK's environment is unusable after an error: its documentation requires freeing it.
        glp_free_env();
        *failed = 1;
        return -1;
    }
    guard_target = &target;
    glp_error_hook(guard_hook, NULL);
    int code = body(P, parm);
    glp_error_hook(NULL, NULL);
    guard_target = outer;
    return code;
}

static int run_simplex(glp_prob *P, const void *parm) { return glp_simplex(P, (const glp_smcp *)parm); }
static int run_intopt(glp_prob *P, const void *parm) { return glp_intopt(P, (const glp_iocp *)parm); }
static int run_out_of_range(glp_prob *P, const void *parm) {
    (void)parm;
    glp_set_col_bnds(P, 7, GLP_FX, 0.0, 0.0);  // P has no column 7: GLPK's error handler runs.
    return 0;
}

int stowage_glp_simplex(glp_prob *P, const glp_smcp *parm, int *failed) { return guarded(run_simplex, P, parm, failed); }

int stowage_glp_intopt(glp_prob *P, const glp_iocp *parm, int *failed) { return guarded(run_intopt, P, parm, failed); }

// Swallows GLPK's terminal output: the self-test's error message is expected, and standard output is never GLPK's.
static int silent(void *info, const char *text) {
    (void)info;
    (void)text;
    return 1;
}

int stowage_glp_guard_selftest(void) {
    int failed = 0;
    glp_term_hook(silent, NULL);
    glp_prob *P = glp_create_prob();
    guarded(run_out_of_range, P, NULL, &failed);
    if (!failed) {
        glp_delete_prob(P);
        glp_free_env();  // the hook goes with the environment, as it does after a caught error
    }
    return failed;
}
