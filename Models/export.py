#!/usr/bin/env python3
"""Export the Stowage reference network graphs to ONNX, without weights.

Run from the repository root:

    python Models/export.py              # every model of the zoo (Models/onnx)
    python Models/export.py resnet50 gpt2  # only some
    python Models/export.py vision       # the six graphs of Models/vision

Every model is built in code with random (untrained) weights; nothing is
downloaded.  The graph is exported at batch size 1, shape inference is run so
every intermediate tensor has a static shape in value_info, and then every
initializer is turned into an external-data reference (``data_location =
EXTERNAL``, ``location = NAME.weights``) whose data file is never written.  The
resulting .onnx keeps each initializer's name, dims and data_type but none of
its bytes, so it is small and can be loaded with
``onnx.load(path, load_external_data=False)``.

Doc strings and metadata (which can carry local file paths and stack traces)
are removed, and the script fails if a local path is left in the file.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import warnings

import onnx
import onnx.shape_inference
import torch

OPSET = 17  # legacy (TorchScript) exporter
DYNAMO_OPSET = 18  # dynamo exporter: its opset-17 down-conversion leaves invalid Split nodes
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "onnx")
# Graphs the planners were not tuned on (issue 15): written beside, not among,
# the bundled zoo so that globs over Models/onnx/*.onnx keep their figures.
VISION_DIR = os.path.join(HERE, "vision")

IMAGE = (1, 3, 224, 224)
SEGMENTATION_IMAGE = (1, 3, 520, 520)  # torchvision's default size for its segmentation models
VIDEO = (1, 3, 16, 112, 112)
SEQUENCE = 128

# Substrings that must never appear in a shipped .onnx file.
FORBIDDEN = [b"/work", b"/root", b"/home", b"/tmp", b"/usr", b"site-packages", b"dist-packages"]


# ---------------------------------------------------------------------------
# Model builders: each returns (module, args tuple, input names, output names,
# exporter preference).


def _import_torchvision():
    """torchvision, also where its compiled ops cannot load.

    PyPI has no CPU-only torchvision: the wheel beside a CPU-only torch
    (requirements-cpu.txt) is built against CUDA, its `_C` extension fails to
    load, and `import torchvision` then fails while registering fake kernels
    for those ops (nms, roi_align, ...). The classification models need none
    of them, so that one registration module is skipped.
    """
    try:
        import torchvision
    except RuntimeError as error:
        if "torchvision::" not in str(error):
            raise
        import types

        for key in [k for k in sys.modules if k == "torchvision" or k.startswith("torchvision.")]:
            del sys.modules[key]
        sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
        import torchvision
    return torchvision


def _tv(name, **kwargs):
    torchvision = _import_torchvision()

    builder = torchvision.models.get_model_builder(name)
    return builder(weights=None, **kwargs)


def _image_model(tv_name, shape=IMAGE, **kwargs):
    def build():
        model = _tv(tv_name, **kwargs)
        return model, (torch.randn(*shape),), ["input"], ["output"], "legacy"

    return build


def _segmentation_model(tv_name, **kwargs):
    def build():
        model = _tv(tv_name, weights_backbone=None, **kwargs)

        class OutOnly(torch.nn.Module):
            # torchvision segmentation models return a dict; export only "out".
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, x):
                return self.inner(x)["out"]

        return OutOnly(model), (torch.randn(*SEGMENTATION_IMAGE),), ["input"], ["output"], "legacy"

    return build


def _bert():
    from transformers import BertConfig, BertModel

    config = BertConfig()  # bert-base: 12 layers, hidden 768, 12 heads, vocab 30522
    config._attn_implementation = "eager"
    model = BertModel(config, add_pooling_layer=True)
    input_ids = torch.randint(0, config.vocab_size, (1, SEQUENCE), dtype=torch.long)
    attention_mask = torch.ones(1, SEQUENCE, dtype=torch.long)

    class Wrapper(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, return_dict=True)
            return out.last_hidden_state, out.pooler_output

    # The legacy exporter leaves unfolded mask arithmetic whose shapes ONNX shape
    # inference cannot resolve; the dynamo exporter gives fully static shapes.
    return (
        Wrapper(model),
        (input_ids, attention_mask),
        ["input_ids", "attention_mask"],
        ["last_hidden_state", "pooler_output"],
        "dynamo",
    )


def _gpt2():
    from transformers import GPT2Config, GPT2Model

    config = GPT2Config()  # gpt2 (small): 12 layers, hidden 768, 12 heads, vocab 50257, 1024 positions
    config.use_cache = False
    config._attn_implementation = "eager"
    model = GPT2Model(config)
    input_ids = torch.randint(0, config.vocab_size, (1, SEQUENCE), dtype=torch.long)

    class Wrapper(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids):
            out = self.inner(input_ids=input_ids, use_cache=False, return_dict=True)
            return out.last_hidden_state

    # The legacy exporter cannot export aten::diff (transformers' mask utilities).
    return Wrapper(model), (input_ids,), ["input_ids"], ["last_hidden_state"], "dynamo"


MODELS = {
    "resnet50": _image_model("resnet50"),
    "resnext50": _image_model("resnext50_32x4d"),
    "mobilenet_v2": _image_model("mobilenet_v2"),
    "vgg16": _image_model("vgg16"),
    # Legacy export of vit_b_16 leaves class-token/attention shapes unresolved,
    # so export_one falls back to the dynamo exporter for it.
    "vit_b_16": _image_model("vit_b_16"),
    "fcn_resnet50": _segmentation_model("fcn_resnet50", aux_loss=False),
    "deeplabv3_resnet50": _segmentation_model("deeplabv3_resnet50", aux_loss=False),
    "lraspp_mobilenet_v3": _segmentation_model("lraspp_mobilenet_v3_large"),
    "r2plus1d_18": _image_model("r2plus1d_18", shape=VIDEO),
    "bert_base": _bert,
    "gpt2": _gpt2,
}

# Six public vision architectures of other families, exported the same way
# into Models/vision/: dense connectivity, depthwise-separable convolutions
# with squeeze-and-excite, inception branches, large-kernel ConvNeXt blocks,
# fire modules, and windowed attention. With 1-byte elements and weights
# counted, the classifier's weight alone reaches the peak of live bytes at
# 224x224 for four of them (M_R = M_P: nothing can ever spill), so those
# four take 448x448 images, where the activations dominate as in ConvNeXt
# and Swin at 224x224 (Swin's windows need 224x224 or a multiple of it).
LARGE_IMAGE = (1, 3, 448, 448)
VISION_MODELS = {
    "densenet201": _image_model("densenet201", shape=LARGE_IMAGE),
    "efficientnet_b0": _image_model("efficientnet_b0", shape=LARGE_IMAGE),
    "googlenet": _image_model("googlenet", shape=LARGE_IMAGE, aux_logits=False, init_weights=False),
    "convnext_tiny": _image_model("convnext_tiny"),
    "squeezenet1_1": _image_model("squeezenet1_1", shape=LARGE_IMAGE),
    "swin_t": _image_model("swin_t"),
}


def out_dir(name: str) -> str:
    return VISION_DIR if name in VISION_MODELS else OUT_DIR


# ---------------------------------------------------------------------------
# Export


def export_legacy(model, args, input_names, output_names) -> onnx.ModelProto:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            args,
            buffer,
            dynamo=False,
            opset_version=OPSET,
            input_names=input_names,
            output_names=output_names,
            do_constant_folding=True,
            export_params=True,
            training=torch.onnx.TrainingMode.EVAL,
        )
    return onnx.load_model_from_string(buffer.getvalue())


def export_dynamo(model, args, input_names, output_names) -> onnx.ModelProto:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(
            model,
            args,
            dynamo=True,
            opset_version=DYNAMO_OPSET,
            input_names=input_names,
            output_names=output_names,
            optimize=True,
            external_data=False,
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.onnx")
        program.save(path, external_data=False)
        return onnx.load(path)


def infer_shapes(model: onnx.ModelProto) -> onnx.ModelProto:
    model = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=False, data_prop=True)
    return model


def unknown_shapes(model: onnx.ModelProto) -> list[str]:
    """Names of top-level tensors (inputs, node outputs) without a fully static shape."""
    graph = model.graph
    typed = {}
    for vi in list(graph.input) + list(graph.value_info) + list(graph.output):
        typed[vi.name] = vi
    initializers = {t.name for t in graph.initializer}
    names = [vi.name for vi in graph.input if vi.name not in initializers]
    for node in graph.node:
        names.extend(o for o in node.output if o)
    bad = []
    for name in names:
        vi = typed.get(name)
        if vi is None or not vi.type.HasField("tensor_type") or not vi.type.tensor_type.HasField("shape"):
            bad.append(name)
            continue
        for dim in vi.type.tensor_type.shape.dim:
            if not dim.HasField("dim_value"):
                bad.append(name)
                break
    return bad


def strip(model: onnx.ModelProto, name: str) -> onnx.ModelProto:
    """Drop doc strings / metadata and turn every initializer into an external reference."""
    model.doc_string = ""
    del model.metadata_props[:]
    if not _uses_functions(model):
        del model.functions[:]

    def clean_graph(graph: onnx.GraphProto):
        graph.doc_string = ""
        del graph.metadata_props[:]
        for vi in list(graph.input) + list(graph.output) + list(graph.value_info):
            vi.doc_string = ""
            del vi.metadata_props[:]
        for tensor in graph.initializer:
            tensor.doc_string = ""
            del tensor.metadata_props[:]
        for node in graph.node:
            node.doc_string = ""
            del node.metadata_props[:]
            for attr in node.attribute:
                attr.doc_string = ""
                if attr.HasField("g"):
                    clean_graph(attr.g)
                for sub in attr.graphs:
                    clean_graph(sub)

    clean_graph(model.graph)
    for function in model.functions:
        function.doc_string = ""
        del function.metadata_props[:]
        for node in function.node:
            node.doc_string = ""
            del node.metadata_props[:]

    # Same layout as onnx.save_model(..., save_as_external_data=True,
    # all_tensors_to_one_file=True, location=NAME.weights, size_threshold=0),
    # but the data file is never written.
    location = f"{name}.weights"
    offset = 0
    for tensor in model.graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            raise RuntimeError(f"{name}: initializer {tensor.name} already external")
        data = onnx.numpy_helper.to_array(tensor).tobytes()
        length = len(data)
        for field in ("raw_data", "float_data", "int32_data", "string_data", "int64_data",
                      "double_data", "uint64_data"):
            tensor.ClearField(field)
        del tensor.external_data[:]
        for key, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
            entry = tensor.external_data.add()
            entry.key = key
            entry.value = value
        tensor.data_location = onnx.TensorProto.EXTERNAL
        offset += length
    return model


def _uses_functions(model: onnx.ModelProto) -> bool:
    used = set()

    def walk(graph):
        for node in graph.node:
            used.add((node.domain, node.op_type))
            for attr in node.attribute:
                if attr.HasField("g"):
                    walk(attr.g)
                for sub in attr.graphs:
                    walk(sub)

    walk(model.graph)
    return any((f.domain, f.name) in used for f in model.functions)


def perturb(model: torch.nn.Module) -> None:
    """Make every parameter/buffer distinct, as in a trained network.

    Freshly initialised networks have many identical tensors (BatchNorm/LayerNorm
    weights of 1 and biases of 0, zero-initialised biases).  The legacy exporter
    de-duplicates identical initializers and inserts Identity nodes for them,
    which a trained network would not have.  Small noise avoids that artefact.
    """
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm) and module.track_running_stats:
                module.running_mean.copy_(torch.randn(module.running_mean.shape, generator=generator) * 0.1)
                module.running_var.copy_(torch.rand(module.running_var.shape, generator=generator) + 0.5)
        for parameter in model.parameters():
            if parameter.is_floating_point():
                parameter.add_(torch.randn(parameter.shape, generator=generator) * 1e-3)


def export_one(name: str) -> dict:
    torch.manual_seed(0)
    model, args, input_names, output_names, preferred = {**MODELS, **VISION_MODELS}[name]()
    model.eval()
    perturb(model)
    exporters = [export_legacy, export_dynamo] if preferred == "legacy" else [export_dynamo, export_legacy]
    errors = []
    candidates = []  # (number of tensors without static shape, exporter, proto)
    with torch.no_grad():
        for exporter in exporters:
            try:
                exported = infer_shapes(exporter(model, args, input_names, output_names))
                onnx.checker.check_model(exported)
            except Exception as error:  # noqa: BLE001 - try the next exporter
                errors.append(f"{exporter.__name__}: {type(error).__name__}: {error}")
                print(f"{name}: {exporter.__name__} failed: {type(error).__name__}: {error}", file=sys.stderr)
                continue
            missing = len(unknown_shapes(exported))
            candidates.append((missing, exporters.index(exporter), exporter.__name__.replace("export_", ""), exported))
            if missing == 0:
                break
            print(f"{name}: {exporter.__name__} left {missing} tensors without a static shape", file=sys.stderr)
    if not candidates:
        raise RuntimeError("; ".join(errors))
    _, _, used, proto = min(candidates, key=lambda c: (c[0], c[1]))
    bad = unknown_shapes(proto)
    proto = strip(proto, name)

    directory = out_dir(name)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{name}.onnx")
    onnx.save_model(proto, path)

    # Verify: loads without weights, no local paths inside.
    reloaded = onnx.load(path, load_external_data=False)
    assert all(t.data_location == onnx.TensorProto.EXTERNAL and not t.raw_data for t in reloaded.graph.initializer)
    blob = open(path, "rb").read()
    for needle in FORBIDDEN:
        if needle in blob:
            raise RuntimeError(f"{name}: local path fragment {needle!r} left in {path}")
    if os.path.exists(os.path.join(directory, f"{name}.weights")):
        os.remove(os.path.join(directory, f"{name}.weights"))
    return {
        "exporter": used,
        "nodes": len(reloaded.graph.node),
        "initializers": len(reloaded.graph.initializer),
        "bytes": len(blob),
        "unknown_shapes": bad,
    }


def main(argv: list[str]) -> int:
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    # nn.MultiheadAttention's inference fast path (used by vit_b_16) calls
    # aten::_native_multi_head_attention, which the legacy exporter cannot export.
    torch.backends.mha.set_fastpath_enabled(False)
    os.makedirs(OUT_DIR, exist_ok=True)
    if argv == ["vision"]:
        argv = list(VISION_MODELS)
    names = argv or list(MODELS)
    known = {**MODELS, **VISION_MODELS}
    failed = []
    for name in names:
        if name not in known:
            print(f"unknown model {name}; choose from {', '.join(known)} (or 'vision' for all of Models/vision)", file=sys.stderr)
            return 2
        try:
            info = export_one(name)
        except Exception as error:  # noqa: BLE001 - report and go on with the next model
            failed.append(name)
            print(f"{name}: FAILED: {type(error).__name__}: {error}", file=sys.stderr)
            continue
        unknown = info["unknown_shapes"]
        print(
            f"{name}: {info['exporter']} exporter, {info['nodes']} nodes, {info['initializers']} initializers, "
            f"{info['bytes']} bytes" + (f", {len(unknown)} tensors without static shape: {unknown[:5]}" if unknown else "")
        )
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
