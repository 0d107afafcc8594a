"""stowage.offload against the C library: FlexGen's fixed OPT-30B policy on
a T4 (FlexGen's own figures), exact mode's bound, placement and verified
block plans checked against the config's architecture, errors with their
classes and reasons; and the C API's reading of fractions (1.0 is not 1)."""
import ctypes
import json

import pytest

import stowage
from stowage import _library

FIXED = dict(gbs=48, nb=3, percent=[20, 80, 0, 100, 0, 100])


def test_fixed_flexgen_policy_from_a_bundled_config_and_profile(repository):
    r = stowage.offload(repository / "Models/llm/opt-30b.json", hardware=repository / "Profiles/t4.json", **FIXED)
    assert isinstance(r, stowage.Offload) and r.model == "opt-30b" and r.mode == "flexgen"
    # FlexGen's figures for this policy (its paper; OffloadCommandTests check the CLI against the same).
    assert r.throughput == pytest.approx(7.136, rel=0.005)
    assert r.prefill_seconds == pytest.approx(210.67, rel=0.005)
    assert r.decode_seconds == pytest.approx(435.09, rel=0.005)
    assert r.tier("gpu").peak_bytes / 2**30 == pytest.approx(18.77, rel=0.005)
    assert r.policy.gbs == 48 and r.policy.nb == 3 and r.policy.block_size == 144
    assert r.policy.weights == pytest.approx((0.2, 0.8, 0.0))
    assert r.policy.cache == pytest.approx((0.0, 1.0, 0.0)) and r.policy.activations == pytest.approx((0.0, 1.0, 0.0))
    assert [t.name for t in r.tiers] == ["gpu", "cpu", "disk"]
    assert r.bound is None and r.gap is None and r.prefill_plan is None
    assert r.report["version"] == 1 and r.lp_solves == 1
    # The same config as a dict gives the same figures.
    with open(repository / "Models/llm/opt-30b.json", encoding="utf-8") as f:
        config = json.load(f)
    again = stowage.offload(config, hardware=str(repository / "Profiles/t4.json"), **FIXED)
    assert again.model == "config"
    assert {k: v for k, v in again.report.items() if k != "seconds"} == {k: v for k, v in r.report.items() if k != "seconds"}
    # The profile's GPU memory (16 GiB) written as a float, as Python computes sizes, is the same number of bytes.
    sized = stowage.offload(config, hardware=str(repository / "Profiles/t4.json"), gpu_mem=16.0 * 2**30, **FIXED)
    assert {k: v for k, v in sized.report.items() if k != "seconds"} == {k: v for k, v in r.report.items() if k != "seconds"}
    with pytest.raises(stowage.BadInput, match="gpuMem: expected an integer"):
        stowage.offload(config, gpu_mem=1.5, **FIXED)


def test_exact_mode_places_whole_tensors_under_its_bound_with_verified_plans(repository):
    path = repository / "Models/llm/opt-6.7b.json"
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    layers, heads = config["num_hidden_layers"], config["num_attention_heads"]
    r = stowage.offload(path, mode="exact", gbs=4, nb=2, gpu_mem="8GiB", cpu_mem=64 * 2**30, plans=True)
    assert r.mode == "exact" and r.bound is not None and r.gap is not None
    assert 0 < r.throughput <= r.bound * (1 + 1e-9) and 0 <= r.gap < 1
    assert r.gap == pytest.approx((r.bound - r.throughput) / r.bound, abs=1e-12)
    assert r.proven is True and r.simulated_throughput is not None and r.simulated_throughput > 0
    # No time limit: every placement the search weighed was checked.
    assert r.unvalidated == 0 and "unvalidated" not in r.report
    # Every weight tensor of every layer lives on exactly one tier; the cache's (layer, head, GPU batch)
    # units and a GPU batch's sequences are all somewhere.
    weights = set(r.tiers[0].weight_layers)
    assert weights and all(set(t.weight_layers) == weights for t in r.tiers)
    for tensor in weights:
        assert sum(t.weight_layers[tensor] for t in r.tiers) == layers
    assert sum(t.cache_units for t in r.tiers) == layers * heads * r.policy.nb
    assert sum(t.hidden_sequences for t in r.tiers) == r.policy.gbs
    assert len(r.layers) == layers and all(set(layer) == weights for layer in r.layers)
    for tensor in weights:
        for tier in r.tiers:
            assert sum(layer[tensor] == tier.name for layer in r.layers) == tier.weight_layers[tensor]
    assert r.tier("gpu").simulated_peak_bytes <= 8 * 2**30
    for plan in (r.prefill_plan, r.decode_plan):
        assert plan is not None and plan.steps
        assert [t.name for t in plan.tiers] == [t.name for t in r.tiers]


def test_bad_input_and_no_answer_are_exceptions_with_the_reason(repository, tmp_path):
    opt = repository / "Models/llm/opt-30b.json"
    with pytest.raises(stowage.BadInput) as bad:
        stowage.offload(opt, gbs=0)
    assert bad.value.status == 2 and "options: gbs: must be 1 to 16384, got 0" in str(bad.value)
    with pytest.raises(stowage.BadInput, match="nb: needs gbs"):
        stowage.offload(opt, nb=2)
    with pytest.raises(stowage.BadInput, match="gpuMem"):
        stowage.offload(opt, gpu_mem="16G")
    with pytest.raises(stowage.BadInput, match="mode: 'fast' is not one of flexgen, exact"):
        stowage.offload(opt, mode="fast")
    missing = tmp_path / "nowhere.json"
    with pytest.raises(stowage.BadInput, match=str(missing)):
        stowage.offload(missing)
    with pytest.raises(stowage.BadInput, match=str(missing)):
        stowage.offload(opt, hardware=missing)
    with pytest.raises(stowage.BadInput) as config:
        stowage.offload({"model_type": "opt", "hidden_size": 4096})
    assert str(config.value).startswith("config_json: ") and "\n" not in str(config.value)
    with pytest.raises(stowage.NoAnswer) as small:
        stowage.offload(repository / "Models/llm/opt-175b.json", cpu_mem="10GB", disk="20GB")
    assert small.value.status == 1 and "opt-175b does not fit on" in str(small.value) and "disk short by" in str(small.value)
    with pytest.raises(TypeError):
        stowage.offload(42)  # type: ignore[arg-type]


def _remat_report(graph_text: str, options: bytes) -> dict:
    """stowage_remat called with the options' bytes exactly as written."""
    library = _library.load()
    function = library._functions["stowage_remat"]
    result, error = ctypes.c_void_p(), ctypes.c_void_p()
    status = function(graph_text.encode(), options, ctypes.byref(result), ctypes.byref(error))
    try:
        message = ctypes.string_at(error.value).decode() if error.value else ""
        assert status == 0, message
        return json.loads(ctypes.string_at(result.value).decode())["report"]
    finally:
        library._cdll.stowage_free(result)
        library._cdll.stowage_free(error)


def test_a_budget_fraction_stays_a_fraction_however_it_is_written(repository):
    text = (repository / "Examples/graphs/mirrored-chain-12.json").read_text()
    keep_all = stowage.remat(json.loads(text), budget=1.0, method="keep-all")
    assert keep_all.budget_bytes == keep_all.keep_all_peak_bytes
    for written in (b"1.0", b"1e0", b"10E-1", b"1.000"):
        report = _remat_report(text, b'{"budget": ' + written + b', "method": "keep-all", "report": true}')
        assert report["budgetBytes"] == report["keepAllPeakBytes"] == keep_all.keep_all_peak_bytes, written
    report = _remat_report(text, b'{"budget": 0.7, "method": "chen", "report": true}')
    assert report["budgetBytes"] == int(0.7 * keep_all.keep_all_peak_bytes)
    with pytest.raises(stowage.NoAnswer, match="infeasible at 1 bytes"):
        stowage.remat(json.loads(text), budget=1, method="keep-all")
