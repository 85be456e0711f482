"""``watch()`` / ``unwatch()``: PyTorch hooks logging histograms (``research/wandb-api.md`` 3)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import trackboard
from trackboard.records import HistoryRow
from trackboard.sdk import watch as watch_module
from trackboard.sdk.watch import NUM_BINS, tensor_histogram

pytestmark = pytest.mark.torch
torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _fresh_model_counter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a fresh process would: the next watched model has index 0."""
    monkeypatch.setattr(watch_module, "MODEL_COUNTER", watch_module._ModelCounter())


def mlp() -> Any:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))


class Net(torch.nn.Module):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 6)
        self.fc2 = torch.nn.Linear(6, 2)

    def forward(self, x: Any) -> Any:
        return self.fc2(torch.relu(self.fc1(x)))


def train_step(model: Any, n_in: int = 4) -> float:
    """One forward and backward pass (no optimizer: the histograms only need the hooks)."""
    loss = model(torch.randn(5, n_in)).pow(2).mean()
    model.zero_grad()
    loss.backward()
    return float(loss.item())


def rows(writer: Any) -> list[HistoryRow]:
    return list(writer.of(HistoryRow))


def keys_by_step(writer: Any, prefix: str = "") -> dict[int, list[str]]:
    return {
        row.step: sorted(k for k in row.values if k.startswith(prefix))
        for row in rows(writer)
        if any(k.startswith(prefix) for k in row.values)
    }


SEQUENTIAL_PARAMS = ["0.bias", "0.weight", "2.bias", "2.weight"]


def test_watch_all_logs_histograms_at_every_log_freq_th_step_read_back_through_api(
    root: Path,
) -> None:
    run = trackboard.init(project="watch")
    model = mlp()
    trackboard.watch(model, log="all", log_freq=3)
    for _ in range(7):
        trackboard.log({"loss": train_step(model)})
    run.finish()
    history = list(trackboard.Api().run(f"watch/{run.id}").scan_history())
    with_hist = {
        row["_step"]: sorted(k for k, v in row.items() if "/" in k and v is not None)
        for row in history
        if any("/" in k and v is not None for k, v in row.items())
    }
    expected = [f"gradients/{p}" for p in SEQUENTIAL_PARAMS]
    expected += [f"parameters/{p}" for p in SEQUENTIAL_PARAMS]
    assert with_hist == {2: expected, 5: expected}
    assert len(history) == 7  # the histograms made no rows of their own
    hist = history[2]["parameters/0.weight"]
    assert hist["_type"] == "histogram"
    assert len(hist["values"]) == NUM_BINS and len(hist["bins"]) == NUM_BINS + 1
    assert sum(hist["values"]) == 32
    assert history[2]["loss"] is not None


def test_named_module_keys_use_the_parameter_names(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    model = Net()
    run.watch(model, log="all", log_freq=1)
    run.log({"loss": train_step(model)})
    run.finish()
    names = ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"]
    expected = [f"gradients/{n}" for n in names] + [f"parameters/{n}" for n in names]
    assert keys_by_step(writer, "") == {0: sorted([*expected, "loss"])}


def test_second_model_gets_graph_1_prefix_with_no_separator(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    first, second = mlp(), Net()
    run.watch(first, log="parameters", log_freq=1)
    run.watch(second, log="gradients", log_freq=1)
    train_step(first)
    train_step(second)
    run.log({"loss": 1.0})
    run.finish()
    (row,) = rows(writer)
    assert "parameters/0.weight" in row.values
    assert "gradients/graph_1fc1.weight" in row.values
    assert "gradients/graph_1fc2.bias" in row.values


def test_models_of_one_call_and_idx_number_the_prefixes(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    a, b, c = mlp(), mlp(), mlp()
    run.watch([a, b], log="parameters", log_freq=1)
    run.watch(c, log="parameters", log_freq=1, idx=7)
    for model in (a, b, c):
        model(torch.randn(2, 4))
    run.log({"x": 1})
    run.finish()
    (row,) = rows(writer)
    prefixes = {k.split("/")[1].removesuffix("0.weight") for k in row.values if "0.weight" in k}
    assert prefixes == {"", "graph_1", "graph_7"}


def test_histograms_join_the_next_row_and_never_make_rows_themselves(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    model = mlp()
    run.watch(model, log="all", log_freq=2)
    for _ in range(4):
        train_step(model)
    assert rows(writer) == []
    run.log({"epoch": 1})
    run.log({"epoch": 2})
    run.finish()
    first, second = rows(writer)
    assert first.step == 0 and "gradients/0.weight" in first.values
    assert second.step == 1 and set(second.values) == {"epoch"}


def test_histograms_join_the_pending_row_of_an_explicit_step(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    model = mlp()
    run.watch(model, log="gradients", log_freq=1)
    run.log({"train_loss": 0.5}, step=3)
    train_step(model)
    run.log({"train_loss": 0.4}, step=4)
    run.finish()
    first, second = rows(writer)
    assert first.step == 3 and {"train_loss", "gradients/0.weight"} <= set(first.values)
    assert second.step == 4 and set(second.values) == {"train_loss"}


@pytest.mark.parametrize(
    ("log", "sections"),
    [
        ("gradients", {"gradients"}),
        ("parameters", {"parameters"}),
        ("all", {"gradients", "parameters"}),
        (None, set()),
    ],
)
def test_log_choice_decides_which_histograms_are_logged(
    memory_run: Callable[..., Any], log: str | None, sections: set[str]
) -> None:
    run, writer = memory_run()
    model = mlp()
    run.watch(model, log=log, log_freq=1)
    run.log({"loss": train_step(model)})
    run.finish()
    (row,) = rows(writer)
    assert {k.split("/")[0] for k in row.values if "/" in k} == sections


def test_default_log_freq_is_1000_and_default_log_is_gradients(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    model = torch.nn.Linear(2, 1)
    run.watch(model)
    for i in range(1000):
        model(torch.randn(1, 2)).sum().backward()
        if i == 998:
            run.log({"i": i})
    run.log({"i": 999})
    run.finish()
    before, last = rows(writer)
    assert set(before.values) == {"i"}
    assert set(last.values) == {"i", "gradients/weight", "gradients/bias"}


def test_parameters_skip_nothing_but_gradients_only_hook_trainable_parameters(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    model = mlp()
    model[0].weight.requires_grad_(False)
    run.watch(model, log="all", log_freq=1)
    run.log({"loss": train_step(model)})
    run.finish()
    (row,) = rows(writer)
    assert "parameters/0.weight" in row.values
    assert "gradients/0.weight" not in row.values and "gradients/0.bias" in row.values


def test_unwatch_of_a_model_stops_its_histograms_only(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    a, b = mlp(), mlp()
    run.watch([a, b], log="all", log_freq=1)
    run.unwatch(a)
    train_step(a)
    train_step(b)
    run.log({"x": 1})
    run.finish()
    (row,) = rows(writer)
    assert sorted(k for k in row.values if k.endswith("0.weight")) == [
        "gradients/graph_10.weight",
        "parameters/graph_10.weight",
    ]


def test_unwatch_with_no_argument_removes_every_hook(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    a, b = mlp(), Net()
    run.watch(a, log="all", log_freq=1)
    run.watch(b, log="all", log_freq=1)
    run.unwatch()
    train_step(a)
    train_step(b)
    run.log({"x": 1})
    run.finish()
    (row,) = rows(writer)
    assert set(row.values) == {"x"}
    assert not a._forward_hooks and not b._forward_hooks
    assert all(not p._backward_hooks for p in [*a.parameters(), *b.parameters()])


def test_unwatch_of_an_unwatched_model_only_warns(
    memory_run: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    run, _ = memory_run()
    run.unwatch(mlp())
    assert "Sequential is not being watched" in capsys.readouterr().err


def test_finish_removes_the_hooks(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    model = mlp()
    run.watch(model, log="all", log_freq=1)
    run.finish()
    train_step(model)
    assert not model._forward_hooks
    assert rows(writer) == []


def test_bad_log_value_is_a_value_error_naming_it(memory_run: Callable[..., Any]) -> None:
    run, _ = memory_run()
    with pytest.raises(ValueError, match="log must be 'gradients', 'parameters', 'all' or None"):
        run.watch(mlp(), log="weights")


@pytest.mark.parametrize("log_freq", [0, -5, 2.5, True])
def test_bad_log_freq_is_a_value_error(memory_run: Callable[..., Any], log_freq: Any) -> None:
    run, _ = memory_run()
    with pytest.raises(ValueError, match="log_freq must be a positive int"):
        run.watch(mlp(), log_freq=log_freq)


def test_a_model_that_is_not_a_module_is_a_type_error(memory_run: Callable[..., Any]) -> None:
    run, _ = memory_run()
    with pytest.raises(TypeError, match=r"torch.nn.Module\), got builtins.str"):
        run.watch("model")
    with pytest.raises(TypeError, match=r"got builtins\.int"):
        run.watch([mlp(), 3])


def test_same_hook_names_twice_is_a_value_error_and_hooks_nothing(
    memory_run: Callable[..., Any],
) -> None:
    run, _ = memory_run()
    model = mlp()
    run.watch(model, log="gradients", idx=0)
    other = mlp()
    with pytest.raises(ValueError, match=r"'gradients/0\.weight' was already added"):
        run.watch(other, log="all", idx=0)
    assert not other._forward_hooks


def test_log_graph_stores_the_module_graph_in_the_summary_once(
    memory_run: Callable[..., Any],
) -> None:
    run, _ = memory_run()
    model = mlp()
    run.watch(model, log=None, log_graph=True)
    model(torch.randn(5, 4))
    model(torch.randn(2, 4))
    graph = run.summary["graph_0"]
    assert graph["_type"] == "graph"
    names = [(n["name"], n["class_name"], n["output_shape"]) for n in graph["nodes"]]
    assert names == [
        ("0", "Linear", [5, 8]),
        ("1", "ReLU", [5, 8]),
        ("2", "Linear", [5, 3]),
        ("", "Sequential", [5, 3]),
    ]
    assert graph["nodes"][0]["num_parameters"] == 40
    with pytest.raises(ValueError, match="once per model with log_graph=True"):
        run.watch(model, log_graph=True)


def test_facade_watch_before_init_raises_and_disabled_run_ignores_it(root: Path) -> None:
    with pytest.raises(trackboard.Error, match=r"trackboard.init\(\) before trackboard.watch"):
        trackboard.watch(mlp())
    run = trackboard.init(mode="disabled")
    trackboard.watch(mlp(), log="all")
    trackboard.unwatch()
    run.finish()


# ------------------------------------------------------------------ tensor_histogram
def test_histogram_matches_torch_histc_and_linspace_edges() -> None:
    values = torch.randn(10_000, generator=torch.Generator().manual_seed(3))
    hist = tensor_histogram(values)
    assert hist is not None
    lo, hi = values.min().item(), values.max().item()
    assert hist["values"] == torch.histc(values, bins=64, min=lo, max=hi).long().tolist()
    assert hist["bins"] == torch.linspace(lo, hi, 65, dtype=torch.float64).tolist()
    assert hist["bins"][0] == lo and hist["bins"][-1] == hi


def test_histogram_drops_non_finite_values() -> None:
    values = torch.tensor([1.0, 2.0, math.nan, math.inf, -math.inf, 3.0])
    hist = tensor_histogram(values)
    assert hist is not None
    assert sum(hist["values"]) == 3
    assert (hist["bins"][0], hist["bins"][-1]) == (1.0, 3.0)


def test_histogram_of_nothing_finite_is_none() -> None:
    assert tensor_histogram(torch.tensor([math.nan, math.inf])) is None
    assert tensor_histogram(torch.empty(0)) is None


def test_histogram_of_equal_values_is_one_bin() -> None:
    assert tensor_histogram(torch.full((2, 3), 0.5)) == {
        "_type": "histogram",
        "values": [6],
        "bins": [0.5, 0.5],
    }


def test_histogram_counts_implicit_sparse_zeros_in_the_bin_of_zero() -> None:
    dense = torch.zeros(10, 10)
    dense[0, 0], dense[1, 1], dense[2, 2] = 1.0, 2.0, 4.0
    hist = tensor_histogram(dense.to_sparse())
    assert hist is not None
    assert sum(hist["values"]) == 100
    assert hist["bins"][0] == 0.0 and hist["bins"][-1] == 4.0
    assert hist["values"][0] == 97
    assert hist == tensor_histogram(dense)


def test_histogram_of_half_and_integer_tensors() -> None:
    half = tensor_histogram(torch.arange(100, dtype=torch.float16))
    ints = tensor_histogram(torch.arange(100))
    assert half is not None and ints is not None
    assert half == ints and sum(ints["values"]) == 100


def test_histogram_of_float32_extremes_does_not_overflow() -> None:
    for values in (torch.tensor([-3.0e38, 0.0, 3.0e38]), torch.tensor([-1.0e37, 0.0, 1.0e37])):
        hist = tensor_histogram(values)
        assert hist is not None
        assert hist["values"][0] == 1 and hist["values"][-1] == 1 and sum(hist["values"]) == 3
        assert hist["values"][32] == 1
