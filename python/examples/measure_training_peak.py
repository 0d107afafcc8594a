"""Planned against measured activation peak of one CPU training step, per
bundled training model (Models/training/README.md).

For each model: stowage.torch.capture builds the joint forward + backward
graph (training=True, the model's own loss); stowage.plan plans it through
a scratchpad of M_P (no tensor has to leave early, graph order), so the
plan's activation peak -- the most bytes of activations and gradients
resident at once -- is the peak Stowage predicts for the step; then one
real eager CPU step (forward, loss, backward) runs under LiveTensorBytes,
which counts the bytes of every tensor storage created inside the step
while it is alive (the batch and the weights exist before and are not
counted, as the plan's activation kind excludes them).

The models are the ones Models/training/export_training.py builds (random
weights, nothing downloaded; torchvision for the classifiers, imported
without its C extension).

Usage, from the repository root:

    python python/examples/measure_training_peak.py [model ...]

Measured (2026-11-29, torch 2.13.0+cpu, torchvision 0.28.0, 2 shared cores,
24 GiB; bundled batch sizes, all of which fit):

| model | batch | planned peak (B) | measured peak (B) | measured / planned | capture+plan (s) | step (s) |
| --- | --- | ---: | ---: | ---: | ---: | ---: |
| resnet18 | 32 | 703,104,512 | 718,480,968 | 1.0219 | 11.2 | 18.8 |
| mobilenet_v2 | 32 | 2,499,307,776 | 2,509,547,080 | 1.0041 | 34.3 | 26.1 |
| unet | 8 | 1,883,242,500 | 1,983,906,320 | 1.0535 | 9.0 | 101.0 |
| vgg16 | 32 | 2,739,732,480 | 3,355,223,976 | 1.2247 | 6.1 | 117.9 |
| gpt2 | 8x1024 | 14,667,093,472 | 15,172,327,304 | 1.0344 | 43.3 | 321.0 |

Known overcount in the measurement (verified on nn.Linear(4096, 2048),
batch 32): LiveTensorBytes counts the storage of a tensor that existed
before the step when an operator inside the step returns a view of it;
F.linear's aten.t of the weight adds the weight's bytes (33,554,432 B) and
they stay counted, the parameter never being freed. VGG-16's three linear
weights are 494,534,656 B of its 615,491,496 B excess; the rest of the
excess of each model is not explained here.
"""
import argparse
import gc
import importlib.util
import os
import sys
import time

import torch

import stowage
from stowage.torch import LiveTensorBytes, capture

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BATCH = {"resnet18": "32", "vgg16": "32", "unet": "8", "mobilenet_v2": "32", "gpt2": "8x1024"}
ORDER = ["resnet18", "mobilenet_v2", "unet", "vgg16", "gpt2"]


def load_exporter():
    path = os.path.join(ROOT, "Models", "training", "export_training.py")
    spec = importlib.util.spec_from_file_location("export_training", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(exporter, name):
    """(planned activation peak, measured peak, seconds of capture + plan,
    seconds of the real step) for one model."""
    torch.manual_seed(0)
    module, inputs = exporter.MODELS[name]()  # a module whose forward returns the scalar loss
    module.train()
    start = time.perf_counter()
    graph = capture(module, inputs, training=True, loss_fn=lambda loss: loss, name=name)
    plan = stowage.plan(graph, scratchpad="M_P")
    planned = max(plan.live_bytes(kinds=("activation",)))
    planned_seconds = time.perf_counter() - start
    del graph, plan
    gc.collect()
    start = time.perf_counter()
    with LiveTensorBytes() as tracker:
        module(*inputs).backward()
    step_seconds = time.perf_counter() - start
    return planned, tracker.peak, planned_seconds, step_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", choices=ORDER + [[]], default=[])
    args = parser.parse_args()
    exporter = load_exporter()
    print(f"| model | batch | planned peak (B) | measured peak (B) | measured / planned | capture+plan (s) | step (s) |")
    print(f"| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name in args.models or ORDER:
        planned, measured, planned_seconds, step_seconds = measure(exporter, name)
        print(f"| {name} | {BATCH[name]} | {planned:,} | {measured:,} | {measured / planned:.4f} | "
              f"{planned_seconds:.1f} | {step_seconds:.1f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
