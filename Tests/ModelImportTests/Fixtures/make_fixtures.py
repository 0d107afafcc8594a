#!/usr/bin/env python3
"""Writes the small ONNX fixtures of ModelImportTests (run from this folder
with the `onnx` package: python make_fixtures.py). Deterministic output."""

import onnx
from onnx import TensorProto, helper

F = TensorProto.FLOAT


def save(model, name, check=True):
    if check:  # graph outputs without a shape fail the checker, not ONNX Runtime
        onnx.checker.check_model(model, full_check=True)
    onnx.save(model, name)


# 1. Subgraphs: an If whose branches read outer tensors, and a Loop whose body
# reads one. Symbolic batch dimension; no value_info, so every intermediate
# shape must be inferred (If/Loop outputs are declared as graph outputs).
then_branch = helper.make_graph(
    [helper.make_node("Add", ["a", "b"], ["then_out"], name="then_add")],
    "then", [], [helper.make_tensor_value_info("then_out", F, ["batch", 4])])
else_branch = helper.make_graph(
    [helper.make_node("Mul", ["a", "c"], ["else_out"], name="else_mul")],
    "else", [], [helper.make_tensor_value_info("else_out", F, ["batch", 4])])
body = helper.make_graph(
    [helper.make_node("Identity", ["cond_in"], ["cond_out"], name="body_cond"),
     helper.make_node("Add", ["acc_in", "d"], ["acc_out"], name="body_add")],
    "body",
    [helper.make_tensor_value_info("iter", TensorProto.INT64, []),
     helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
     helper.make_tensor_value_info("acc_in", F, ["batch", 4])],
    [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
     helper.make_tensor_value_info("acc_out", F, ["batch", 4])])
nodes = [
    helper.make_node("Relu", ["x"], ["a"], name="relu"),
    helper.make_node("Sigmoid", ["x"], ["b"], name="sigmoid"),
    helper.make_node("Tanh", ["x"], ["c"], name="tanh"),
    helper.make_node("Neg", ["x"], ["d"], name="neg"),
    helper.make_node("If", ["flag"], ["chosen"], name="branch", then_branch=then_branch, else_branch=else_branch),
    helper.make_node("Loop", ["trips", "", "chosen"], ["looped"], name="loop", body=body),
    helper.make_node("Add", ["looped", "x"], ["y"], name="final"),
]
graph = helper.make_graph(
    nodes, "subgraphs",
    [helper.make_tensor_value_info("x", F, ["batch", 4]),
     helper.make_tensor_value_info("flag", TensorProto.BOOL, []),
     helper.make_tensor_value_info("trips", TensorProto.INT64, [])],
    [helper.make_tensor_value_info("y", F, ["batch", 4])],
    value_info=[helper.make_tensor_value_info("chosen", F, ["batch", 4]),
                helper.make_tensor_value_info("looped", F, ["batch", 4])])
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="stowage-fixtures"),
     "subgraphs.onnx")

# 2. A small CNN without value_info: shapes come from inference alone,
# through Conv, MaxPool, a Shape→Gather→Concat→Reshape chain, Gemm, Split.


def weight(name, dims):
    """A weight-less initializer, as in Models/onnx: external data that is absent."""
    tensor = TensorProto(name=name, dims=dims, data_type=F, data_location=TensorProto.EXTERNAL)
    for key, value in (("location", "tiny_cnn.weights"), ("offset", "0"), ("length", str(4 * 8))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return tensor


w1 = weight("w1", [8, 3, 3, 3])
w2 = weight("w2", [10, 8 * 8 * 8])
nodes = [
    helper.make_node("Conv", ["image", "w1"], ["conv"], name="conv", pads=[1, 1, 1, 1], strides=[2, 2]),
    helper.make_node("Relu", ["conv"], ["relu"], name="relu"),
    helper.make_node("MaxPool", ["relu"], ["pool"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Shape", ["pool"], ["shape"], name="shape"),
    helper.make_node("Constant", [], ["zero"], name="zero", value=helper.make_tensor("zero_v", TensorProto.INT64, [1], [0])),
    helper.make_node("Gather", ["shape", "zero"], ["n"], name="n"),
    helper.make_node("Constant", [], ["minus1"], name="minus1", value=helper.make_tensor("m1_v", TensorProto.INT64, [1], [-1])),
    helper.make_node("Concat", ["n", "minus1"], ["target"], name="target", axis=0),
    helper.make_node("Reshape", ["pool", "target"], ["flat"], name="flatten"),
    helper.make_node("Gemm", ["flat", "w2"], ["logits"], name="fc", transB=1),
    helper.make_node("Split", ["logits"], ["left", "right"], name="split", axis=1, num_outputs=2),
    helper.make_node("Softmax", ["left"], ["probs"], name="softmax", axis=1),
]
graph = helper.make_graph(
    nodes, "tiny_cnn",
    [helper.make_tensor_value_info("image", F, [2, 3, 32, 32])],
    [helper.make_tensor_value_info("probs", F, None), helper.make_tensor_value_info("right", F, None)],
    initializer=[w1, w2])
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="stowage-fixtures"),
     "tiny_cnn.onnx", check=False)
