"""The torch front end: stowage.torch.capture on small modules, checked
against the modules themselves (parameter names, output sizes seen by
forward hooks), and the captured graphs planned through the C library.

Skipped, with the reason, where torch is not installed (`make test`
installs the CPU wheel into its virtualenv)."""
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed: the torch front end's tests need it "
                                            "(make test installs the CPU wheel; or pip install torch)")
nn = torch.nn

import stowage  # noqa: E402
from stowage.torch import LiveTensorBytes, capture  # noqa: E402


class Block(nn.Module):
    """conv-bn-relu twice with a residual add, then a classifier head."""

    def __init__(self, channels: int = 8, classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, channels, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(channels)
        self.body = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(channels, classes)

    def forward(self, x):
        h = torch.relu(self.bn1(self.conv1(x)))
        h = h + self.body(h)
        return self.head(self.pool(h).flatten(1))


def leaf_output_bytes(module, inputs):
    """{qualified name: bytes of its output} for each leaf module, from a real forward run."""
    sizes = {}
    hooks = [m.register_forward_hook(lambda m, i, o, name=name: sizes.__setitem__(name, o.numel() * o.element_size()))
             for name, m in module.named_modules() if name and not list(m.children())]
    with torch.no_grad():
        module(*inputs)
    for hook in hooks:
        hook.remove()
    return sizes


def test_inference_capture_names_tensors_after_their_modules():
    model = Block().eval()
    inputs = (torch.randn(2, 3, 16, 16),)
    graph = capture(model, inputs)
    kinds = {t.name: t.kind for t in graph.tensors}
    weights = {name for name, kind in kinds.items() if kind == "weight"}
    assert weights == set(model.state_dict()) - {"bn1.num_batches_tracked"} or weights == set(model.state_dict())
    assert [name for name, kind in kinds.items() if kind == "input"] == ["x"]

    # Each leaf module's output is a tensor named after the module, of the
    # size a real run gives.
    sizes = {t.name: t.bytes for t in graph.tensors}
    for module, nbytes in leaf_output_bytes(model, inputs).items():
        named = [name for name in sizes if name.startswith(module + ":")]
        assert named, f"no tensor of {module} in {sorted(sizes)}"
        assert sizes[named[-1]] == nbytes, module
    # flatten is a view: no operator, and the head reads what the pool wrote.
    assert not any("flatten" in op.name or op.type.startswith("aten.view") for op in graph.operators)
    head = next(op for op in graph.operators if op.name.startswith("head:"))
    assert any(name.startswith("pool:") for name in head.inputs)
    assert graph.outputs == [head.outputs[0]]

    plan = stowage.plan(graph, scratchpad="M_H")
    assert {t.name for t in plan.tensors} == set(sizes)
    assert max(plan.live_bytes()) == plan.peak_bytes


def test_capture_needs_no_weight_data():
    """A module on the meta device has no weight storage at all: capture
    works from shapes and dtypes alone."""
    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(4096, 4096), nn.GELU(), nn.Linear(4096, 4096)).to(torch.bfloat16)
        x = torch.empty(8, 4096, dtype=torch.bfloat16)
    graph = capture(model, (x,))
    weight = next(t for t in graph.tensors if t.name == "0.weight")
    assert (weight.dtype, weight.shape, weight.bytes) == ("bfloat16", [4096, 4096], 4096 * 4096 * 2)
    assert [op.name.split(":")[0] for op in graph.operators] == ["0", "1", "2"]


def test_training_capture_is_the_joint_forward_and_backward_graph():
    model = Block().train()
    inputs = (torch.randn(2, 3, 16, 16),)
    graph = capture(model, inputs, training=True, loss_fn=lambda logits: logits.square().mean())
    forward = [op for op in graph.operators if not op.name.startswith("backward:")]
    backward = [op for op in graph.operators if op.name.startswith("backward:")]
    assert forward and backward and graph.operators.index(backward[0]) == len(forward)
    assert any(op.name.startswith("conv1:") for op in forward) and any(op.name.startswith("head:") for op in forward)
    # Outputs: the loss, batch norm's updated statistics, and one gradient
    # per trainable parameter, of the parameter's size.
    sizes = {t.name: t.bytes for t in graph.tensors}
    gradients = sorted(sizes[name] for name in graph.outputs if name.startswith("backward:"))
    assert gradients == sorted(p.numel() * p.element_size() for p in model.parameters() if p.requires_grad)
    assert len(graph.outputs) == 1 + 3 + len(gradients)
    # Some forward activations are read by the backward: the values a
    # checkpoint policy would choose between saving and recomputing.
    saved = {name for op in backward for name in op.inputs} & {name for op in forward for name in op.outputs}
    assert any(name.startswith("conv1:") or name.startswith("bn1:") for name in saved)

    plan = stowage.plan(graph, scratchpad="M_H")
    assert len(plan.steps) == len(graph.operators)


def test_training_capture_wants_a_scalar_loss():
    with pytest.raises(ValueError, match="loss_fn"):
        capture(nn.Linear(4, 2), (torch.randn(3, 4),), training=True)


def test_planned_activation_peak_matches_a_measured_training_step():
    """The plan of the captured training graph (everything resident, the
    graph's order) predicts the activation bytes a real eager CPU step
    holds at its peak, as a dispatch-mode tracker measures them."""
    torch.manual_seed(0)
    model = Block(32).train()
    x = torch.randn(8, 3, 32, 32)
    loss_fn = lambda logits: logits.square().mean()  # noqa: E731
    plan = stowage.plan(capture(model, (x,), training=True, loss_fn=loss_fn), scratchpad="M_P")
    planned = max(plan.live_bytes(kinds=("activation",)))
    with LiveTensorBytes() as tracker:
        loss_fn(model(x)).backward()
    print(f"Block(32), batch 8, 32x32: planned activation peak {planned} B, measured {tracker.peak} B")
    assert abs(tracker.peak - planned) <= 0.10 * planned


def test_tracker_counts_no_storage_an_operator_returns_as_new_but_shares():
    """`_unsafe_view` (what eager `matmul` and `reshape` return) declares a
    new tensor in its schema but returns its input's storage: a view of a
    tensor made before the block is no new memory, and a view of one made
    inside it is not counted twice."""
    weight = torch.randn(256, 256)
    with LiveTensorBytes() as tracker:
        view = torch.ops.aten._unsafe_view(weight, [256 * 256])
        made = weight * 2
        again = torch.ops.aten._unsafe_view(made, [256 * 256])
    assert view.data_ptr() == weight.data_ptr() and again.data_ptr() == made.data_ptr()
    assert tracker.peak == 256 * 256 * 4  # `made` only (the old tracker counted `weight` too: twice that)


class Holds(nn.Module):
    """A forward whose locals name values past their last reader: `h`,
    `kept` and `y` until it returns (and the loss runs after them)."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.b, self.c = nn.Linear(8, 8), nn.Linear(8, 8), nn.Linear(8, 8)

    def forward(self, x):
        h = self.a(x)
        kept = h.tanh()
        y = self.b(kept)
        return self.c(y.relu()).square().mean()


def test_training_capture_holds_values_as_long_as_eager_torch_does():
    """capture(training=True) reads each forward value a Python frame still
    names past its last reader with a `release` operator where eager torch
    lets it go (here: after the loss), so a plan sees those lifetimes;
    eager_lifetimes=False gives the graph as traced."""
    torch.manual_seed(0)
    model, x = Holds(), torch.randn(4, 8)
    plain = capture(model, (x,), training=True, eager_lifetimes=False)
    graph = capture(model, (x,), training=True)
    assert all(op.type != "release" for op in plain.operators)
    assert [op for op in graph.operators if op.type != "release"] == plain.operators
    releases = [i for i, op in enumerate(graph.operators) if op.type == "release"]
    assert len(releases) == 1
    release = graph.operators[releases[0]]
    assert release.outputs == [] and release.phase == "forward" and release.cost == 0
    forward = [op for op in graph.operators if op.phase == "forward" and op.type != "release"]
    # Right after the forward's last operator (the loss's mean)...
    assert graph.operators[releases[0] - 1] is forward[-1] and "mean" in forward[-1].type
    # ...reading the outputs of a, tanh and b, which the locals h, kept and y
    # hold; not the relu's (a temporary, freed once c has read it).
    producer = {t: op for op in forward for t in op.outputs}
    held = {producer[t].name.split(":")[0] if producer[t].name.startswith(("a:", "b:", "c:")) else producer[t].type
            for t in release.inputs}
    assert held == {"a", "b", "aten.tanh.default"}, release.inputs
    # Every planner reads the extended graph: keep-all counts them.
    assert stowage.remat(graph, budget=1.0, method="keep-all").peak_bytes >= \
        stowage.remat(plain, budget=1.0, method="keep-all").peak_bytes
