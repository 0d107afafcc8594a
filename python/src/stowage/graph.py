"""Graphs in Stowage's JSON graph format (``Schemas/graph.schema.json``),
built in Python.

>>> g = Graph("mlp")
>>> x = g.input("x", bytes=4096)
>>> h = g.op("fc1", "MatMul", [x, g.weight("w1", bytes=65536)], "h", bytes=4096)
>>> g.outputs.append(h)

Stowage checks the graph when it is planned (names unique, every
activation written by one operator, no cycle) and says what is wrong and
where; this module only assembles it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Union

Dimension = Union[int, str]


@dataclass
class TensorSpec:
    """A tensor: a name, a kind (``input``, ``weight``, ``activation``),
    and a size: ``bytes``, or ``dtype`` (``float32``, ``bfloat16``, …) and a
    ``shape`` (strings are symbolic dimensions, bound with ``dims=``)."""

    name: str
    kind: str = "activation"
    bytes: Optional[int] = None
    dtype: Optional[str] = None
    shape: Optional[List[Dimension]] = None

    def to_json(self) -> Dict[str, Any]:
        item: Dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.dtype is not None:
            item["dtype"] = self.dtype
        if self.shape is not None:
            item["shape"] = list(self.shape)
        if self.bytes is not None:
            item["bytes"] = self.bytes
        return item


@dataclass
class OperatorSpec:
    """An operator: reads ``inputs``, writes ``outputs`` (tensor names).
    For rematerialisation (:func:`stowage.remat`): ``phase`` is "forward"
    or "backward", ``cost`` what one run costs (1 when absent)."""

    name: str
    type: str
    inputs: List[str]
    outputs: List[str]
    phase: Optional[str] = None
    cost: Optional[float] = None

    def to_json(self) -> Dict[str, Any]:
        item: Dict[str, Any] = {"name": self.name, "type": self.type, "inputs": list(self.inputs),
                                "outputs": list(self.outputs)}
        if self.phase is not None:
            item["phase"] = self.phase
        if self.cost is not None:
            item["cost"] = self.cost
        return item


@dataclass
class Graph:
    """A dataflow graph; the operators' order is the default schedule."""

    name: str = "graph"
    tensors: List[TensorSpec] = field(default_factory=list)
    operators: List[OperatorSpec] = field(default_factory=list)
    outputs: List[str] = field(default_factory=list)

    def input(self, name: str, **size: Any) -> str:
        """Adds a graph input; returns its name."""
        self.tensors.append(TensorSpec(name, "input", **size))
        return name

    def weight(self, name: str, **size: Any) -> str:
        """Adds a weight (resident in the home tier throughout); returns its name."""
        self.tensors.append(TensorSpec(name, "weight", **size))
        return name

    def op(self, name: str, type: str, inputs: Sequence[str], output: str, **size: Any) -> str:
        """Adds an operator writing one new activation; returns its name."""
        self.tensors.append(TensorSpec(output, "activation", **size))
        self.operators.append(OperatorSpec(name, type, list(inputs), [output]))
        return output

    def to_json(self) -> Dict[str, Any]:
        """The graph as Stowage's JSON graph format (a dict)."""
        return {
            "format": "stowage-graph",
            "version": 1,
            "name": self.name,
            "tensors": [t.to_json() for t in self.tensors],
            "operators": [o.to_json() for o in self.operators],
            "outputs": list(self.outputs),
        }

    def dumps(self) -> str:
        """The graph as JSON text."""
        return json.dumps(self.to_json())

    def write(self, path: str) -> None:
        """Writes the graph file (`stowage plan`, `stowage inspect` read it)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.dumps())
