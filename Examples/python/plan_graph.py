#!/usr/bin/env python3
"""Plan a small graph with Stowage's C API through ctypes.

    swift build --product StowageC
    python3 Examples/python/plan_graph.py [--lib .build/debug/libStowageC.so] [--plan plan.json] [--graph]

The library is found through --lib, the STOWAGE_LIB environment variable,
or .build/debug and .build/release under the repository. The graph (an
attention block: Q, K, V projections, scores, softmax, context, output
projection) is built as a Python dict and handed over as JSON; the plan
comes back as JSON. Exit status 0 when everything behaved as expected.
"""
import argparse
import ctypes
import json
import os
import sys
from pathlib import Path

STOWAGE_OK, STOWAGE_NO_ANSWER, STOWAGE_BAD_INPUT = 0, 1, 2


class Stowage:
    """A thin wrapper: JSON in, JSON out, errors as exceptions."""

    class Error(Exception):
        def __init__(self, status, message):
            super().__init__(f"status {status}: {message}")
            self.status = status

    def __init__(self, path):
        self.lib = ctypes.CDLL(str(path))
        self.lib.stowage_version.restype = ctypes.c_char_p
        out = ctypes.POINTER(ctypes.c_void_p)  # char **, read as raw pointers so they can be freed
        for name in ("stowage_plan", "stowage_plan_file", "stowage_allocate"):
            fn = getattr(self.lib, name)
            fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, out, out]
            fn.restype = ctypes.c_int
        self.lib.stowage_free.argtypes = [ctypes.c_void_p]
        self.lib.stowage_free.restype = None

    @property
    def version(self):
        return self.lib.stowage_version().decode()

    def _call(self, fn, first, options):
        result, error = ctypes.c_void_p(), ctypes.c_void_p()
        encoded = None if options is None else json.dumps(options).encode()
        status = fn(first.encode(), encoded, ctypes.byref(result), ctypes.byref(error))
        try:
            if status != STOWAGE_OK:
                message = ctypes.string_at(error.value).decode() if error.value else "?"
                raise Stowage.Error(status, message)
            return json.loads(ctypes.string_at(result.value).decode())
        finally:
            # Both are owned by the caller; stowage_free(NULL) is fine.
            self.lib.stowage_free(result)
            self.lib.stowage_free(error)

    def plan(self, graph, **options):
        return self._call(self.lib.stowage_plan, json.dumps(graph), options)

    def allocate(self, buffers, **options):
        return self._call(self.lib.stowage_allocate, json.dumps(buffers), options or None)


def attention_block(seq=128, hidden=256, dtype_bytes=2):
    act = seq * hidden * dtype_bytes
    weight = hidden * hidden * dtype_bytes
    tensors = [{"name": "x", "kind": "input", "bytes": act}]
    tensors += [{"name": f"w{p}", "kind": "weight", "bytes": weight} for p in "qkvo"]
    tensors += [{"name": n, "bytes": act} for n in ("q", "k", "v", "context", "y")]
    tensors += [{"name": n, "bytes": seq * seq * dtype_bytes} for n in ("scores", "probs")]
    ops = [{"name": f"proj_{p}", "type": "MatMul", "inputs": ["x", f"w{p}"], "outputs": [p]} for p in "qkv"]
    ops += [
        {"name": "scores", "type": "MatMul", "inputs": ["q", "k"], "outputs": ["scores"]},
        {"name": "softmax", "type": "Softmax", "inputs": ["scores"], "outputs": ["probs"]},
        {"name": "context", "type": "MatMul", "inputs": ["probs", "v"], "outputs": ["context"]},
        {"name": "proj_o", "type": "MatMul", "inputs": ["context", "wo"], "outputs": ["y"]},
    ]
    return {"format": "stowage-graph", "version": 1, "name": "attention_block",
            "tensors": tensors, "operators": ops, "outputs": ["y"]}


def find_library(explicit):
    candidates = [explicit, os.environ.get("STOWAGE_LIB")]
    root = Path(__file__).resolve().parents[2]
    for config in ("debug", "release"):
        for suffix in ("so", "dylib"):
            candidates.append(root / ".build" / config / f"libStowageC.{suffix}")
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    sys.exit("libStowageC not found: build it with `swift build --product StowageC` or pass --lib")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", help="path to libStowageC.so")
    parser.add_argument("--plan", help="write the ILP plan (JSON) here")
    parser.add_argument("--graph", action="store_true", help="print the graph it plans (JSON) and exit")
    args = parser.parse_args()
    if args.graph:
        print(json.dumps(attention_block()))
        return 0

    stowage = Stowage(find_library(args.lib))
    print(f"stowage {stowage.version}")
    graph = attention_block()
    failures = 0

    plans = {}
    # The options are the CLI's (--scratchpad, --method, --policy, --solver,
    # --time-limit); an option the method would ignore is refused.
    variants = {
        "baseline": {"method": "baseline"},
        "lru": {"method": "baseline", "policy": "lru"},
        "ilp": {"method": "ilp", "solver": "glpk"},
    }
    for name, options in variants.items():
        plan = stowage.plan(graph, scratchpad="M_H", timeLimit=30, **options)
        metrics = plan["metrics"]
        plans[name] = plan
        print(f"{name}: method={plan['method']} nonCompulsoryBytes={metrics['nonCompulsoryBytes']} "
              f"steps={len(plan['steps'])} bound={metrics.get('bound')}")
    # Where each tensor lives when, without replaying the actions.
    names = [t[0] for t in plans["ilp"]["tensors"]]
    for stay in plans["ilp"]["residencies"]:
        if stay["tier"] == "scratchpad" and names[stay["tensor"]] == "probs":
            print(f"probs: scratchpad offset {stay['offset']}, steps {stay['firstStep']}..{stay['lastStep']}")
    if plans["ilp"]["metrics"]["nonCompulsoryBytes"] > plans["baseline"]["metrics"]["nonCompulsoryBytes"]:
        print("the ILP moved more than Belady")
        failures += 1
    if args.plan:
        Path(args.plan).write_text(json.dumps(plans["ilp"]))

    try:
        stowage.plan(graph, scratchpad="M_H", method="simulated-annealing")
        print("an unknown method was accepted")
        failures += 1
    except Stowage.Error as e:
        print(f"bad method: {e}")
        failures += e.status != STOWAGE_BAD_INPUT

    buffers = [{"id": i, "lower": i, "upper": i + 3, "size": 1024 * (1 + i % 3)} for i in range(12)]
    placed = stowage.allocate(buffers)
    print(f"allocate: height={placed['height']} lowerBound={placed['lowerBound']} optimal={placed['optimal']}")

    print("FAILED" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
