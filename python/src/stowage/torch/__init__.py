"""Stowage's torch front end: graphs straight from torch modules.

Needs torch (``pip install torch``); importing this module without torch
raises ImportError with that advice.
"""
try:
    import torch as _torch  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the machine
    raise ImportError("stowage.torch needs torch: pip install torch "
                      "(CPU wheels: --index-url https://download.pytorch.org/whl/cpu)") from error

from .capture import capture
from .memory import LiveTensorBytes
from .recompute import Recomputing, RecomputePolicy, UnfollowablePlan, checkpoint_policy, unfollowable_step

__all__ = ["LiveTensorBytes", "RecomputePolicy", "Recomputing", "UnfollowablePlan", "capture", "checkpoint_policy",
           "unfollowable_step"]
