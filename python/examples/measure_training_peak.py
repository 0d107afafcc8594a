"""Planned against measured activation peak of one CPU training step, per
bundled training model (Models/training/README.md), without and with a
rematerialisation plan run as a recompute policy.

For each model:

1. stowage.torch.capture builds the joint forward + backward graph
   (training=True, the model's own loss);
2. keep-all: stowage.remat(graph, budget=1.0, method="keep-all") gives the
   activation peak of keeping everything (graph order, every operator
   once), and one plain eager CPU step (forward, loss, backward) runs under
   LiveTensorBytes, which counts the bytes of every tensor storage created
   inside the step while it is alive (the batch and the weights exist
   before and are not counted, as the plan does not count them);
3. remat: the lowest budget from 0.7 up (0.7, 0.75, ... 0.95 of the
   keep-all peak) at which Chen's segments or PyTorch's knapsack finds a
   plan -- the methods whose schedules the policy runs as planned (each
   dropped value recomputed once, right before the backward first needs
   it) -- and one step under stowage.torch.checkpoint_policy, measured the
   same way; its gradients are compared with the plain step's (same seed,
   so the same dropout masks).

Activations written in place (torchvision's ReLU(inplace=True), ReLU6)
run out of place in both steps, as capture traces them and the policy runs
them: the graph is functional, and an eager in-place activation saves
memory the graph does not show.

The models are the ones Models/training/export_training.py builds (random
weights, nothing downloaded; torchvision for the classifiers, imported
without its C extension). Operators cost 1 each in the captured graphs.

Usage, from the repository root (the virtualenv of `make test` has torch):

    python python/examples/measure_training_peak.py [model ...]

Measured: see python/README.md (the table there is this script's output).
"""
import argparse
import copy
import gc
import importlib.util
import os
import sys
import time

import torch

import stowage
from stowage.torch import LiveTensorBytes, capture, checkpoint_policy

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BATCH = {"resnet18": "32", "vgg16": "32", "unet": "8", "mobilenet_v2": "32", "gpt2": "8x1024"}
ORDER = ["resnet18", "mobilenet_v2", "unet", "vgg16", "gpt2"]
BUDGETS = [0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
METHODS = ["chen", "torch-knapsack"]


def load_exporter():
    path = os.path.join(ROOT, "Models", "training", "export_training.py")
    spec = importlib.util.spec_from_file_location("export_training", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def step(module, inputs, policy=None):
    """(measured peak, seconds, gradients) of one training step."""
    module.zero_grad(set_to_none=True)
    torch.manual_seed(1)
    start = time.perf_counter()
    with LiveTensorBytes() as tracker:
        if policy is None:
            loss = module(*inputs)
        else:
            with policy.applied(module):
                loss = module(*inputs)
        loss.backward()
        del loss
    seconds = time.perf_counter() - start
    gradients = {name: p.grad for name, p in module.named_parameters() if p.grad is not None}
    module.zero_grad(set_to_none=True)
    return tracker.peak, seconds, gradients


def plan_remat(graph):
    """The lowest budget from 0.7 up with a plan of one of METHODS: (budget, Remat)."""
    for budget in BUDGETS:
        found = []
        for method in METHODS:
            try:
                found.append(stowage.remat(graph, budget=budget, method=method, time_limit=60))
            except stowage.NoAnswer:
                pass
        if found:
            return budget, min(found, key=lambda r: r.compute_cost)
    return None, None


def measure(exporter, name):
    torch.manual_seed(0)
    module, inputs = exporter.MODELS[name]()  # a module whose forward returns the scalar loss
    module.train()
    for m in module.modules():  # as the captured graph and the policy run them (see the doc)
        if getattr(m, "inplace", None) is True:
            m.inplace = False
    start = time.perf_counter()
    graph = capture(module, inputs, training=True, loss_fn=lambda loss: loss, name=name)
    keep = stowage.remat(graph, budget=1.0, method="keep-all")
    budget, remat = plan_remat(graph)
    planning = time.perf_counter() - start
    row = {"model": name, "batch": BATCH[name], "keep": keep.peak_bytes, "planning": planning}
    gc.collect()
    row["plain"], row["plain_s"], plain_gradients = step(module, inputs)
    plain_gradients = {k: v.clone() for k, v in plain_gradients.items()}
    if remat is not None:
        policy = checkpoint_policy(remat, graph)
        del graph
        gc.collect()
        row["remat_peak"], row["policy_s"], gradients = step(module, inputs, policy)
        row.update(budget=budget, method=remat.method, planned=remat.peak_bytes, overhead=remat.overhead,
                   dropped=len(policy.dropped), recomputed=len(remat.recomputed),
                   gradient_error=max(float(((g - plain_gradients[k]).abs().max() /
                                             plain_gradients[k].abs().max().clamp_min(1e-30)))
                                      for k, g in gradients.items()))
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", choices=ORDER + [[]], default=[])
    args = parser.parse_args()
    exporter = load_exporter()
    print("| model | batch | keep-all planned (B) | plain step measured (B) | ratio | budget, method | "
          "remat planned (B) | measured with policy (B) | ratio | dropped / recomputed | plan overhead (ops) | "
          "gradients: max relative difference | plain step (s) | policy step (s) |")
    print("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in args.models or ORDER:
        r = measure(exporter, name)
        head = (f"| {name} | {r['batch']} | {r['keep']:,} | {r['plain']:,} | {r['plain'] / r['keep']:.3f} | ")
        if "planned" not in r:
            print(head + "no plan at 0.7-0.95 | | | | | | | " + f"{r['plain_s']:.1f} | |", flush=True)
            continue
        print(head + f"{r['budget']}, {r['method']} | {r['planned']:,} | {r['remat_peak']:,} | "
              f"{r['remat_peak'] / r['planned']:.3f} | {r['dropped']} / {r['recomputed']} | {r['overhead']:.1%} | "
              f"{r['gradient_error']:.1e} | {r['plain_s']:.1f} | {r['policy_s']:.1f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
