"""A Stowage rematerialisation plan, run by torch: the forward keeps what
the plan keeps, and the backward recomputes what the plan recomputes, when
it first needs it.

:func:`checkpoint_policy` reads a :class:`stowage.Remat` against the
captured graph it planned; the policy it returns runs a training step so:

- during the forward (``with policy.applied(model): loss = ...``), a
  dispatch mode sees every ATen operator, and module hooks say which
  module runs it; each new tensor is matched to the captured graph's
  tensor of the same module, shape and dtype (in order, matching.py),
  which says whether the plan keeps it or recomputes it; a result that is
  an input's storage (``_unsafe_view``, which eager ``matmul`` returns
  where the graph has a ``view``) is a view, not a new tensor;
- autograd's saved-tensor hooks (``torch.autograd.graph.saved_tensors_hooks``,
  what ``torch.utils.checkpoint``'s non-reentrant mode is built on) store,
  for a tensor the plan recomputes, how to make it (the operator and its
  inputs, themselves recipes when the plan drops them too) rather than the
  tensor, so it is freed after its last forward use;
- in the backward, the first unpack recomputes it (and whichever dropped
  ancestors it needs) under ``no_grad``; the value stays until the last
  backward operator that saved it has run.

That is the plan's schedule (Stowage's on-demand schedule: a dropped value
is recomputed right before the first backward operator that reads it, with
its missing ancestors, and stays until its last read), at the granularity
of single operators. ``torch.utils.checkpoint`` with a selective policy
(``create_selective_checkpoint_contexts``) cannot express it: a
checkpointed region recomputes all of its dropped values at its first
unpack, and keeps its inputs, so one region over the model brings every
dropped value back at the start of the backward, and a region per module
keeps every module's input.

Modules with an ``inplace`` flag set (``nn.ReLU(inplace=True)``) run out
of place under the policy, as in the captured graph. Never dropped,
whatever the plan says: values of operators seeded by the random generator (dropout: a recomputation would draw a new mask), values
an in-place operator changes later, and tensors not matched to the graph.
Batch norm is recomputed without updating its running statistics again.

Cost: O(1) per operator in the forward (one record, holding references to
weights and inputs, never to activations); each dropped value is
recomputed at most once per backward.
"""
from __future__ import annotations

import contextlib
import weakref
from typing import Any, Dict, Iterator, List, Mapping, Optional, Set, Tuple, Union

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten, tree_map

from ..graph import Graph
from ..results import Remat
from .matching import ForwardTensors, TensorMatcher, module_stack, out_of_place
from .memory import fresh_outputs

_aten = torch.ops.aten
# Batch norm in training updates its running statistics; recomputing it must not.
_BATCH_NORMS = {_aten.native_batch_norm.default}


class _Call:
    """One operator run of the forward: the operator and its arguments, with
    each tensor made in the step replaced by its :class:`_Value`."""

    __slots__ = ("func", "args", "kwargs", "values", "done")

    def __init__(self, func: Any, args: Any, kwargs: Any) -> None:
        self.func, self.args, self.kwargs = func, args, kwargs
        self.values: List[Any] = []  # weak references to the records of its outputs
        self.done = False

    def run(self) -> None:
        """Runs the operator again and hands each output to its record, if
        that record is still wanted (a batch norm's output is not kept
        because its saved statistics are)."""
        if self.done:
            return
        materialise = lambda a: a.materialise() if isinstance(a, _Value) else a  # noqa: E731
        args, kwargs = tree_map(materialise, self.args), tree_map(materialise, self.kwargs)
        if self.func in _BATCH_NORMS:
            args = list(args)
            args[3] = args[4] = None  # running mean and variance: not updated twice
        if self.func._schema.is_mutable and args and isinstance(args[0], torch.Tensor):
            args = [args[0].clone(), *args[1:]]  # an in-place write, made again on a copy
        with torch.no_grad():
            out = self.func(*args, **kwargs)
        results = list(out) if isinstance(out, (list, tuple)) else [out]
        for reference in self.values:
            value = reference()
            if value is not None and value.tensor() is None:  # the others still have theirs
                value.keep(results[value.index])
        # The inputs are no longer needed by this call.
        self.args = self.kwargs = None
        self.done = True


def _gone() -> None:
    """The weak reference of a value whose storage was written over."""
    return None


class _Value:
    """A tensor made in the step: alive (a weak reference to it) or made
    again from its call when the backward asks for it."""

    __slots__ = ("call", "index", "tensor", "dropped", "__weakref__")

    def __init__(self, call: _Call, index: int, tensor: torch.Tensor, dropped: bool) -> None:
        self.call, self.index, self.dropped = call, index, dropped
        self.tensor = weakref.ref(tensor)

    def materialise(self) -> torch.Tensor:
        alive = self.tensor()
        if alive is None:
            self.call.run()
            alive = self.tensor()
        if alive is None:  # pragma: no cover - a record that outlived its call's run
            raise RuntimeError("stowage.torch: a recomputed value was released before it was read")
        return alive

    def keep(self, value: torch.Tensor) -> None:
        """Holds a recomputed value while this record lives (while a saved
        slot of the backward, or a call not yet made again, needs it)."""
        self.tensor = lambda: value  # type: ignore[assignment]


class UnfollowablePlan(ValueError):
    """A remat plan the policy cannot run as planned (see
    :func:`unfollowable_step`); raised by :func:`checkpoint_policy` before
    any step runs, naming the first step it cannot follow."""


def unfollowable_step(remat: Remat, document: Mapping[str, Any]) -> Optional[str]:
    """Why the policy cannot run `remat`'s plan as planned, naming the
    plan's first such step; None when it can.

    The policy runs every forward operator once, frees a value the plan
    recomputes after its last forward use, and recomputes it once, when
    the backward first reads it, keeping it until its last backward read.
    It cannot follow:

    - a copy to or from another tier (spills to host memory): it keeps no
      tensor in CPU memory apart from the device's;
    - a forward operator run again before the plan's first backward
      operator: the plan evicted a value during the forward and recomputes
      it for a later forward read, where the policy would hold it;
    - an operator run a third time: the plan recomputes a value twice
      (evicted again in between), where the policy holds it from its first
      recomputation to its last read.

    Running such a plan would silently exceed the peak it claims, so the
    policy refuses it. O(steps + actions)."""
    operators = document["operators"]
    plan = remat.plan
    steps = plan.steps
    # The forward pass ends with the first run of its last forward operator;
    # an operator run again before then is recomputed within the forward.
    seen: Set[int] = set()
    forward_end = -1
    for index, step in enumerate(steps):
        if step.operator not in seen and operators[step.operator].get("phase", "forward") == "forward":
            forward_end = index
        seen.add(step.operator)
    runs = [0] * len(operators)
    for index, step in enumerate(steps):
        name = operators[step.operator]["name"]
        for action in step.before + step.after:
            if action.kind == "copy" or action.tier != plan.compute_tier:
                what = (f"copies {action.tensor} from {action.source} to {action.tier}" if action.kind == "copy"
                        else f"{action.kind}s {action.tensor} in {action.tier}")
                return (f"step {index} ({name}) {what}: the policy keeps every value in the device's memory "
                        f"(plans with spills are not run)")
        runs[step.operator] += 1
        if runs[step.operator] == 2 and index < forward_end:
            return (f"step {index} recomputes {name} during the forward pass (which ends at step "
                    f"{forward_end}): the policy recomputes a value only when the backward reads it")
        if runs[step.operator] == 3:
            return (f"step {index} runs {name} a third time: the policy recomputes a value once and "
                    f"keeps it until its last backward read")
    return None


class RecomputePolicy:
    """Which tensors of a training step to keep and which to recompute, from
    a :class:`stowage.Remat` of the step's captured graph. Use
    :meth:`applied` around the forward (and loss) of each step.

    Raises :class:`UnfollowablePlan` for a plan it would not run as planned
    (see :func:`unfollowable_step`)."""

    def __init__(self, remat: Remat, graph: Union[Graph, Mapping[str, Any]]) -> None:
        document = graph.to_json() if isinstance(graph, Graph) else graph
        if remat.plan is None or len(document["operators"]) <= max((s.operator for s in remat.plan.steps), default=-1):
            raise UnfollowablePlan("stowage.torch: the remat plan does not belong to this graph "
                                   "(it names operators the graph does not have)")
        reason = unfollowable_step(remat, document)
        if reason is not None:
            raise UnfollowablePlan(f"stowage.torch: cannot run the {remat.method} plan as planned: {reason}")
        self._tensors = ForwardTensors(document)
        self._recomputed = set(remat.recomputed)
        self.remat = remat
        #: After a step: graph tensors matched, and those the step dropped.
        self.matched: Set[str] = set()
        self.dropped: Set[str] = set()

    @contextlib.contextmanager
    def applied(self, model: torch.nn.Module) -> Iterator["RecomputePolicy"]:
        """Runs what is inside (the forward and the loss) under the policy;
        the backward afterwards recomputes what it dropped."""
        # In-place activations (ReLU(inplace=True)) run out of place, as in
        # the captured graph (which is functional): a value the plan drops
        # must not share its storage with one it keeps.
        self.matched, self.dropped = set(), set()
        with module_stack(model) as stack, out_of_place(model):
            recorder = _Recorder(self, stack)
            try:
                with torch.autograd.graph.saved_tensors_hooks(recorder.pack, _unpack), recorder:
                    yield self
            finally:
                recorder.values.clear()  # the saved slots hold what the backward needs

    def _match(self, module: str, tensor: torch.Tensor, matcher: TensorMatcher) -> bool:
        """Whether the plan recomputes this new tensor of `module` (the graph
        tensor the matcher says it is)."""
        name = matcher.match(module, tensor)
        if name is None:
            return False
        self.matched.add(name)
        if name in self._recomputed:
            self.dropped.add(name)
            return True
        return False


def _unpack(packed: Any) -> torch.Tensor:
    return packed.materialise() if isinstance(packed, _Value) else packed


class _Recorder(TorchDispatchMode):
    """Records every operator of the forward (see the module's doc)."""

    def __init__(self, policy: RecomputePolicy, stack: List[str]) -> None:
        super().__init__()
        self.policy, self.stack = policy, stack
        self.values: Dict[int, Tuple[Any, _Value]] = {}  # id(tensor) -> (weak ref, record)
        self.matcher = policy._tensors.matcher()

    def _value_of(self, tensor: torch.Tensor) -> Optional[_Value]:
        entry = self.values.get(id(tensor))
        return entry[1] if entry is not None and entry[0]() is tensor else None

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        record = lambda a: (self._value_of(a) or a) if isinstance(a, torch.Tensor) else a  # noqa: E731
        call = _Call(func, tree_map(record, args), tree_map(record, kwargs))
        out = func(*args, **kwargs)
        schema = func._schema
        # An operator that writes into a tensor made in the step (`out +=
        # identity`): the storage no longer holds the value it was made
        # with, so that value is made again from its recipe when needed,
        # and the written value (below) has a recipe of its own.
        for argument, given in zip(schema.arguments, args):
            if argument.alias_info is not None and argument.alias_info.is_write:
                for t in tree_flatten(given)[0]:
                    value = self._value_of(t) if isinstance(t, torch.Tensor) else None
                    if value is not None:
                        value.tensor = _gone
        seeded = torch.Tag.nondeterministic_seeded in func.tags
        fresh = {index for index, _, _ in fresh_outputs(func, args, kwargs, out)}
        outputs = list(out) if isinstance(out, (list, tuple)) else [out]
        for index, tensor in enumerate(outputs):
            if not isinstance(tensor, torch.Tensor):
                continue
            if index not in fresh:
                base = call.args[0] if call.args and isinstance(call.args[0], _Value) else None
                # A view: dropped when what it views is.
                dropped = base is not None and base.dropped
            else:
                # A new tensor, or the written input: a new value either way
                # (the captured graph is functional: `add_` is an `add`).
                dropped = self.policy._match(self.stack[-1], tensor, self.matcher) and not seeded
            value = _Value(call, index, tensor, dropped)
            call.values.append(weakref.ref(value))
            self.values[id(tensor)] = (weakref.ref(tensor), value)
        return out

    def pack(self, tensor: torch.Tensor) -> Any:
        value = self._value_of(tensor)
        return value if value is not None and value.dropped else tensor


def checkpoint_policy(remat: Remat, graph: Union[Graph, Mapping[str, Any]]) -> RecomputePolicy:
    """The policy that runs `remat` (a :func:`stowage.remat` of `graph`,
    the graph :func:`stowage.torch.capture` made with ``training=True``)
    in eager torch:

    >>> graph = stowage.torch.capture(model, (x,), training=True, loss_fn=loss_fn)
    >>> policy = stowage.torch.checkpoint_policy(stowage.remat(graph, budget=0.6), graph)
    >>> with policy.applied(model):
    ...     loss = loss_fn(model(x))
    >>> loss.backward()
    """
    return RecomputePolicy(remat, graph)


class Recomputing(torch.nn.Module):
    """`module` whose every call runs under `policy`: a drop-in wrapper when
    the module itself returns the loss (as the training models of
    Models/training do); otherwise use :meth:`RecomputePolicy.applied`
    around the forward and the loss."""

    def __init__(self, module: torch.nn.Module, policy: RecomputePolicy) -> None:
        super().__init__()
        self.module, self.policy = module, policy

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        with self.policy.applied(self.module):
            return self.module(*args, **kwargs)
