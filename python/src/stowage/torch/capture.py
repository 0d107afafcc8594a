"""A Stowage graph straight from a torch module, without an ONNX file.

:func:`capture` traces the module with ``torch.export`` (fake tensors: the
weights are neither run nor copied, shapes and dtypes come from the
tracer's metadata) and turns the ATen graph into a :class:`stowage.Graph`:

- every parameter and buffer is a weight named by its qualified name
  (``layer1.0.conv1.weight``);
- every operator that writes a new tensor is an operator, named
  ``<module>:<node>`` after the innermost module that called it
  (``layer1.0.conv1:conv2d``), and its output a tensor of the same name;
- operators whose output is a view of an input (``view``, ``permute``,
  ``expand``, ``alias``, ...: the schema says so) write no memory; they are
  not operators, and whoever reads the view reads the tensor it views.

With ``training=True`` the graph is the joint forward and backward graph
of one training step (``torch.export`` then its forward-backward export),
every operator with its ``phase``: forward operators keep their
module-qualified names; backward ones are named
``backward:<module>:<node>`` after the forward module they differentiate
(``backward:layer1.0.conv1:convolution_backward``). The joint export keeps
no module stack, sequence number or source for its backward nodes, so the
module is recovered from what the node reads (see ``_name_backward``:
the parameters it or a sibling reading the same gradient reads, else the
forward activation it reads). The loss and
the parameters' gradients are the graph's outputs. Forward values the
module's Python code holds past their last reader are read by ``release``
operators (cost 0, no outputs) where eager torch frees them, from one
forward pass on the meta device (lifetimes.py). The module (or
``loss_fn`` applied to its output) must give the scalar loss.

Cost: one symbolic trace of the module (and, for training, of its
backward); the graph is O(nodes + edges) in memory.
"""
from __future__ import annotations

import operator
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

import torch

from ..graph import Graph, OperatorSpec, TensorSpec

# torch dtypes by the element-type names of Stowage's graph format.
_DTYPES: Dict[torch.dtype, str] = {
    torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16", torch.float64: "float64",
    torch.int8: "int8", torch.int16: "int16", torch.int32: "int32", torch.int64: "int64", torch.uint8: "uint8",
    torch.bool: "bool", torch.complex64: "complex64", torch.complex128: "complex128",
}
for _name, _stowage in (("float8_e4m3fn", "float8e4m3fn"), ("float8_e4m3fnuz", "float8e4m3fnuz"),
                        ("float8_e5m2", "float8e5m2"), ("float8_e5m2fnuz", "float8e5m2fnuz"),
                        ("uint16", "uint16"), ("uint32", "uint32"), ("uint64", "uint64")):
    if hasattr(torch, _name):
        _DTYPES[getattr(torch, _name)] = _stowage


class _WithLoss(torch.nn.Module):
    """The module and its loss as one module whose output is the loss."""

    def __init__(self, model: torch.nn.Module, loss_fn: Optional[Callable[[Any], torch.Tensor]]) -> None:
        super().__init__()
        self.model = model
        self.loss_fn = loss_fn

    def forward(self, *inputs: Any) -> torch.Tensor:
        output = self.model(*inputs)
        loss = output if self.loss_fn is None else self.loss_fn(output)
        if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
            raise ValueError("stowage.torch.capture(training=True): the module's output is not a scalar loss; "
                             "pass loss_fn=... to make one from it")
        return loss


def capture(module: torch.nn.Module, example_inputs: Sequence[Any], training: bool = False,
            loss_fn: Optional[Callable[[Any], torch.Tensor]] = None, name: Optional[str] = None,
            eager_lifetimes: bool = True) -> Graph:
    """The Stowage graph of `module` run on inputs like `example_inputs`
    (inference: its forward; ``training=True``: one step's forward and
    backward). Only shapes and dtypes of the inputs matter.

    With ``training=True`` and `eager_lifetimes` (the default), forward
    values the module's Python code holds past their last reader (a local
    naming the logits while the loss runs) are read by ``release``
    operators where eager torch lets them go (see lifetimes.py), so that
    a remat plan is made for what the step will really hold."""
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"stowage.torch.capture: module must be a torch.nn.Module, not {type(module).__name__}")
    inputs = tuple(example_inputs) if isinstance(example_inputs, (list, tuple)) else (example_inputs,)
    graph_name = name or type(module).__name__
    if not training:
        program = torch.export.export(module, inputs)
        return _convert(program, graph_name, prefix="", module_stacks=None)

    wrapped = _WithLoss(module, loss_fn)
    # In-place activations (ReLU6(inplace=True)) are traced out of place:
    # functionalised, an in-place activation whose input the backward reads
    # becomes a clone in the graph that no eager step makes, and the
    # recompute policy runs them out of place too.
    inplace = [m for m in module.modules() if getattr(m, "inplace", None) is True]
    for m in inplace:
        m.inplace = False
    try:
        forward = torch.export.export(wrapped, inputs)
    finally:
        for m in inplace:
            m.inplace = True
    # The joint graph names its forward nodes as the decomposed forward
    # graph does, but drops their module stacks: they are taken from there.
    decomposed = forward.run_decompositions()
    stacks = {node.name: node.meta.get("nn_module_stack") for node in decomposed.graph.nodes}
    joint = _joint_graph(forward)
    graph = _convert(joint, graph_name, prefix="model.", module_stacks=stacks)
    if eager_lifetimes:
        from .lifetimes import hold_eager_lifetimes  # (it imports this module)

        hold_eager_lifetimes(graph, module, inputs, loss_fn)
    return graph


def _joint_graph(forward: Any) -> Any:
    """The joint forward and backward graph of an exported training step,
    with the backward operators eager autograd runs as single kernels
    (``threshold_backward``, ``native_batch_norm_backward``, ...) left
    whole: core ATen would decompose them (ReLU's backward into a mask and
    a ``where``), and the memory of the step is that of the kernels that
    really run. Private torch API (torch 2.13); where it is missing, the
    fully decomposed joint graph of ``_export_forward_backward``."""
    from torch.export.experimental import _export_forward_backward

    try:
        from torch._decomp import core_aten_decompositions
        from torch.export import experimental
        from torch.export.exported_program import _decompose_exported_program

        table = {op: f for op, f in core_aten_decompositions().items()
                 if not op.name().split("::")[-1].split(".")[0].endswith(("_backward", "_backward_data"))}
        program = _decompose_exported_program(forward, cia_to_decomp={}, python_decomp_table=table,
                                              joint_loss_index=0, decompose_custom_triton_ops=False)
        module, signature = experimental._copy_graph_module_and_signature(program)
        experimental._remove_detach_pass(module, signature)
        return program._update(module, signature)
    except (ImportError, AttributeError, TypeError):
        return _export_forward_backward(forward, 0)


def _strip(qualified: str, prefix: str) -> str:
    return qualified[len(prefix):] if prefix and qualified.startswith(prefix) else qualified


def _module_of(stack: Optional[Dict[str, Any]], prefix: str) -> str:
    """The qualified name of the innermost module in a node's module stack."""
    if not stack:
        return ""
    qualified = list(stack.values())[-1][0]
    return "" if qualified == prefix.rstrip(".") else _strip(qualified, prefix)


def _tensor_spec(name: str, kind: str, value: Any) -> TensorSpec:
    size = value.numel() * value.element_size()
    dtype = _DTYPES.get(value.dtype)
    shape = [int(d) for d in value.shape] if all(isinstance(d, int) for d in value.shape) else None
    if dtype is None or shape is None:
        return TensorSpec(name, kind, bytes=int(size))
    return TensorSpec(name, kind, bytes=int(size), dtype=dtype, shape=shape)


def _is_view(node: torch.fx.Node) -> bool:
    """Whether the node's first output aliases one of its inputs."""
    schema = getattr(node.target, "_schema", None)
    if schema is None or not schema.returns:
        return False
    alias = schema.returns[0].alias_info
    return alias is not None and not alias.is_write


def _flatten(value: Any) -> Iterable[Any]:
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _flatten(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _flatten(item)
    else:
        yield value


def _convert(program: Any, graph_name: str, prefix: str, module_stacks: Optional[Dict[str, Any]]) -> Graph:
    signature = program.graph_signature
    weights = {**signature.inputs_to_parameters, **signature.inputs_to_buffers,
               **getattr(signature, "inputs_to_lifted_tensor_constants", {})}

    graph = Graph(graph_name)
    tensor_of: Dict[str, List[str]] = {}  # node name -> the tensor names its value is (views: the base's)
    # For naming backward operators: the module of each tensor, and when it was made.
    module_of_tensor: Dict[str, str] = {}
    made_at: Dict[str, int] = {}
    forward_tensors: set = set()
    constants: set = set()  # made by operators that read nothing (scalar_tensor): they say nothing of a module
    parameters = set(signature.inputs_to_parameters)
    views: set = set()  # view nodes (split's list of views included)

    def inputs_of(node: torch.fx.Node) -> List[str]:
        names: List[str] = []
        for argument in _flatten((node.args, node.kwargs)):
            if isinstance(argument, torch.fx.Node):
                for tensor in tensor_of.get(argument.name, []):
                    if tensor and tensor not in names:
                        names.append(tensor)
        return names

    for node in program.graph.nodes:
        value = node.meta.get("val")
        if node.op == "placeholder":
            if not isinstance(value, torch.Tensor):
                continue
            if node.name in weights:
                tensor = _strip(weights[node.name], prefix)
                graph.tensors.append(_tensor_spec(tensor, "weight", value))
                if node.name in parameters:
                    module_of_tensor[tensor] = tensor.rsplit(".", 1)[0] if "." in tensor else ""
            else:
                tensor = node.name
                graph.tensors.append(_tensor_spec(tensor, "input", value))
            tensor_of[node.name] = [tensor]
        elif node.op == "call_function":
            if node.target is operator.getitem:
                source, index = node.args[0], node.args[1]
                if isinstance(source, torch.fx.Node) and source.name in views:
                    tensor_of[node.name] = tensor_of[source.name]  # a piece of a split: a view of its base
                    continue
                parts = tensor_of.get(source.name, []) if isinstance(source, torch.fx.Node) else []
                tensor_of[node.name] = [parts[index]] if isinstance(index, int) and index < len(parts) else []
                continue
            if _is_view(node):
                tensor_of[node.name] = inputs_of(node)[:1]
                views.add(node.name)
                continue
            outputs = [v for v in (value if isinstance(value, (list, tuple)) else [value])]
            reads = inputs_of(node)
            phase = None
            if module_stacks is not None and node.name in module_stacks:
                module = _module_of(module_stacks[node.name], prefix)
                base = f"{module}:{node.name}" if module else node.name
                phase = "forward"
            elif module_stacks is not None:
                module = ""  # named once the whole backward is known (_name_backward)
                base = f"backward:{node.name}"
                phase = "backward"
            else:
                module = _module_of(node.meta.get("nn_module_stack"), prefix)
                base = f"{module}:{node.name}" if module else node.name
            names = []
            for index, item in enumerate(outputs):
                if isinstance(item, torch.Tensor):
                    tensor = base if len(outputs) == 1 else f"{base}.{index}"
                    graph.tensors.append(_tensor_spec(tensor, "activation", item))
                    names.append(tensor)
                    module_of_tensor[tensor] = module
                    made_at[tensor] = len(made_at)
                    if phase == "forward":
                        forward_tensors.add(tensor)
                    if not reads:
                        constants.add(tensor)
                else:
                    names.append("")
            if any(names):
                graph.operators.append(OperatorSpec(base, str(node.target), reads, [n for n in names if n], phase=phase))
            tensor_of[node.name] = names
        elif node.op == "output":
            for argument in _flatten(node.args):
                if isinstance(argument, torch.fx.Node):
                    for tensor in tensor_of.get(argument.name, []):
                        if tensor and tensor not in graph.outputs:
                            graph.outputs.append(tensor)
    if module_stacks is not None:
        _name_backward(graph, module_of_tensor, made_at, forward_tensors, constants)
    return graph


def _name_backward(graph: Graph, module_of: Dict[str, str], made_at: Dict[str, int], forward: set,
                   constants: set) -> None:
    """Renames each backward operator ``backward:<node>`` (and its outputs)
    to ``backward:<module>:<node>`` after the forward module it
    differentiates, in this order of evidence:

    1. the module owning a parameter it reads (``convolution_backward``,
       the input-gradient matmul);
    2. the module owning a parameter read by another backward operator
       that reads the same gradient (the weight-gradient matmul and bias
       sum beside the input-gradient matmul);
    3. the module of the forward activation it reads that the forward made
       last (``threshold_backward`` reads the ReLU's output);
    4. the module of the backward value it reads that was made last (the
       gradient flowing in; constants made from nothing do not count);

    none (the top-level module: the loss, functions in its forward)
    leaves ``backward:<node>``. O(operators + edges)."""
    backward = [op for op in graph.operators if op.phase == "backward"]
    owner = lambda t: module_of.get(t) if t not in made_at else None  # noqa: E731  (parameters only)
    readers: Dict[str, List[OperatorSpec]] = {}
    for op in backward:
        for t in op.inputs:
            readers.setdefault(t, []).append(op)
    renamed: Dict[str, str] = {}
    for op in backward:
        owners = [owner(t) for t in op.inputs if owner(t)]
        if not owners:
            owners = [owner(w) for t in op.inputs if t in made_at and t not in forward
                      for sibling in readers.get(t, []) for w in sibling.inputs if owner(w)]
        module = owners[0] if owners else ""
        if not owners:
            for pool in ([t for t in op.inputs if t in forward],
                         [t for t in op.inputs if t in made_at and t not in forward and t not in constants]):
                if pool:
                    module = module_of.get(max(pool, key=lambda t: made_at[t]), "")
                    break
        for t in op.outputs:
            module_of[t] = module
        if module:
            node = op.name[len("backward:"):]
            new = f"backward:{module}:{node}"
            for t in op.outputs:
                renamed[t] = new + t[len(op.name):]
            op.name = new
    if not renamed:
        return
    for tensor in graph.tensors:
        tensor.name = renamed.get(tensor.name, tensor.name)
    for op in graph.operators:
        op.inputs = [renamed.get(t, t) for t in op.inputs]
        op.outputs = [renamed.get(t, t) for t in op.outputs]
    graph.outputs = [renamed.get(t, t) for t in graph.outputs]
