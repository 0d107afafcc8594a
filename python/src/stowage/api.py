"""The planners, as Python functions over the C API.

Each function turns its keyword arguments into the C API's options (the
`stowage` command's option names in camelCase: ``dtype_bytes`` becomes
``dtypeBytes``), calls the library, and returns a dataclass. Arguments left
at None are not sent, so the library's defaults apply and there is one
place (the library) that decides them. A failure raises the
:class:`~stowage.errors.StowageError` subclass of its class, carrying the
library's one-line reason.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Union

from . import _library
from .errors import BadInput
from .graph import Graph
from .results import Allocation, Buffer, Offload, Plan, Remat, Schedule

#: A model: a file path (ONNX or a JSON graph), a :class:`Graph`, or a graph
#: already in Stowage's JSON graph format as a dict.
Model = Union[str, "os.PathLike[str]", Graph, Mapping[str, Any]]

#: A size: bytes (an int) or text in Stowage's one byte grammar ("2MiB",
#: "1.5GB"); for a scratchpad also a budget of the graph: "M_R", "M_P", "M_H".
Size = Union[int, str]


def _options(**given: Any) -> Dict[str, Any]:
    """The given options without the Nones, with camelCase keys."""
    options = {}
    for key, value in given.items():
        if value is None:
            continue
        head, *rest = key.split("_")
        options[head + "".join(part.capitalize() for part in rest)] = value
    return options


def plan(model: Model, scratchpad: Size, *, method: Optional[str] = None, policy: Optional[str] = None,
         schedule: Optional[str] = None, solver: Optional[str] = None, time_limit: Optional[float] = None,
         gap: Optional[float] = None, dtype_bytes: Optional[int] = None, alignment: Optional[int] = None,
         dims: Optional[Mapping[str, int]] = None, unknown_sizes: Optional[str] = None) -> Plan:
    """Plans `model` through a scratchpad of `scratchpad` bytes (or a
    budget: "M_R", "M_P", "M_H"), as `stowage plan` does.

    ``method`` is "baseline" (default) or "ilp"; ``policy`` ("belady",
    "lru") is for the baseline, ``schedule`` ("fixed", "free"), ``solver``
    ("cbc", "glpk") and ``gap`` for the ILP; ``time_limit`` is wall-clock
    seconds for the whole call. The plan was replayed by Stowage's
    verifier before it is returned.

    >>> stowage.plan("Models/onnx/resnet50.onnx", scratchpad="M_H", dtype_bytes=1)
    """
    options = _options(scratchpad=scratchpad, method=method, policy=policy, schedule=schedule, solver=solver,
                       time_limit=time_limit, gap=gap, dtype_bytes=dtype_bytes, alignment=alignment,
                       dims=None if dims is None else dict(dims), unknown_sizes=unknown_sizes)
    library = _library.load()
    if isinstance(model, (str, os.PathLike)):
        text = library.call("stowage_plan_file", os.fspath(model), options)
    elif isinstance(model, Graph):
        text = library.call("stowage_plan", model.dumps(), options)
    elif isinstance(model, Mapping):
        text = library.call("stowage_plan", json.dumps(dict(model)), options)
    else:
        raise TypeError(f"stowage.plan: model must be a path, a stowage.Graph or a dict, not {type(model).__name__}")
    return Plan.from_json(text)


def allocate(buffers: Iterable[Union[Buffer, Mapping[str, Any]]], *, capacity: Optional[int] = None,
             method: Optional[str] = None, solver: Optional[str] = None, time_limit: Optional[float] = None,
             minimize_below_capacity: Optional[bool] = None) -> Allocation:
    """Gives every buffer an offset so that buffers alive at the same time
    never overlap (lifetimes are half-open, ``[lower, upper)``).

    Without ``capacity`` the height is minimised; with it, a placement
    below it is found or :class:`~stowage.errors.NoAnswer` raised.
    ``method`` is "auto" (default), "greedy", "search" or "ilp".
    """
    items = []
    for index, buffer in enumerate(buffers):
        if isinstance(buffer, Buffer):
            items.append(buffer.to_json())
        elif isinstance(buffer, Mapping):
            items.append(dict(buffer))
        else:
            raise TypeError(f"stowage.allocate: buffer {index} must be a stowage.Buffer or a dict, "
                            f"not {type(buffer).__name__}")
    options = _options(capacity=capacity, method=method, solver=solver, time_limit=time_limit,
                       minimize_below_capacity=minimize_below_capacity)
    result = json.loads(_library.load().call("stowage_allocate", json.dumps(items), options))
    return Allocation(
        ids=tuple(str(item.get("id", index)) for index, item in enumerate(items)),
        offsets=tuple(result["offsets"]), height=result["height"], lower_bound=result["lowerBound"],
        optimal=result["optimal"], gap=result["gap"], method=result["method"], seconds=result["seconds"])


def _graph_text(model: Model, planner: str) -> str:
    """A JSON graph's text from a path, a :class:`Graph` or a dict (the C
    API's graph-taking functions read JSON graphs, not ONNX files)."""
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        if not path.endswith(".json"):
            raise BadInput(f"{path}: stowage.{planner} takes a JSON graph (.json); "
                           f"for an ONNX model use `stowage {planner}` or capture the graph")
        try:
            with open(path, encoding="utf-8") as f:
                return f.read()
        except OSError as error:
            raise BadInput(f"{path}: {error.strerror or error}") from error
    if isinstance(model, Graph):
        return model.dumps()
    if isinstance(model, Mapping):
        return json.dumps(dict(model))
    raise TypeError(f"stowage.{planner}: model must be a path, a stowage.Graph or a dict, not {type(model).__name__}")


def schedule(model: Model, *, method: Optional[str] = None, solver: Optional[str] = None,
             time_limit: Optional[float] = None, dtype_bytes: Optional[int] = None, max_states: Optional[int] = None,
             dims: Optional[Mapping[str, int]] = None) -> Schedule:
    """The smallest arena `model` can run in: chooses the operator order and
    every tensor's offset, as `stowage schedule` does, with a lower bound.

    `model` is a JSON graph (file path, :class:`Graph` or dict; the C API
    takes graphs, not ONNX files). ``method`` is "auto" (default), "dp",
    "ilp" or "heuristic"; ``max_states`` caps the exact search.
    """
    text = _graph_text(model, "schedule")
    options = _options(method=method, solver=solver, time_limit=time_limit, dtype_bytes=dtype_bytes,
                       max_states=max_states, dims=None if dims is None else dict(dims))
    return Schedule.from_json(_library.load().call("stowage_schedule", text, options))


def remat(model: Model, budget: Union[int, float, str], *, method: Optional[str] = None,
          solver: Optional[str] = None, time_limit: Optional[float] = None, gap: Optional[float] = None,
          spill: Optional[bool] = None, hardware: Optional[str] = None, cost_unit: Optional[str] = None,
          dims: Optional[Mapping[str, int]] = None, unknown_sizes: Optional[str] = None) -> Remat:
    """What to keep, recompute (and with ``spill`` store to host memory) so
    that a training graph's activations fit `budget`, at the least extra
    compute the method finds (`stowage remat`). Graph inputs and weights
    are resident throughout and outside the budget; operators carry
    ``phase`` and ``cost`` (1 when absent).

    ``budget`` is bytes (an int), a size ("1.5GB"), a fraction of the
    peak of keeping everything (0.7), or "min" (the smallest budget the
    method plans in, by bisection). ``method`` is "auto" (default),
    "exact", "checkmate", "lp", "chen", "torch-knapsack", "greedy",
    "griewank" or "keep-all"; ``solver`` is for auto, exact, checkmate
    and lp, ``gap`` for auto, exact and checkmate; ``spill=True`` (auto,
    exact, greedy) needs ``hardware`` (a profile file or built-in name)
    and reads operator costs in ``cost_unit`` ("us" by default);
    ``time_limit`` is wall-clock seconds for the whole call. Below the
    smallest budget that can be proven necessary:
    :class:`~stowage.errors.NoAnswer`, naming it.

    >>> r = stowage.remat("Models/training/resnet18.json", budget=0.7)
    >>> r.peak_bytes <= r.budget_bytes, r.overhead, r.recomputed[:3]
    """
    text = _graph_text(model, "remat")
    if isinstance(budget, bool) or not isinstance(budget, (int, float, str)):
        raise TypeError(f"stowage.remat: budget must be bytes, a size, a fraction or 'min', not {type(budget).__name__}")
    options = _options(budget=budget, method=method, solver=solver, time_limit=time_limit, gap=gap, spill=spill,
                       hardware=hardware, cost_unit=cost_unit, dims=None if dims is None else dict(dims),
                       unknown_sizes=unknown_sizes)
    options["report"] = True
    try:
        graph = json.loads(text)
    except ValueError:
        graph = {}  # the library names the place of the error
    answer = _library.load().call("stowage_remat", text, options)
    return Remat.from_json(answer, graph)


#: A Hugging Face ``config.json``: a file path, or the config as a dict.
Config = Union[str, "os.PathLike[str]", Mapping[str, Any]]


def offload(config: Config, *, hardware: Optional[Union[str, "os.PathLike[str]"]] = None,
            prompt: Optional[int] = None, gen: Optional[int] = None, gpu_mem: Optional[Size] = None,
            cpu_mem: Optional[Size] = None, disk: Optional[Size] = None, gbs: Optional[int] = None,
            nb: Optional[int] = None, percent: Optional[Sequence[float]] = None, alpha: Optional[float] = None,
            compress_weights: Optional[bool] = None, compress_cache: Optional[bool] = None,
            mode: Optional[str] = None, simulate: Optional[bool] = None, time_limit: Optional[float] = None,
            plans: bool = False, name: Optional[str] = None) -> Offload:
    """Where an LLM's weights, KV cache and activations live during
    inference (GPU, CPU memory, disk, or the tiers of a hardware profile),
    for the most generated tokens per second, as `stowage offload` does.

    `config` is a Hugging Face ``config.json`` (OPT, Llama, Mistral): a path
    (the result is named after the file) or a dict. ``hardware`` is a
    profile file or a built-in name ("t4" by default); ``prompt`` and
    ``gen`` the prompt and generated tokens; ``gpu_mem``, ``cpu_mem`` and
    ``disk`` override the profile's capacities (bytes or "16GiB"). With
    ``gbs`` and ``nb`` only that batch shape is solved, and ``percent``
    (six numbers WG WC CG CC HG HC) evaluates that fixed policy. ``mode``
    is "flexgen" (default: FlexGen's LP and policy search) or "exact"
    (whole tensors per layer, with a bound, the block simulated and
    verified); ``simulate=True`` simulates FlexGen's policy too;
    ``plans=True`` brings back the verified block plans. ``time_limit``
    is wall-clock seconds for the whole call.

    >>> r = stowage.offload("Models/llm/opt-30b.json", hardware="Profiles/t4.json", gbs=48, nb=3,
    ...                     percent=[20, 80, 0, 100, 0, 100])
    >>> r.throughput, r.policy.weights, r.tier("gpu").peak_bytes
    """
    if isinstance(config, (str, os.PathLike)):
        path = os.fspath(config)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as error:
            raise BadInput(f"{path}: {error.strerror or error}") from error
        model = name or os.path.splitext(os.path.basename(path))[0]
    elif isinstance(config, Mapping):
        text = json.dumps(dict(config))
        model = name or "config"
    else:
        raise TypeError(f"stowage.offload: config must be a path or a dict, not {type(config).__name__}")
    if percent is not None:
        percent = [float(p) for p in percent]
    options = _options(hardware=None if hardware is None else os.fspath(hardware), prompt=prompt, gen=gen,
                       gpu_mem=gpu_mem, cpu_mem=cpu_mem, disk=disk, gbs=gbs, nb=nb, percent=percent, alpha=alpha,
                       compress_weights=compress_weights, compress_cache=compress_cache, mode=mode,
                       simulate=simulate, time_limit=time_limit)
    options["name"] = model
    if plans:
        options["plans"] = True
    answer = _library.load().call("stowage_offload", text, options)
    return Offload.from_json(answer, model=model, mode=mode or "flexgen")


def library_version() -> str:
    """The version of the loaded libstowage (``stowage_version()``)."""
    return _library.load().version
