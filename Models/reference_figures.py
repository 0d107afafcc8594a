#!/usr/bin/env python3
"""Independent reference figures for the graphs in Models/onnx/.

Run from the repository root:

    python Models/reference_figures.py            # writes Models/reference_figures.json
    python Models/reference_figures.py --markdown # also prints the README table

Only the `onnx` package is used; weights are never loaded.  Everything is
computed over the top-level graph, in the file's own node order (step i is
graph.node[i]):

nodes           len(graph.node)
tensors         distinct non-empty names among graph inputs, initializers and
                node outputs
weightBytes     sum over initializers of prod(dims) * element size
peakLiveBytes   max over steps of the bytes of live activations.  Activations are
                every node output plus every graph input that is not an
                initializer.  A tensor is live from its producer's step (graph
                inputs: step 0) through the step of its last consumer inclusive
                (graph outputs: through the last step); a tensor nobody consumes
                that is not a graph output is live only at its producer's step.
                A node that holds a subgraph (If/Loop/Scan) counts as a consumer
                of every outer tensor the subgraph names.
maxOperatorBytes max over nodes of the bytes of the node's distinct non-empty
                input and output names, initializers included.

Sizes come from value_info / graph inputs / graph outputs (and initializer
dims); a tensor whose shape is unknown or symbolic is reported and counted as 0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

import onnx
from onnx import helper

HERE = os.path.dirname(os.path.abspath(__file__))
ONNX_DIR = os.path.join(HERE, "onnx")
OUT = os.path.join(HERE, "reference_figures.json")

# Models in a fixed order (also the README table order).
ORDER = [
    "resnet50",
    "resnext50",
    "mobilenet_v2",
    "vgg16",
    "vit_b_16",
    "fcn_resnet50",
    "deeplabv3_resnet50",
    "lraspp_mobilenet_v3",
    "r2plus1d_18",
    "bert_base",
    "gpt2",
]


def element_size(data_type: int) -> int:
    if data_type in (onnx.TensorProto.STRING, onnx.TensorProto.UNDEFINED):
        raise ValueError(f"no fixed element size for data type {data_type}")
    if data_type in (onnx.TensorProto.INT4, onnx.TensorProto.UINT4):
        raise ValueError("sub-byte element types are not expected here")
    return helper.tensor_dtype_to_np_dtype(data_type).itemsize


def subgraph_names(node: onnx.NodeProto) -> set[str]:
    """Every tensor name a node's subgraphs (recursively) read."""
    names: set[str] = set()

    def walk(graph: onnx.GraphProto):
        for inner in graph.node:
            names.update(i for i in inner.input if i)
            for attr in inner.attribute:
                if attr.HasField("g"):
                    walk(attr.g)
                for sub in attr.graphs:
                    walk(sub)

    for attr in node.attribute:
        if attr.HasField("g"):
            walk(attr.g)
        for sub in attr.graphs:
            walk(sub)
    return names


def figures(path: str) -> dict:
    model = onnx.load(path, load_external_data=False)
    graph = model.graph
    nodes = list(graph.node)
    steps = len(nodes)

    initializers = {t.name: t for t in graph.initializer}
    sizes: dict[str, int | None] = {}
    unknown: list[str] = []

    def record(vi: onnx.ValueInfoProto):
        if not vi.name or vi.name in sizes:
            return
        tensor_type = vi.type.tensor_type if vi.type.HasField("tensor_type") else None
        if tensor_type is None or not tensor_type.HasField("shape"):
            sizes[vi.name] = None
            return
        dims = []
        for dim in tensor_type.shape.dim:
            if not dim.HasField("dim_value"):
                sizes[vi.name] = None
                return
            dims.append(dim.dim_value)
        sizes[vi.name] = math.prod(dims) * element_size(tensor_type.elem_type)

    for name, tensor in initializers.items():
        sizes[name] = math.prod(tensor.dims) * element_size(tensor.data_type)
    for vi in list(graph.input) + list(graph.output) + list(graph.value_info):
        record(vi)

    def size(name: str) -> int:
        value = sizes.get(name)
        if value is None:
            if name not in unknown:
                unknown.append(name)
            return 0
        return value

    # tensors
    names = set(n for n in (vi.name for vi in graph.input) if n)
    names.update(initializers)
    for node in nodes:
        names.update(o for o in node.output if o)

    weight_bytes = sum(size(name) for name in initializers)

    # Liveness.
    graph_outputs = {o.name for o in graph.output if o.name}
    start: dict[str, int] = {}
    for vi in graph.input:
        if vi.name and vi.name not in initializers:
            start.setdefault(vi.name, 0)
    for step, node in enumerate(nodes):
        for out in node.output:
            if out and out not in start:
                start[out] = step
    last_use: dict[str, int] = {}
    for step, node in enumerate(nodes):
        used = {i for i in node.input if i} | subgraph_names(node)
        for name in used:
            if name in start:
                last_use[name] = step
    delta = [0] * (steps + 1)
    for name, first in start.items():
        if name in graph_outputs:
            last = steps - 1
        else:
            last = max(last_use.get(name, first), first)
        nbytes = size(name)
        delta[first] += nbytes
        delta[last + 1] -= nbytes
    peak = 0
    live = 0
    for step in range(steps):
        live += delta[step]
        peak = max(peak, live)

    # Largest operator.
    max_operator = 0
    max_operator_node = None
    for step, node in enumerate(nodes):
        distinct = {i for i in node.input if i} | {o for o in node.output if o}
        total = sum(size(name) for name in distinct)
        if total > max_operator:
            max_operator = total
            max_operator_node = node.name or f"#{step} {node.op_type}"

    has_subgraphs = any(
        attr.HasField("g") or len(attr.graphs) for node in nodes for attr in node.attribute
    )
    return {
        "nodes": steps,
        "tensors": len(names),
        "weightBytes": weight_bytes,
        "peakLiveBytes": peak,
        "maxOperatorBytes": max_operator,
        "maxOperatorNode": max_operator_node,
        "opset": max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=None),
        "hasSubgraphs": has_subgraphs,
        "unknownShapes": unknown,
    }


def markdown(results: dict) -> str:
    lines = [
        "| model | nodes | tensors | weightBytes | peakLiveBytes | maxOperatorBytes |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['nodes']} | {r['tensors']} | {r['weightBytes']} | {r['peakLiveBytes']} | {r['maxOperatorBytes']} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    parser.add_argument("--output", default=OUT)
    args = parser.parse_args()

    present = {f[: -len(".onnx")] for f in os.listdir(ONNX_DIR) if f.endswith(".onnx")}
    names = [n for n in ORDER if n in present] + sorted(present - set(ORDER))
    results = {}
    for name in names:
        results[name] = figures(os.path.join(ONNX_DIR, f"{name}.onnx"))
        if results[name]["unknownShapes"]:
            print(f"{name}: {len(results[name]['unknownShapes'])} tensors of unknown shape: "
                  f"{results[name]['unknownShapes'][:10]}", file=sys.stderr)
    missing = [n for n in ORDER if n not in present]
    if missing:
        print(f"missing models: {', '.join(missing)}", file=sys.stderr)

    document = {
        "description": "Reference figures over the top-level graph of each Models/onnx/*.onnx, "
        "in file node order; computed by Models/reference_figures.py with the onnx package only. "
        "Bytes use the element size of each tensor's data type.",
        "models": results,
    }
    with open(args.output, "w") as f:
        json.dump(document, f, indent=2)
        f.write("\n")
    if args.markdown:
        print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
