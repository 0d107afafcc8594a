"""How long eager torch really holds each forward value of a training
step, and the captured graph made to say so.

A captured graph frees a value after its last reader. Eager torch frees
it when the last reference goes, and the module's Python code may hold
one longer: a local (``logits`` in a forward that returns
``cross_entropy(logits[:, :-1]...)``), a function's argument (the input of
``cross_entropy`` while its ``nll_loss`` runs), the caller's loop variable
(a block's input until the block returns). For a value the step keeps for
the backward this changes nothing; for one a remat plan recomputes, the
plan frees it at its last graph reader while eager torch holds it until
the frame lets go, and no saved-tensor policy can free what a frame names.
A plan made on the captured graph alone then promises a peak the step
does not reach (GPT-2 small at 8x1024, torch-knapsack at 0.7: 9.83 GB
planned, 14.67 GB measured, the plain step's bytes).

:func:`eager_holds` runs the forward and the loss once, eagerly, on the
meta device (no arithmetic, no memory: the weights are replaced by meta
tensors of their shapes for the call), with autograd's saved-tensor hooks
keeping nothing, so a storage dies exactly when the Python code lets it
go. It matches each new tensor to the graph's as the recompute policy
does (matching.py), notes after which eager operator each storage died,
and so after which graph operator each value is still held.
:func:`hold_eager_lifetimes` adds, after each such graph operator, a
``release`` operator (forward phase, cost 0, no outputs) reading the
values held until then: every planner then sees the lifetimes eager torch
will really have, and a remat plan its policy can run as planned.

Cost: one forward pass on the meta device (O(operators) dispatches,
O(forward tensors) memory).
"""
from __future__ import annotations

import warnings
import weakref
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_map

from ..graph import Graph, OperatorSpec
from .matching import ForwardTensors, TensorMatcher, module_stack, out_of_place
from .memory import fresh_outputs

#: The type of the operators :func:`hold_eager_lifetimes` adds.
RELEASE = "release"


class _Lifetimes(TorchDispatchMode):
    """Records, per matched graph tensor, the index of the last eager
    operator during which its storage was alive, and per eager operator
    the graph operator that ran last (the producer of the latest matched
    tensor)."""

    def __init__(self, matcher: TensorMatcher, stack: List[str], producer: Mapping[str, int]) -> None:
        super().__init__()
        self.matcher, self.stack, self.producer = matcher, stack, producer
        self.current = -1  # index of the eager operator running (or run last)
        self.graph_at: List[int] = []  # eager operator -> graph operator run last
        self.last_alive: Dict[str, int] = {}  # graph tensor -> eager operator
        self._held: Dict[int, List[str]] = {}  # id(storage) -> graph tensors it holds

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        self.current += 1
        out = func(*args, **(kwargs or {}))
        latest = self.graph_at[-1] if self.graph_at else -1
        for _, tensor, written in fresh_outputs(func, args, kwargs or {}, out):
            name = self.matcher.match(self.stack[-1], tensor)
            if name is None:
                continue
            latest = max(latest, self.producer.get(name, -1))
            storage = tensor.untyped_storage()
            key = id(storage)
            held = self._held.get(key)
            if held is None and written:
                continue  # written into a tensor made before the step (batch norm's running statistics)
            if held is None:
                self._held[key] = [name]
                weakref.finalize(storage, self._freed, key)
            else:
                # Written in place: the values it held are gone now.
                for previous in held:
                    self.last_alive[previous] = self.current
                self._held[key] = [name]
        self.graph_at.append(latest)
        return out

    def _freed(self, key: int) -> None:
        for name in self._held.pop(key, []):
            self.last_alive[name] = self.current


def _on_meta(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        meta = torch.empty_like(value, device="meta")
        return meta.requires_grad_(value.requires_grad) if value.is_floating_point() or value.is_complex() else meta
    return value


def eager_holds(module: torch.nn.Module, example_inputs: Sequence[Any], document: Mapping[str, Any],
                loss_fn: Optional[Callable[[Any], torch.Tensor]] = None) -> Dict[int, List[str]]:
    """{graph operator index: forward values eager torch holds through that
    operator although their last forward reader ran before it}, from one
    forward pass (and `loss_fn`) of `module` on the meta device. `document`
    is the module's captured training graph (JSON); values are named as
    there, operators by their index in its list. Empty when the forward
    cannot run on the meta device."""
    operators = document["operators"]
    producer: Dict[str, int] = {}
    last_forward_read: Dict[str, int] = {}
    for index, operator in enumerate(operators):
        if operator.get("phase", "forward") != "forward":
            continue
        for tensor in operator["outputs"]:
            producer[tensor] = index
            last_forward_read[tensor] = index
        for tensor in operator["inputs"]:
            if tensor in producer:
                last_forward_read[tensor] = index

    # Each weight by a meta tensor of its shape (one for a tied weight's names).
    metas: Dict[int, torch.Tensor] = {}
    state = {name: metas.setdefault(id(value), _on_meta(value)) for name, value in
             list(module.named_parameters(remove_duplicate=False)) + list(module.named_buffers(remove_duplicate=False))}
    inputs = tree_map(_on_meta, tuple(example_inputs))
    matcher = ForwardTensors(document).matcher()
    with module_stack(module) as stack, out_of_place(module):
        trace = _Lifetimes(matcher, stack, producer)
        try:
            # Saved tensors are not kept: a storage dies when the code lets go of it.
            with torch.autograd.graph.saved_tensors_hooks(lambda tensor: None, lambda packed: packed), trace:
                output = torch.func.functional_call(module, state, inputs)
                loss = output if loss_fn is None else loss_fn(output)
            end = trace.current
            del output, loss
        except (RuntimeError, NotImplementedError, TypeError) as error:
            warnings.warn(f"stowage.torch.capture: the forward does not run on the meta device ({error}); "
                          "the graph keeps the captured lifetimes, which a remat plan's policy may exceed",
                          RuntimeWarning, stacklevel=3)
            return {}
    holds: Dict[int, List[str]] = {}
    for name, eager in trace.last_alive.items():
        graph = trace.graph_at[min(eager, end)] if trace.graph_at else -1
        if name in last_forward_read and graph > last_forward_read[name]:
            holds.setdefault(graph, []).append(name)
    for alive in trace._held.values():  # held after the forward (by the module itself): to its end
        for name in alive:
            graph = trace.graph_at[end] if trace.graph_at else -1
            if name in last_forward_read and graph > last_forward_read[name]:
                holds.setdefault(graph, []).append(name)
    return holds


def hold_eager_lifetimes(graph: Graph, module: torch.nn.Module, example_inputs: Sequence[Any],
                         loss_fn: Optional[Callable[[Any], torch.Tensor]] = None) -> int:
    """Adds to `graph` (the captured training graph of `module`) a
    ``release`` operator after each operator through which eager torch
    holds values beyond their last forward reader (see :func:`eager_holds`),
    reading them; returns how many it added. The release operators are
    named ``release:<operator>``, run in the forward phase, cost 0 and
    write nothing."""
    holds = eager_holds(module, example_inputs, graph.to_json(), loss_fn)
    if not holds:
        return 0
    order = {t.name: i for i, t in enumerate(graph.tensors)}
    operators: List[OperatorSpec] = []
    for index, operator in enumerate(graph.operators):
        operators.append(operator)
        if index in holds:
            held = sorted(holds[index], key=lambda t: order.get(t, 0))
            operators.append(OperatorSpec(f"release:{operator.name}", RELEASE, held, [], phase="forward", cost=0))
    graph.operators = operators
    return len(holds)
