"""stowage.plan and stowage.allocate against the C library, checked
independently: residencies replayed in Python, allocations checked pairwise
and against a brute-force optimum, errors with their classes and reasons."""
import itertools
import json

import pytest

import stowage


def chain_graph(layers: int) -> stowage.Graph:
    """fc1..fcN (16 KiB activations, 64 KiB weights) and a residual add of
    the input at the end: at M_R (96 KiB) the input cannot stay resident."""
    g = stowage.Graph("chain")
    x = g.input("x", bytes=16384)
    h = x
    for i in range(1, layers + 1):
        h = g.op(f"fc{i}", "MatMul", [h, g.weight(f"w{i}", bytes=65536)], f"h{i}", bytes=16384)
    g.outputs.append(g.op("residual", "Add", [x, h], "y", bytes=16384))
    return g


def test_resnet50_plan_from_the_issue(repository):
    plan = stowage.plan(str(repository / "Models/onnx/resnet50.onnx"), scratchpad="M_H", dtype_bytes=1)
    assert plan.graph_name == "resnet50"
    assert len(plan.steps) == 122 and len(plan.tensors) == 231
    assert str(plan).startswith("Plan(baseline-belady for 'resnet50': 122 steps")
    # The residency table, replayed here, gives the peak the plan claims,
    # and the peak fits the scratchpad.
    capacity = next(t.capacity for t in plan.tiers if t.name == plan.compute_tier)
    assert max(plan.live_bytes()) == plan.peak_bytes <= capacity
    # Every tensor an operator reads is resident in the scratchpad at its step.
    graph = json.loads(plan.text)
    assert graph["graph"]["operators"] == len(plan.steps)
    assert plan.bound is None and plan.gap is None and plan.optimal is None


def test_ilp_plan_of_a_python_graph_is_proven_optimal():
    plan = stowage.plan(chain_graph(8), scratchpad="M_R", method="ilp", solver="glpk", time_limit=30)
    # The input is read again by the last operator and cannot stay: loaded
    # twice, 16 KiB of avoidable traffic, and the bound meets it.
    assert plan.non_compulsory_bytes == 16384
    assert plan.bound is not None and plan.optimal and plan.gap == 0.0
    stays = plan.residencies_of("x")
    assert [r.tier for r in stays if r.tier == plan.compute_tier] and any(r.loaded for r in stays)
    # The same graph as a dict, and the plan written out and read back.
    again = stowage.plan(chain_graph(8).to_json(), scratchpad=98304, method="ilp", solver="glpk")
    assert again.non_compulsory_bytes == 16384 and again.fingerprint == plan.fingerprint


def test_plan_round_trips_through_its_file(tmp_path):
    plan = stowage.plan(chain_graph(3), scratchpad="M_H")
    path = tmp_path / "plan.json"
    plan.write(path)
    assert stowage.Plan.from_json(path.read_text()) == plan


def test_errors_are_exceptions_with_the_reason_and_the_exit_code(repository, tmp_path):
    missing = tmp_path / "nothing.onnx"
    with pytest.raises(stowage.BadInput) as bad:
        stowage.plan(str(missing), scratchpad="M_H")
    assert bad.value.status == bad.value.exit_code == 2 and isinstance(bad.value, ValueError)
    assert str(missing) in str(bad.value) and "\n" not in str(bad.value)

    with pytest.raises(stowage.BadInput, match="method"):
        stowage.plan(chain_graph(2), scratchpad="M_H", method="ilq")
    with pytest.raises(stowage.BadInput, match="policy"):
        stowage.plan(chain_graph(2), scratchpad="M_H", method="ilp", policy="lru")

    with pytest.raises(stowage.NoAnswer) as none:
        stowage.plan(str(repository / "Models/onnx/resnet50.onnx"), scratchpad=1024, dtype_bytes=1)
    assert none.value.status == 1 and "infeasible at 1024 bytes" in str(none.value)

    with pytest.raises(TypeError):
        stowage.plan(42, scratchpad="M_H")  # type: ignore[arg-type]


def brute_force_height(buffers):
    """The smallest height over every order of first-fit placement (exact
    for these few buffers of equal alignment)."""
    best = None
    for order in itertools.permutations(range(len(buffers))):
        placed = []
        for i in order:
            b = buffers[i]
            offset = 0
            for o, c in sorted(((o, c) for o, c in placed if c.lower < b.upper and b.lower < c.upper), key=lambda p: p[0]):
                if offset + b.size > o and offset < o + c.size:
                    offset = o + c.size
            placed.append((offset, b))
        height = max(o + b.size for o, b in placed)
        best = height if best is None else min(best, height)
    return best


def test_allocate_is_checked_pairwise_and_against_brute_force():
    buffers = [stowage.Buffer("a", 0, 2, 4), stowage.Buffer("b", 1, 3, 8), stowage.Buffer("c", 2, 4, 4),
               stowage.Buffer("d", 0, 4, 2), stowage.Buffer("e", 3, 5, 6)]
    result = stowage.allocate(buffers)
    for (i, x), (j, y) in itertools.combinations(enumerate(buffers), 2):
        if x.lower < y.upper and y.lower < x.upper:
            ox, oy = result.offsets[i], result.offsets[j]
            assert ox + x.size <= oy or oy + y.size <= ox, (x.id, y.id)
    assert result.height == max(o + b.size for o, b in zip(result.offsets, buffers))
    assert result.height == brute_force_height(buffers) and result.optimal
    assert result.offset_of("b") == result.offsets[1]

    with pytest.raises(stowage.NoAnswer):
        stowage.allocate(buffers, capacity=result.height - 1)
    with pytest.raises(stowage.BadInput, match="capacity"):
        stowage.allocate(buffers, capacity="M_H")  # type: ignore[arg-type]


def test_library_version_is_the_package_version(repository):
    swift = (repository / "Sources/StowageKit/Version.swift").read_text()
    expected = swift.split('static let version = "')[1].split('"')[0]
    assert stowage.library_version() == expected
    if stowage.__version__ != "0+unknown":  # installed, not run from the source tree
        assert stowage.__version__ == expected


def two_branches() -> stowage.Graph:
    """Two branches of a big then a small activation, joined: running one
    branch to its end before starting the other halves the peak."""
    g = stowage.Graph("branches")
    x = g.input("x", bytes=8)
    a = g.op("a2", "Op", [g.op("a1", "Op", [x], "a1", bytes=100)], "a2", bytes=10)
    b = g.op("b2", "Op", [g.op("b1", "Op", [x], "b1", bytes=100)], "b2", bytes=10)
    g.outputs.append(g.op("join", "Add", [a, b], "y", bytes=1))
    # The file order interleaves the branches (a1, b1, ...): the worst order.
    g.operators[1], g.operators[2] = g.operators[2], g.operators[1]
    return g


def peak_of(graph: stowage.Graph, order) -> int:
    """The peak of live activations when the operators run in `order`: an
    operator's inputs and outputs are live while it runs, an activation
    until its last reader (graph outputs to the end)."""
    size = {t.name: t.bytes for t in graph.tensors if t.kind == "activation"}
    producer = {out: op.name for op in graph.operators for out in op.outputs}
    position = {op.name: k for k, op in enumerate(order)}
    last = {t: max([position[op.name] for op in order if t in op.inputs], default=position[producer[t]]) for t in size}
    for t in graph.outputs:
        last[t] = len(order) - 1
    return max(sum(s for t, s in size.items() if position[producer[t]] <= k <= last[t]) for k in range(len(order)))


def brute_force_peak(graph: stowage.Graph) -> int:
    """The smallest peak over every topological order."""
    producer = {out: op.name for op in graph.operators for out in op.outputs}
    peaks = []
    for order in itertools.permutations(graph.operators):
        position = {op.name: k for k, op in enumerate(order)}
        if all(i not in producer or position[producer[i]] < position[op.name] for op in order for i in op.inputs):
            peaks.append(peak_of(graph, order))
    return min(peaks)


def test_schedule_finds_the_smallest_peak_over_every_order():
    graph = two_branches()
    result = stowage.schedule(graph, method="dp")
    assert result.peak_bytes == brute_force_peak(graph) == 120
    assert result.file_order_peak == peak_of(graph, graph.operators) == 210
    assert result.lower_bound <= result.height and result.peak_bytes <= result.height
    assert result.optimal and result.bound_scope == "all-orders"
    names = [graph.operators[i].name for i in result.order]
    assert sorted(names) == sorted(op.name for op in graph.operators)
    assert names.index("a2") < names.index("b1") or names.index("b2") < names.index("a1")

    with pytest.raises(stowage.BadInput, match="maxStates"):
        stowage.schedule(graph, max_states=-1)
    with pytest.raises(stowage.BadInput, match="JSON graph"):
        stowage.schedule("Models/onnx/resnet50.onnx")
