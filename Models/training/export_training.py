#!/usr/bin/env python3
"""Export training graphs (forward + backward) for `stowage remat`, without weights.

Run from the repository root, CPU only (versions pinned in requirements.txt):

    python Models/training/export_training.py              # every model
    python Models/training/export_training.py resnet18     # only some
    python Models/training/export_training.py --profile a100

For each model, AOTAutograd traces the joint forward + backward ATen graph
with fake tensors (the partition function receives it and stops the
compilation there). Then:

* views and other aliasing outputs (operators whose schema says the result
  aliases an input, and getitem of tuples) are folded into the tensor they
  alias: they are not operators and take no memory of their own;
* every remaining node is an operator with one tensor per output
  (bytes = elements x element size from the fake value);
* FLOPs per operator come from torch's FlopCounterMode, run on the fake
  values; the cost of an operator is a roofline of the named profile:
  max(FLOPs / compute rate, bytes read and written / memory bandwidth) +
  launch overhead, in microseconds;
* operators that depend on a tangent (the gradient of the loss) are the
  backward pass (`"phase": "backward"`), the others the forward pass;
* parameters and buffers are weights, the batch is an input, the loss
  gradient is an input; the loss and every gradient are graph outputs.

The graph is written as Stowage's JSON graph format (Schemas/graph.schema.json)
to Models/training/NAME.json. No weight is written; nothing is downloaded
(every network is built in code with random weights).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

HERE = os.path.dirname(os.path.abspath(__file__))

# Roofline profiles: fp32 compute rate (FLOP/s), memory bandwidth (B/s), launch overhead (s).
PROFILES = {
    "a100": {"flops": 19.5e12, "bandwidth": 1.555e12, "launch": 5e-6},
    "v100": {"flops": 15.7e12, "bandwidth": 0.9e12, "launch": 5e-6},
    "t4": {"flops": 8.1e12, "bandwidth": 0.32e12, "launch": 5e-6},
}


class Stop(Exception):
    pass


# ---------------------------------------------------------------------------
# Models: each returns (module computing a scalar loss, example inputs).


class WithLoss(nn.Module):
    def __init__(self, net, loss):
        super().__init__()
        self.net = net
        self.loss = loss

    def forward(self, x, target):
        return self.loss(self.net(x), target)


def import_torchvision():
    """torchvision from PyPI is built for CUDA: its C extension (detection
    ops only) does not load beside the CPU torch wheel. The models are plain
    Python, so the fake-kernel registrations of those ops are skipped."""
    real = torch.library.register_fake
    torch.library.register_fake = lambda *args, **kwargs: (lambda f: f)
    try:
        import torchvision
    finally:
        torch.library.register_fake = real
    return torchvision


def classifier(name, batch):
    torchvision = import_torchvision()
    net = torchvision.models.get_model_builder(name)(weights=None)
    x = torch.randn(batch, 3, 224, 224)
    target = torch.randint(0, 1000, (batch,))
    return WithLoss(net, nn.CrossEntropyLoss()), (x, target)


class UNet(nn.Module):
    """Ronneberger et al. (2015): four levels, two 3x3 convolutions with ReLU
    per level, max pooling down, transposed convolutions up, skip
    concatenations; padded convolutions (the output has the input's size)."""

    def __init__(self, channels=3, classes=2, width=64, levels=4):
        super().__init__()

        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU())

        self.down = nn.ModuleList()
        self.up = nn.ModuleList()
        self.upconv = nn.ModuleList()
        c = channels
        for level in range(levels):
            self.down.append(block(c, width << level))
            c = width << level
        self.bottom = block(c, c * 2)
        for level in reversed(range(levels)):
            self.upconv.append(nn.ConvTranspose2d(width << (level + 1), width << level, 2, stride=2))
            self.up.append(block(width << (level + 1), width << level))
        self.head = nn.Conv2d(width, classes, 1)

    def forward(self, x):
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottom(x)
        for upconv, block in zip(self.upconv, self.up):
            x = upconv(x)
            x = block(torch.cat([skips.pop(), x], dim=1))
        return self.head(x)


def unet(batch):
    x = torch.randn(batch, 3, 256, 256)
    target = torch.randint(0, 2, (batch, 256, 256))
    return WithLoss(UNet(), nn.CrossEntropyLoss()), (x, target)


class Block(nn.Module):
    """One GPT-2 decoder block: pre-norm causal self-attention and MLP."""

    def __init__(self, width, heads, sequence):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(width)
        self.c_attn = nn.Linear(width, 3 * width)
        self.c_proj = nn.Linear(width, width)
        self.ln_2 = nn.LayerNorm(width)
        self.c_fc = nn.Linear(width, 4 * width)
        self.mlp_proj = nn.Linear(4 * width, width)
        self.register_buffer("mask", torch.tril(torch.ones(sequence, sequence, dtype=torch.bool)), persistent=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.heads)
        scores = scores.masked_fill(~self.mask[:t, :t], float("-inf"))
        y = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT2(nn.Module):
    """GPT-2 small (Radford et al. 2019): 12 blocks, width 768, 12 heads,
    vocabulary 50257, learned positions, tied input and output embeddings,
    eager attention, no dropout; the loss is next-token cross-entropy."""

    def __init__(self, sequence, vocabulary=50257, width=768, layers=12, heads=12):
        super().__init__()
        self.wte = nn.Embedding(vocabulary, width)
        self.wpe = nn.Embedding(sequence, width)
        self.blocks = nn.ModuleList(Block(width, heads, sequence) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)

    def forward(self, ids, labels):
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.wte(ids) + self.wpe(positions)
        for block in self.blocks:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1))


def gpt2(batch, sequence):
    ids = torch.randint(0, 50257, (batch, sequence))
    return GPT2(sequence), (ids, ids.clone())


MODELS = {
    "resnet18": lambda: classifier("resnet18", 32),
    "vgg16": lambda: classifier("vgg16", 32),
    "unet": lambda: unet(8),
    "mobilenet_v2": lambda: classifier("mobilenet_v2", 32),
    "gpt2": lambda: gpt2(8, 1024),
}
DESCRIPTIONS = {
    "resnet18": "torchvision resnet18, batch 32, 3x224x224, cross-entropy loss",
    "vgg16": "torchvision vgg16, batch 32, 3x224x224, cross-entropy loss",
    "unet": "U-Net (4 levels, width 64, no batch norm), batch 8, 3x256x256, 2 classes, cross-entropy loss",
    "mobilenet_v2": "torchvision mobilenet_v2, batch 32, 3x224x224, cross-entropy loss",
    "gpt2": "GPT-2 small (12 blocks, width 768, 12 heads, tied embeddings, eager attention, no dropout), batch 8 x 1024 tokens, next-token loss",
}


# ---------------------------------------------------------------------------
# Capture


def joint_graph(module, inputs):
    from functorch.compile import aot_module

    captured = {}

    def partition(joint, joint_inputs, **kwargs):
        captured["graph"] = joint
        captured["inputs"] = joint_inputs
        raise Stop()

    def never(gm, example_inputs):
        raise AssertionError("not reached")

    compiled = aot_module(module, fw_compiler=never, bw_compiler=never, partition_fn=partition)
    try:
        compiled(*inputs)
    except Stop:
        pass
    if "graph" not in captured:
        raise RuntimeError("AOTAutograd did not hand over a joint graph")
    return captured["graph"]


def tensor_values(value):
    """The fake tensors a node produces, in output order (None for non-tensors)."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v if isinstance(v, torch.Tensor) else None for v in value]
    return []


def nbytes(t):
    return int(t.numel()) * t.element_size()


def aliases_input(node):
    if node.target is __import__("operator").getitem:
        return True
    schema = getattr(node.target, "_schema", None)
    if schema is None or not schema.returns:
        return False
    info = schema.returns[0].alias_info
    return info is not None and not info.is_write


def flops_of(node):
    args = node.args
    kwargs = node.kwargs
    vals = torch.fx.node.map_arg((args, kwargs), lambda n: n.meta.get("val"))
    counter = FlopCounterMode(display=False)
    fake_mode = torch._guards.detect_fake_mode([v for v in torch.utils._pytree.tree_leaves(vals) if isinstance(v, torch.Tensor)])
    try:
        with (fake_mode if fake_mode is not None else torch.no_grad()), counter:
            node.target(*vals[0], **vals[1])
    except Exception:
        return 0
    return counter.get_total_flops()


def convert(name, joint, profile):
    graph = joint.graph
    rate = PROFILES[profile]
    tensors = []  # dicts
    index_of = {}  # (node name, output position) -> tensor index
    alias_of = {}  # node name -> tensor index (for single-tensor aliases)
    operators = []
    backward_nodes = set()
    outputs = []

    def add_tensor(tname, kind, value):
        tensors.append({"name": tname, "kind": kind, "bytes": nbytes(value)})
        return len(tensors) - 1

    def resolve(arg):
        """The tensor index an argument refers to (None for non-tensors)."""
        if not isinstance(arg, torch.fx.Node):
            return None
        if arg.name in alias_of:
            return alias_of[arg.name]
        return index_of.get((arg.name, 0))

    for node in graph.nodes:
        if node.op == "placeholder":
            value = node.meta.get("val")
            if not isinstance(value, torch.Tensor):
                continue
            if node.name.startswith("tangents"):
                kind = "input"
                backward_nodes.add(node.name)
            elif node.name.startswith("primals"):
                # Parameters and buffers come first; the user inputs last (set below).
                kind = "weight"
            else:
                kind = "input"
            index_of[(node.name, 0)] = add_tensor(node.name, kind, value)
        elif node.op == "get_attr":
            value = getattr(joint, node.target)
            if isinstance(value, torch.Tensor):
                index_of[(node.name, 0)] = add_tensor(node.name, "weight", value)
        elif node.op == "call_function":
            depends_on_tangent = any(isinstance(a, torch.fx.Node) and a.name in backward_nodes for a in node.all_input_nodes)
            if depends_on_tangent:
                backward_nodes.add(node.name)
            if node.target is __import__("operator").getitem:
                source, position = node.args
                t = index_of.get((source.name, position))
                if t is not None:
                    alias_of[node.name] = t
                continue
            if aliases_input(node):
                base = next((a for a in node.args if isinstance(a, torch.fx.Node)), None)
                t = resolve(base) if base is not None else None
                if t is not None:
                    alias_of[node.name] = t
                continue
            values = tensor_values(node.meta.get("val"))
            reads = []
            for a in node.all_input_nodes:
                t = resolve(a)
                if t is not None and t not in reads:
                    reads.append(t)
            outs = []
            for position, value in enumerate(values):
                if value is None:
                    continue
                suffix = "" if len(values) == 1 else f".{position}"
                t = add_tensor(node.name + suffix, "activation", value)
                index_of[(node.name, position)] = t
                outs.append(t)
            if not outs:
                continue
            flops = flops_of(node)
            moved = sum(tensors[t]["bytes"] for t in reads + outs)
            seconds = max(flops / rate["flops"], moved / rate["bandwidth"]) + rate["launch"]
            operators.append({
                "name": node.name,
                "type": str(node.target),
                "inputs": [tensors[t]["name"] for t in reads],
                "outputs": [tensors[t]["name"] for t in outs],
                "cost": round(seconds * 1e6, 4),
                "phase": "backward" if depends_on_tangent else "forward",
            })
        elif node.op == "output":
            for arg in torch.utils._pytree.tree_leaves(node.args):
                t = resolve(arg) if isinstance(arg, torch.fx.Node) else None
                if t is not None and tensors[t]["kind"] == "activation" and tensors[t]["name"] not in outputs:
                    outputs.append(tensors[t]["name"])
    # The user inputs are the last primals: the batch and its labels.
    primals = [t for t in tensors if t["name"].startswith("primals")]
    for t in primals[-2:]:
        t["kind"] = "input"
    # Tensors nothing refers to (a placeholder never read) are dropped.
    used = {n for op in operators for n in op["inputs"] + op["outputs"]} | set(outputs)
    tensors = [t for t in tensors if t["name"] in used]
    return {
        "format": "stowage-graph",
        "version": 1,
        "name": name,
        "tensors": tensors,
        "operators": operators,
        "outputs": outputs,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="*", choices=sorted(MODELS) + [[]], default=[])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="a100")
    parser.add_argument("--out", default=HERE)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_grad_enabled(True)
    for name in args.models or sorted(MODELS):
        module, inputs = MODELS[name]()
        joint = joint_graph(module, inputs)
        document = convert(name, joint, args.profile)
        document["description"] = DESCRIPTIONS[name] + f"; costs: roofline of profile {args.profile} in microseconds"
        forward = sum(op["phase"] == "forward" for op in document["operators"])
        path = os.path.join(args.out, f"{name}.json")
        with open(path, "w") as f:
            json.dump(document, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"{name}: {len(document['operators'])} operators ({forward} forward), {len(document['tensors'])} tensors -> {path}")


if __name__ == "__main__":
    main()
