"""Which tensor of a captured training graph each tensor of an eager
forward pass is.

The recompute policy (recompute.py) and the lifetime trace (lifetimes.py)
both run the module's forward eagerly and must agree on this: a new tensor
is the next graph tensor not yet matched that was made by the same module
(the innermost one running, from module hooks) with the same shape and
dtype, in the graph's forward order. Both go through :class:`ForwardTensors`
and :func:`module_stack`, so they match the same eager tensor to the same
graph tensor.

Cost: O(forward tensors) to build; O(1) per match; memory O(forward tensors).
"""
from __future__ import annotations

import collections
import contextlib
from typing import Any, Deque, Dict, Iterator, List, Mapping, Optional, Set, Tuple

import torch

from .capture import _DTYPES

_Key = Tuple[str, Tuple[int, ...], Optional[str]]


def module_of_operator(name: str) -> str:
    """The module a forward operator of a captured graph belongs to
    (``layer1.0.conv1:convolution`` -> ``layer1.0.conv1``; top level: "")."""
    return name.split(":", 1)[0] if ":" in name else ""


class ForwardTensors:
    """The forward tensors of a captured training graph (its JSON
    document), by module, shape and dtype, in forward order."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        shapes = {t["name"]: (tuple(t.get("shape") or ()), t.get("dtype")) for t in document["tensors"]}
        self._expected: Dict[_Key, List[str]] = {}
        for operator in document["operators"]:
            if operator.get("phase", "forward") != "forward":
                continue
            module = module_of_operator(operator["name"])
            for tensor in operator["outputs"]:
                shape, dtype = shapes[tensor]
                self._expected.setdefault((module, shape, dtype), []).append(tensor)

    def matcher(self) -> "TensorMatcher":
        """A fresh matcher, for one forward pass."""
        return TensorMatcher(self._expected)


class TensorMatcher:
    """Matches the new tensors of one eager forward pass, in the order they
    are made, to the graph's (see the module's doc)."""

    def __init__(self, expected: Mapping[_Key, List[str]]) -> None:
        self._expected = expected
        self._queues: Dict[_Key, Deque[str]] = {}
        #: Graph tensors matched so far.
        self.matched: Set[str] = set()

    def match(self, module: str, tensor: torch.Tensor) -> Optional[str]:
        """The graph tensor `tensor` (new, made while `module` runs) is;
        None when the graph has no more of that module, shape and dtype."""
        key = (module, tuple(int(d) for d in tensor.shape), _DTYPES.get(tensor.dtype))
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = collections.deque(self._expected.get(key, []))
        if not queue:
            return None
        name = queue.popleft()
        self.matched.add(name)
        return name


@contextlib.contextmanager
def module_stack(model: torch.nn.Module) -> Iterator[List[str]]:
    """The qualified names of the modules running, innermost last ("" at the
    bottom: the model itself and functions outside any submodule), kept by
    forward hooks on every submodule while the block runs."""
    stack: List[str] = [""]

    def enter(name: str) -> Any:
        return lambda module, args: stack.append(name)  # None: the inputs stay as they are

    def leave(module: Any, args: Any, output: Any) -> None:
        stack.pop()  # (returning anything would replace the module's output)

    hooks = []
    try:
        for name, module in model.named_modules():
            if name:
                hooks.append(module.register_forward_pre_hook(enter(name)))
                hooks.append(module.register_forward_hook(leave))
        yield stack
    finally:
        for hook in hooks:
            hook.remove()


@contextlib.contextmanager
def out_of_place(model: torch.nn.Module) -> Iterator[None]:
    """Modules with an ``inplace`` flag set (``nn.ReLU(inplace=True)``) run
    out of place inside the block, as :func:`stowage.torch.capture` traces
    them (the graph is functional), and are restored afterwards."""
    inplace = [m for m in model.modules() if getattr(m, "inplace", None) is True]
    for m in inplace:
        m.inplace = False
    try:
        yield
    finally:
        for m in inplace:
            m.inplace = True
