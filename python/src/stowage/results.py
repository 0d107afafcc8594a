"""What the planners hand back, as dataclasses.

A :class:`Plan` is Stowage's plan format (``Schemas/plan.schema.json``,
version 2) read into Python: tiers, steps with their actions, the claimed
metrics, and the per-tensor residency table (every stay of every tensor in
every tier). Every plan was replayed by Stowage's verifier before the call
returned. :attr:`Plan.text` keeps the JSON as the library wrote it, so
``plan.write("plan.json")`` gives the file `stowage verify` and `stowage
render` read.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union


@dataclass(frozen=True)
class TensorInfo:
    """A tensor of the planned graph, as the plan lists it."""

    name: str
    bytes: int
    kind: str  # "input", "weight" or "activation"


@dataclass(frozen=True)
class Tier:
    """A memory: the scratchpad (addressed, with a capacity) or the host."""

    name: str
    capacity: Optional[int]
    alignment: int
    addressed: bool


@dataclass(frozen=True)
class Action:
    """One memory action around a step: ``allocate`` (in ``tier``, at
    ``offset`` in an addressed tier), ``copy`` (``source`` to ``tier``) or
    ``free`` (from ``tier``)."""

    kind: str
    tensor: str
    tier: str
    source: Optional[str] = None
    offset: Optional[int] = None


@dataclass(frozen=True)
class Step:
    """One operator run (``operator`` indexes the graph's operators, in the
    graph's order), with the actions before and after it."""

    operator: int
    before: Tuple[Action, ...]
    after: Tuple[Action, ...]


@dataclass(frozen=True)
class Residency:
    """A stay of a tensor in a tier: resident while the operators of steps
    ``first_step`` to ``last_step`` (both included) run, at ``offset`` in an
    addressed tier; ``loaded``: it arrived by a copy; ``stored``: it was
    copied to the home tier during the stay."""

    tensor: str
    tier: str
    offset: Optional[int]
    first_step: int
    last_step: int
    loaded: bool
    stored: bool


@dataclass(frozen=True)
class Metrics:
    """What the plan claims (and the verifier checked): peak bytes and
    heights per tier, bytes moved per link (``"host->scratchpad"``),
    compulsory and non-compulsory traffic; for the ILP, the solver's
    objective, lower bound and status."""

    peak_bytes: Dict[str, int]
    heights: Dict[str, int]
    bytes_moved: Dict[str, int]
    compulsory_bytes: int
    non_compulsory_bytes: int
    objective: Optional[float] = None
    bound: Optional[float] = None
    solver_status: Optional[str] = None


@dataclass(frozen=True)
class Plan:
    """A verified plan. ``print(plan)`` gives a one-line summary; the
    tables are in the fields."""

    method: str
    graph_name: str
    fingerprint: str
    tensors: Tuple[TensorInfo, ...] = field(repr=False)
    tiers: Tuple[Tier, ...] = field(repr=False)
    home_tier: str = field(repr=False)
    compute_tier: str = field(repr=False)
    steps: Tuple[Step, ...] = field(repr=False)
    metrics: Metrics = field(repr=False)
    residencies: Tuple[Residency, ...] = field(repr=False)
    #: The plan as JSON text, as the library returned it.
    text: str = field(repr=False, compare=False)

    @property
    def non_compulsory_bytes(self) -> int:
        """Bytes moved that some plan could avoid: what the planners minimise."""
        return self.metrics.non_compulsory_bytes

    @property
    def peak_bytes(self) -> int:
        """The compute tier's peak."""
        return self.metrics.peak_bytes.get(self.compute_tier, 0)

    @property
    def bound(self) -> Optional[float]:
        """A lower bound on :attr:`non_compulsory_bytes` (ILP plans only)."""
        return self.metrics.bound

    @property
    def gap(self) -> Optional[float]:
        """Relative gap between the traffic and the bound (0 when they
        meet), None without a bound; as `stowage plan --json` reports it."""
        if self.bound is None:
            return None
        traffic = float(self.non_compulsory_bytes)
        return 0.0 if traffic <= self.bound + 0.5 else (traffic - self.bound) / max(traffic, 1.0)

    @property
    def optimal(self) -> Optional[bool]:
        """Whether the plan is proven optimal (None without a bound)."""
        return None if self.bound is None else self.non_compulsory_bytes <= self.bound + 0.5

    def residencies_of(self, tensor: str) -> List[Residency]:
        """Every stay of the tensor named `tensor`, in step order."""
        return [r for r in self.residencies if r.tensor == tensor]

    def live_bytes(self, tier: Optional[str] = None, kinds: Sequence[str] = ("input", "weight", "activation")) -> List[int]:
        """Bytes resident in `tier` (default: the compute tier) while each
        step's operator runs, counting the tensors of the given kinds. From
        the residency table: O(residencies + steps)."""
        tier = tier or self.compute_tier
        wanted = set(kinds)
        kind_of = {t.name: t.kind for t in self.tensors}
        size_of = {t.name: t.bytes for t in self.tensors}
        delta = [0] * (len(self.steps) + 1)
        for r in self.residencies:
            if r.tier == tier and kind_of[r.tensor] in wanted:
                delta[r.first_step] += size_of[r.tensor]
                delta[r.last_step + 1] -= size_of[r.tensor]
        live, total = [], 0
        for step in range(len(self.steps)):
            total += delta[step]
            live.append(total)
        return live

    def write(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the plan file (`stowage verify` and `stowage render` read it)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.text)

    @classmethod
    def from_json(cls, document: Union[str, Mapping[str, Any]]) -> "Plan":
        """A plan from its JSON (text or decoded)."""
        text = document if isinstance(document, str) else json.dumps(document)
        data = json.loads(text) if isinstance(document, str) else document
        tensors = tuple(TensorInfo(name=t[0], bytes=t[1], kind=t[2]) for t in data["tensors"])
        names = [t.name for t in tensors]

        def action(item: Sequence[Any]) -> Action:
            kind = item[0]
            if kind == "allocate":
                return Action("allocate", names[item[1]], item[2], offset=item[3] if len(item) > 3 else None)
            if kind == "copy":
                return Action("copy", names[item[1]], item[3], source=item[2])
            return Action(kind, names[item[1]], item[2])

        m = data["metrics"]
        metrics = Metrics(
            peak_bytes=dict(m["peakBytes"]), heights=dict(m["heights"]), bytes_moved=dict(m["bytesMoved"]),
            compulsory_bytes=m["compulsoryBytes"], non_compulsory_bytes=m["nonCompulsoryBytes"],
            objective=m.get("objective"), bound=m.get("bound"), solver_status=m.get("solverStatus"))
        return cls(
            method=data["method"],
            graph_name=data["graph"]["name"],
            fingerprint=data["graph"]["fingerprint"],
            tensors=tensors,
            tiers=tuple(Tier(t["name"], t.get("capacity"), t["alignment"], t["addressed"]) for t in data["tiers"]),
            home_tier=data["homeTier"],
            compute_tier=data["computeTier"],
            steps=tuple(Step(s[0], tuple(action(a) for a in s[1]), tuple(action(a) for a in s[2])) for s in data["steps"]),
            metrics=metrics,
            residencies=tuple(
                Residency(names[r["tensor"]], r["tier"], r["offset"], r["firstStep"], r["lastStep"], r["loaded"], r["stored"])
                for r in data.get("residencies", [])),
            text=text,
        )

    def __str__(self) -> str:
        bound = "" if self.bound is None else f", bound={self.bound:.0f}, gap={self.gap:.4f}"
        return (f"Plan({self.method} for {self.graph_name!r}: {len(self.steps)} steps, {len(self.tensors)} tensors, "
                f"{len(self.residencies)} residencies, peak {self.peak_bytes} bytes in {self.compute_tier}, "
                f"non-compulsory traffic {self.non_compulsory_bytes} bytes{bound})")


@dataclass(frozen=True)
class Buffer:
    """A buffer for :func:`stowage.allocate`: live over ``[lower, upper)``,
    ``size`` bytes, placed at a multiple of ``alignment``, or at ``offset``
    when that is given."""

    id: Union[str, int]
    lower: int
    upper: int
    size: int
    alignment: Optional[int] = None
    offset: Optional[int] = None

    def to_json(self) -> Dict[str, Any]:
        item: Dict[str, Any] = {"id": self.id, "lower": self.lower, "upper": self.upper, "size": self.size}
        if self.alignment is not None:
            item["alignment"] = self.alignment
        if self.offset is not None:
            item["offset"] = self.offset
        return item


@dataclass(frozen=True)
class Allocation:
    """Offsets for buffers with fixed lifetimes, checked pairwise before the
    call returned; ``offsets[i]`` belongs to the i-th buffer given."""

    ids: Tuple[str, ...]
    offsets: Tuple[int, ...]
    height: int
    lower_bound: int
    optimal: bool
    gap: float
    method: str
    seconds: float

    def offset_of(self, id: Union[str, int]) -> int:
        """The offset of the buffer with this id."""
        return self.offsets[self.ids.index(str(id))]


@dataclass(frozen=True)
class Schedule:
    """The smallest arena found over operator orders (``stowage_schedule``):
    the arena's ``height`` and the chosen order's ``peak_bytes``, with a
    ``lower_bound`` on the height (over every order when ``bound_scope`` is
    "all-orders"), and the verified single-tier plan (steps in the chosen
    order, offsets in the tier "arena")."""

    height: int
    peak_bytes: int
    lower_bound: int
    optimal: bool
    gap: float
    bound_scope: str
    file_order_peak: int
    file_order_height: int
    method: str
    seconds: float
    plan: Optional[Plan] = field(repr=False)
    #: Everything the library reported (``Schemas/schedule.schema.json``).
    report: Dict[str, Any] = field(repr=False, compare=False)

    @property
    def order(self) -> List[int]:
        """The chosen operator order (indices into the graph's operators)."""
        return [] if self.plan is None else [step.operator for step in self.plan.steps]

    @classmethod
    def from_json(cls, text: str) -> "Schedule":
        data = json.loads(text)
        plan = data.get("plan")
        return cls(height=data["height"], peak_bytes=data["peakBytes"], lower_bound=data["lowerBound"],
                   optimal=data["optimal"], gap=data["gap"], bound_scope=data["boundScope"],
                   file_order_peak=data["fileOrderPeak"], file_order_height=data["fileOrderHeight"],
                   method=data["method"], seconds=data["seconds"],
                   plan=None if plan is None else Plan.from_json(plan), report=data)


@dataclass(frozen=True)
class RematSearch:
    """What the large-neighbourhood search over Checkmate's MILP did
    (``Remat.search``): neighbourhood MILPs tried, how many of them were
    solved to optimality, improvements accepted, and whether it started
    from the covering bound's or the critical-moment relaxation's schedule."""

    windows: int
    proved: int
    improved: int
    from_cover: bool
    from_critical: bool

    @classmethod
    def from_report(cls, data: Mapping[str, Any]) -> "RematSearch":
        return cls(windows=data["windows"], proved=data["proved"], improved=data["improved"],
                   from_cover=data["fromCover"], from_critical=data.get("fromCritical", False))


@dataclass(frozen=True)
class Remat:
    """A rematerialisation plan (``stowage_remat``): what to keep and what
    to recompute so that a training graph's activations fit
    ``budget_bytes``, at ``compute_cost`` against ``base_cost`` for one run
    of every operator. The plan (one tier "device"; steps may run an
    operator again) was replayed by Stowage's verifier; ``peak_bytes`` is
    the peak it measured. ``bound`` is a lower bound on the compute cost of
    the schedules ``bound_scope`` covers ("all-schedules",
    "capped-executions", "stages"), None when the method gives none.

    The plan read against its graph: ``saved`` are the forward activations
    the backward pass reads (what a training step keeps for it unless told
    otherwise), ``recomputed`` those of them, and of their ancestors, the
    plan computes again, ``kept`` the saved ones it does not;
    ``recomputed_operators`` names every operator run more than once.
    """

    feasible: bool
    budget_bytes: int
    keep_all_peak_bytes: int
    minimum_bytes: int
    peak_bytes: int
    base_cost: float
    compute_cost: float
    overhead: float
    overhead_bound: Optional[float]
    bound: Optional[float]
    optimal: Optional[bool]
    bound_scope: Optional[str]
    gap: Optional[float]
    recomputations: int
    method: str
    seconds: float
    #: Bytes stored to host memory (``spill=True``), and what the copies cost (0 without spills).
    spilled_bytes: int
    transfer_cost: float
    #: With ``budget="min"``: the smallest budget the method planned in.
    smallest_planned_bytes: Optional[int]
    #: Which bound ``overhead_bound`` is ("milp", "lp", "stage-knapsack", "cover", "critical", "base"), None without one.
    bound_source: Optional[str]
    #: The neighbourhood search's counts, None when it did not run.
    search: Optional[RematSearch]
    saved: Tuple[str, ...] = field(repr=False)
    kept: Tuple[str, ...] = field(repr=False)
    recomputed: Tuple[str, ...] = field(repr=False)
    recomputed_operators: Tuple[str, ...] = field(repr=False)
    plan: Plan = field(repr=False)
    #: Everything the library reported (``Schemas/remat-report.schema.json``).
    report: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, text: str, graph: Mapping[str, Any]) -> "Remat":
        """From ``stowage_remat``'s answer with ``"report": true`` and the
        graph (a dict in Stowage's JSON graph format) it planned.
        O(steps + the graph's edges)."""
        data = json.loads(text)
        report, plan = data["report"], Plan.from_json(data["plan"])
        operators = graph.get("operators", [])
        runs = [0] * len(operators)
        for step in plan.steps:
            runs[step.operator] += 1
        forward_outputs = {t for o in operators if o.get("phase", "forward") == "forward" for t in o["outputs"]}
        saved: List[str] = []
        for o in operators:
            if o.get("phase") == "backward":
                saved.extend(t for t in o["inputs"] if t in forward_outputs and t not in saved)
        again = [o for o, n in zip(operators, runs) if n > 1]
        recomputed = tuple(t for o in again for t in o["outputs"])
        dropped = set(recomputed)
        return cls(
            feasible=report["feasible"], budget_bytes=report["budgetBytes"],
            keep_all_peak_bytes=report["keepAllPeakBytes"], minimum_bytes=report["minimumBytes"],
            peak_bytes=report["peakBytes"], base_cost=report["baseCost"], compute_cost=report["computeCost"],
            overhead=report["overhead"], overhead_bound=report.get("overheadBound"), bound=plan.metrics.bound,
            optimal=report.get("optimal"), bound_scope=report.get("boundScope"), gap=report.get("gap"),
            recomputations=report["recomputations"], method=report["method"], seconds=report["seconds"],
            spilled_bytes=report.get("spilledBytes") or 0, transfer_cost=report.get("transferCost") or 0.0,
            smallest_planned_bytes=report.get("smallestPlannedBytes"),
            bound_source=report.get("boundSource"),
            search=None if report.get("search") is None else RematSearch.from_report(report["search"]),
            saved=tuple(saved), kept=tuple(t for t in saved if t not in dropped), recomputed=recomputed,
            recomputed_operators=tuple(o["name"] for o in again), plan=plan, report=report)

    def __str__(self) -> str:
        bound = "" if self.overhead_bound is None else f" (bound {self.overhead_bound:.1%}, {self.bound_scope})"
        return (f"Remat({self.method}: peak {self.peak_bytes} of budget {self.budget_bytes} bytes "
                f"(keep-all {self.keep_all_peak_bytes}), {len(self.kept)} of {len(self.saved)} saved values kept, "
                f"{self.recomputations} recomputations, overhead {self.overhead:.1%}{bound})")


@dataclass(frozen=True)
class OffloadPolicy:
    """FlexGen's view of a placement: the shares of the weights, the KV
    cache and the activations (hidden states) on the GPU, in CPU memory and
    on the tiers beyond the host (FlexGen's "disk"), each a triple that
    sums to 1; ``nb`` GPU batches of ``gbs`` sequences make one block."""

    gbs: int
    nb: int
    weights: Tuple[float, float, float]
    cache: Tuple[float, float, float]
    activations: Tuple[float, float, float]

    @property
    def block_size(self) -> int:
        """Sequences per block."""
        return self.gbs * self.nb


@dataclass(frozen=True)
class OffloadTier:
    """One memory of the placement and what it holds. ``peak_bytes`` is
    the cost model's peak (FlexGen mode: the GPU, the CPU and every tier
    beyond, lumped as "disk"); ``simulated_peak_bytes`` the block
    simulation's, when one ran. Exact mode also says what lives here:
    ``weight_layers`` (per weight tensor, the layers keeping it here),
    ``cache_units`` ((layer, KV head, GPU batch) units of the cache) and
    the sequences of a GPU batch whose hidden states live here, in the
    prefill and while decoding."""

    name: str
    peak_bytes: Optional[float]
    simulated_peak_bytes: Optional[float] = None
    weight_layers: Dict[str, int] = field(default_factory=dict)
    cache_units: Optional[int] = None
    hidden_sequences: Optional[int] = None
    decode_hidden_sequences: Optional[int] = None


@dataclass(frozen=True)
class Offload:
    """Where an LLM's weights, KV cache and activations live during
    inference (``stowage_offload``), for ``throughput`` generated tokens per
    second under the cost model.

    ``policy`` is FlexGen's view (shares per tier); ``tiers`` the memories
    with their peaks and (exact mode) what each holds; ``layers`` (exact
    mode) each layer's weight tensors and their tier. ``bound`` (exact mode)
    is a throughput no whole-tensor placement of the batch shapes visited
    exceeds, ``gap`` = (bound - throughput) / bound; both None in FlexGen
    mode, whose LP is the model. A simulated block (exact mode, or
    ``simulate=True``) gives ``simulated_throughput`` and, with
    ``plans=True``, its verified prefill and decode plans.
    """

    model: str
    mode: str
    throughput: float
    prefill_seconds: float
    decode_seconds: float
    policy: OffloadPolicy
    tiers: Tuple[OffloadTier, ...]
    bound: Optional[float]
    gap: Optional[float]
    relaxed_throughput: Optional[float]
    proven: Optional[bool]
    simulated_throughput: Optional[float]
    bottlenecks: Tuple[str, ...]
    lp_solves: int
    milp_solves: Optional[int]
    timed_out: bool
    #: Exact mode: placements passed over because their check would not fit in the time left (0: none).
    unvalidated: int
    seconds: float
    layers: Tuple[Dict[str, str], ...] = field(repr=False)
    prefill_plan: Optional[Plan] = field(repr=False)
    decode_plan: Optional[Plan] = field(repr=False)
    #: Everything the library reported (``Schemas/offload-report.schema.json``).
    report: Dict[str, Any] = field(repr=False, compare=False)

    def tier(self, name: str) -> OffloadTier:
        """The tier called `name` (KeyError when there is none)."""
        for tier in self.tiers:
            if tier.name == name:
                return tier
        raise KeyError(name)

    @classmethod
    def from_json(cls, text: str, model: str, mode: str) -> "Offload":
        """From ``stowage_offload``'s answer: the report, or with ``"plans":
        true`` the report beside the block plans."""
        data = json.loads(text)
        report = data["report"] if "report" in data else data
        prefill = data.get("prefillPlan")
        decode = data.get("decodePlan")
        r = report
        placement = r.get("placement")
        if r.get("peakBytes") is not None:
            names = list(r["tiers"])
            peaks: List[Optional[float]] = list(r["peakBytes"])
        else:
            names = ["gpu", "cpu", "disk"]
            peaks = [r["gpuPeakBytes"], r["cpuPeakBytes"], r["diskPeakBytes"]]
        simulated = r.get("simulatedPeakBytes")
        if simulated is not None and list(r.get("tiers") or []) != names:
            simulated = None  # a chain longer than FlexGen's three tiers: not aligned with its peaks
        tiers = []
        for k, name in enumerate(names):
            tiers.append(OffloadTier(
                name=name, peak_bytes=peaks[k], simulated_peak_bytes=None if simulated is None else simulated[k],
                weight_layers={} if placement is None else {t: row[k] for t, row in placement["weightCounts"].items()},
                cache_units=None if placement is None else placement["cacheUnits"][k],
                hidden_sequences=None if placement is None else placement["hiddenSequences"][k],
                decode_hidden_sequences=None if placement is None else placement["decodeHiddenSequences"][k]))
        bound = r.get("bound")
        throughput = r["throughput"]
        gap = None if bound is None else (max(0.0, bound - throughput) / bound if bound > 0 else 0.0)
        return cls(
            model=model, mode=mode, throughput=throughput, prefill_seconds=r["prefillSeconds"],
            decode_seconds=r["decodeSeconds"],
            policy=OffloadPolicy(gbs=r["gbs"], nb=r["nb"], weights=(r["wg"], r["wc"], r["wn"]),
                                 cache=(r["cg"], r["cc"], r["cn"]), activations=(r["hg"], r["hc"], r["hn"])),
            tiers=tuple(tiers), bound=bound, gap=gap, relaxed_throughput=r.get("relaxedThroughput"),
            proven=r.get("proven"), simulated_throughput=r.get("simulatedThroughput"),
            bottlenecks=tuple(r.get("bottlenecks") or ()), lp_solves=r["lpSolves"], milp_solves=r.get("milpSolves"),
            timed_out=bool(r.get("timedOut", False)), unvalidated=int(r.get("unvalidated", 0)), seconds=r["seconds"],
            layers=tuple(dict(layer["weights"]) for layer in (placement or {}).get("layers", [])),
            prefill_plan=None if prefill is None else Plan.from_json(prefill),
            decode_plan=None if decode is None else Plan.from_json(decode),
            report=report)

    def __str__(self) -> str:
        p = self.policy
        shares = " ".join(f"{name} {g:.0%}/{c:.0%}/{n:.0%}" for name, (g, c, n) in
                          (("w", p.weights), ("c", p.cache), ("h", p.activations)))
        bound = "" if self.bound is None else f", bound {self.bound:.4g} (gap {self.gap:.2%})"
        return (f"Offload({self.model}, {self.mode}: {self.throughput:.4g} token/s at gbs {p.gbs}, nb {p.nb}; "
                f"GPU/CPU/disk {shares}{bound})")
