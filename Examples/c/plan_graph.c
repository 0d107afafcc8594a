/*
 * plan_graph.c: a C program that plans a small graph with Stowage's C API.
 *
 * Build and run (from the repository root):
 *
 *     swift build --product StowageC
 *     cc Examples/c/plan_graph.c -I include -L .build/debug -lStowageC \
 *        -Wl,-rpath,.build/debug -o plan_graph
 *     ./plan_graph              # plan, allocate, offload, print a summary
 *     ./plan_graph plan.json    # also write the ILP plan there
 *     ./plan_graph --graph      # print the graph it plans and exit
 *
 * The graph is a residual block: conv1 -> conv2 -> conv3 -> add, where add
 * also reads conv1's output. At M_H the scratchpad cannot hold that output
 * while conv3 runs, so some plan must spill it and load it back. Last, an
 * OPT-6.7B config is offloaded for generation on the built-in T4 profile.
 *
 * Exit status: 0 when every call behaved as expected, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stowage.h"

static const char *graph_json =
    "{\"format\": \"stowage-graph\", \"version\": 1, \"name\": \"residual_block\",\n"
    " \"tensors\": [\n"
    "  {\"name\": \"x\",  \"kind\": \"input\",  \"bytes\": 65536},\n"
    "  {\"name\": \"w1\", \"kind\": \"weight\", \"bytes\": 32768},\n"
    "  {\"name\": \"w2\", \"kind\": \"weight\", \"bytes\": 32768},\n"
    "  {\"name\": \"w3\", \"kind\": \"weight\", \"bytes\": 32768},\n"
    "  {\"name\": \"a\", \"bytes\": 65536},\n"
    "  {\"name\": \"b\", \"bytes\": 65536},\n"
    "  {\"name\": \"c\", \"bytes\": 65536},\n"
    "  {\"name\": \"y\", \"bytes\": 65536}],\n"
    " \"operators\": [\n"
    "  {\"name\": \"conv1\", \"type\": \"Conv\", \"inputs\": [\"x\", \"w1\"], \"outputs\": [\"a\"]},\n"
    "  {\"name\": \"conv2\", \"type\": \"Conv\", \"inputs\": [\"a\", \"w2\"], \"outputs\": [\"b\"]},\n"
    "  {\"name\": \"conv3\", \"type\": \"Conv\", \"inputs\": [\"b\", \"w3\"], \"outputs\": [\"c\"]},\n"
    "  {\"name\": \"add\",   \"type\": \"Add\",  \"inputs\": [\"a\", \"c\"],  \"outputs\": [\"y\"]}],\n"
    " \"outputs\": [\"y\"]}\n";

/* The integer after "key": in compact JSON, or -1. Enough for a summary;
 * a real caller would use a JSON library. */
static long long json_integer(const char *json, const char *key) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(json, pattern);
    return at ? strtoll(at + strlen(pattern), NULL, 10) : -1;
}

/* The string after "key": in compact JSON, copied into out. */
static void json_string(const char *json, const char *key, char *out, size_t size) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *at = strstr(json, pattern);
    out[0] = '\0';
    if (!at) return;
    at += strlen(pattern);
    size_t n = 0;
    while (at[n] && at[n] != '"' && n + 1 < size) { out[n] = at[n]; n++; }
    out[n] = '\0';
}

/* Plans the graph with one method (the solver only for the ILP: options a
 * method would ignore are refused); prints a line; optionally keeps the plan. */
static int plan_with(const char *method, char **keep) {
    char options[256];
    snprintf(options, sizeof options,
             "{\"scratchpad\": \"M_H\", \"method\": \"%s\"%s, \"timeLimit\": 30}", method,
             strcmp(method, "ilp") == 0 ? ", \"solver\": \"glpk\"" : "");
    char *plan = NULL, *error = NULL;
    int status = stowage_plan(graph_json, options, &plan, &error);
    if (status != STOWAGE_OK) {
        fprintf(stderr, "stowage_plan (%s) failed with %d: %s\n", method, status, error ? error : "?");
        stowage_free(error);
        return 1;
    }
    char name[64];
    json_string(plan, "method", name, sizeof name);
    printf("%s: method=%s nonCompulsoryBytes=%lld compulsoryBytes=%lld planBytes=%zu\n", method, name,
           json_integer(plan, "nonCompulsoryBytes"), json_integer(plan, "compulsoryBytes"), strlen(plan));
    if (keep) *keep = plan; else stowage_free(plan);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--graph") == 0) {
        fputs(graph_json, stdout);
        return 0;
    }
    printf("stowage %s\n", stowage_version());
    int failures = 0;

    failures += plan_with("baseline", NULL);
    char *ilp_plan = NULL;
    failures += plan_with("ilp", &ilp_plan);
    if (ilp_plan && argc > 1) {
        FILE *f = fopen(argv[1], "w");
        if (!f || fputs(ilp_plan, f) < 0 || fclose(f) != 0) { perror(argv[1]); failures++; }
    }
    stowage_free(ilp_plan);

    /* A capacity below the largest operator: no plan, a message, status 1. */
    char *plan = NULL, *error = NULL;
    int status = stowage_plan(graph_json, "{\"scratchpad\": 1024}", &plan, &error);
    printf("1 KiB: status=%d error=%s\n", status, error ? error : "(none)");
    if (status != STOWAGE_NO_ANSWER || plan != NULL || error == NULL) failures++;
    stowage_free(error);

    /* A typo in an option: bad input, status 2, the key named. */
    status = stowage_plan(graph_json, "{\"scratchpad\": \"M_H\", \"methd\": \"ilp\"}", &plan, &error);
    printf("typo: status=%d error=%s\n", status, error ? error : "(none)");
    if (status != STOWAGE_BAD_INPUT || error == NULL || strstr(error, "methd") == NULL) failures++;
    stowage_free(error);

    /* Pure offset allocation: four buffers with fixed lifetimes. */
    const char *buffers =
        "[{\"id\": \"a\", \"lower\": 0, \"upper\": 2, \"size\": 64},"
        " {\"id\": \"b\", \"lower\": 1, \"upper\": 3, \"size\": 32},"
        " {\"id\": \"c\", \"lower\": 2, \"upper\": 4, \"size\": 64},"
        " {\"id\": \"d\", \"lower\": 3, \"upper\": 5, \"size\": 32}]";
    char *result = NULL;
    status = stowage_allocate(buffers, "{\"capacity\": 96}", &result, &error);
    if (status == STOWAGE_OK) {
        printf("allocate: height=%lld lowerBound=%lld result=%s\n", json_integer(result, "height"),
               json_integer(result, "lowerBound"), result);
    } else {
        fprintf(stderr, "stowage_allocate failed with %d: %s\n", status, error ? error : "?");
        failures++;
    }
    stowage_free(result);
    stowage_free(error);

    /* Offloading an LLM for generation: OPT-6.7B's config on a T4 (16 GiB
     * GPU, 200 GiB CPU memory), FlexGen's policy search (30 s at most). */
    const char *opt_config =
        "{\"model_type\": \"opt\", \"hidden_size\": 4096, \"ffn_dim\": 16384,"
        " \"num_attention_heads\": 32, \"num_hidden_layers\": 32, \"vocab_size\": 50272,"
        " \"max_position_embeddings\": 2048, \"torch_dtype\": \"float16\"}";
    result = NULL;
    error = NULL;
    status = stowage_offload(opt_config, "{\"hardware\": \"t4\", \"prompt\": 512, \"gen\": 32, \"timeLimit\": 30}",
                             &result, &error);
    if (status == STOWAGE_OK && strstr(result, "\"throughput\":") != NULL) {
        printf("offload: gbs=%lld nb=%lld gpuPeakBytes=%lld\n", json_integer(result, "gbs"),
               json_integer(result, "nb"), json_integer(result, "gpuPeakBytes"));
    } else {
        fprintf(stderr, "stowage_offload failed with %d: %s\n", status, error ? error : "?");
        failures++;
    }
    stowage_free(result);
    stowage_free(error);

    printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
