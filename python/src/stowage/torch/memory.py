"""Measuring what a torch program holds: live tensor bytes, as the
dispatcher sees them.

:class:`LiveTensorBytes` is a dispatch mode: every storage an operator
returns while it is active is counted from its creation until it is freed
(a finalizer on the storage), so ``peak`` is the most bytes of tensors
created inside the block that were alive at once. Tensors made before the
block (weights, inputs) are not counted, nor are views of them (an
operator whose schema says its result aliases an input makes no storage). It measures what the plan of a
captured graph predicts for the activations (see ``stowage.Plan.live_bytes``).

Cost: O(1) per operator output; memory O(live storages).
"""
from __future__ import annotations

import weakref
from typing import Any, Dict, List, Set, Tuple

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten


def returned_alias(func: Any, index: int) -> Any:
    """The alias information of the operator's `index`-th returned tensor
    (a list return, like split's, covers all of them); None for a new tensor."""
    returns = func._schema.returns
    if len(returns) == 1:
        return returns[0].alias_info
    return returns[index].alias_info if index < len(returns) else None


def fresh_outputs(func: Any, args: Any, kwargs: Any, result: Any) -> List[Tuple[int, torch.Tensor, bool]]:
    """The operator's returned tensors that hold a value of their own, as
    (index, tensor, written): a new tensor (written False), or an input
    the operator wrote into (``add_``, written True). Views are left out:
    those the schema declares, and results that are an input's storage
    although the schema declares nothing (``_unsafe_view``: the eager
    kernels of ``matmul`` and ``reshape`` return one, where a captured
    graph has a ``view``). Storages are compared by identity (torch keeps
    one Python object per storage), so this works on the meta device too.
    O(inputs + outputs)."""
    found: List[Tuple[int, torch.Tensor, bool]] = []
    inputs: Set[int] = set()
    inputs_read = False
    for index, value in enumerate(tree_flatten(result)[0]):
        if not isinstance(value, torch.Tensor):
            continue
        alias = returned_alias(func, index)
        if alias is not None:
            if alias.is_write:
                found.append((index, value, True))
            continue
        if not inputs_read:
            inputs_read = True
            for given in tree_flatten((args, kwargs))[0]:
                if isinstance(given, torch.Tensor):
                    inputs.add(_storage_id(given))
        if _storage_id(value) not in inputs:
            found.append((index, value, False))
    return found


def _storage_id(tensor: torch.Tensor) -> int:
    try:
        return id(tensor.untyped_storage())
    except (RuntimeError, NotImplementedError):  # a tensor without a storage (sparse)
        return -id(tensor)


class LiveTensorBytes(TorchDispatchMode):
    """``with LiveTensorBytes() as tracker: step()`` then ``tracker.peak``."""

    def __init__(self) -> None:
        super().__init__()
        self.live = 0
        self.peak = 0
        self._sizes: Dict[int, int] = {}

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        result = func(*args, **(kwargs or {}))
        for _, value, written in fresh_outputs(func, args, kwargs or {}, result):
            if written or value.device.type == "meta":
                continue  # a write into an input: no new storage
            storage = value.untyped_storage()
            key, size = storage.data_ptr(), storage.nbytes()
            if size == 0 or key in self._sizes:
                continue  # a view of a storage already counted
            self._sizes[key] = size
            self.live += size
            self.peak = max(self.peak, self.live)
            weakref.finalize(storage, self._freed, key)
        return result

    def _freed(self, key: int) -> None:
        self.live -= self._sizes.pop(key, 0)
