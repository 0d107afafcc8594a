"""Stowage from Python: plans where a neural network's tensors live while it
runs, through Stowage's C library (bundled in the wheel).

>>> import stowage
>>> plan = stowage.plan("Models/onnx/resnet50.onnx", scratchpad="M_H", dtype_bytes=1)
>>> print(plan)                      # one line: steps, peak, traffic, bound
>>> plan.residencies_of("input")     # where a tensor lives, step by step

Graphs come from a file (ONNX or Stowage's JSON graph), from
:class:`Graph` built in Python, or from a torch module through
:func:`stowage.torch.capture` (needs torch). Errors are exceptions:
:class:`BadInput` (also a ValueError), :class:`NoAnswer`,
:class:`InternalError`, all :class:`StowageError` with the library's
one-line reason and the `stowage` command's exit code.
"""
from .api import Config, Model, Size, allocate, library_version, offload, plan, remat, schedule
from .errors import BadInput, InternalError, LibraryNotFound, NoAnswer, StowageError, Unavailable
from .graph import Graph, OperatorSpec, TensorSpec
from .results import (Action, Allocation, Buffer, Metrics, Offload, OffloadPolicy, OffloadTier, Plan, Remat, RematSearch, Residency,
                      Schedule, Step, TensorInfo, Tier)

try:
    from importlib.metadata import version as _distribution_version

    __version__ = _distribution_version("stowage")
except Exception:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = [
    "Action", "Allocation", "BadInput", "Buffer", "Config", "Graph", "InternalError", "LibraryNotFound", "Metrics",
    "Model", "NoAnswer", "Offload", "OffloadPolicy", "OffloadTier", "OperatorSpec", "Plan", "Remat", "RematSearch", "Residency", "Schedule", "Size", "Step", "StowageError", "TensorInfo",
    "TensorSpec", "Tier", "Unavailable", "allocate", "library_version", "offload", "plan", "remat", "schedule",
]
