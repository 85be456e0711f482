"""What logged values become (wandb-api.md 2.3, 2.4) and which keys and values are refused."""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from trackboard.errors import InvalidInputError
from trackboard.records import HistoryRow
from trackboard.sdk.values import config_value, convert_row


class Color(enum.Enum):
    RED = 1


def logged(memory_run: Callable[..., Any], data: dict[str, Any]) -> dict[str, Any]:
    run, writer = memory_run()
    run.log(data)
    run.finish()
    (row,) = writer.of(HistoryRow)
    values: dict[str, Any] = row.values
    return values


def test_numpy_scalars_become_python_numbers(memory_run: Callable[..., Any]) -> None:
    values = logged(
        memory_run, {"f": np.float32(0.5), "i": np.int64(3), "b": np.bool_(True), "u": np.uint8(7)}
    )
    assert values == {"f": 0.5, "i": 3, "b": True, "u": 7}
    assert [type(v) for v in values.values()] == [float, int, bool, int]


def test_arrays_become_scalar_list_or_32_bin_histogram_by_size(
    memory_run: Callable[..., Any],
) -> None:
    values = logged(
        memory_run,
        {"one": np.array([2.5]), "ten": np.arange(10), "big": np.arange(33, dtype=np.float64)},
    )
    assert values["one"] == 2.5
    assert values["ten"] == list(range(10))
    histogram = values["big"]
    assert histogram["_type"] == "histogram"
    assert len(histogram["values"]) == 32
    assert len(histogram["bins"]) == 33
    assert sum(histogram["values"]) == 33
    assert histogram["bins"][0] == 0.0 and histogram["bins"][-1] == 32.0


def test_histogram_counts_only_finite_values() -> None:
    data = np.concatenate([np.arange(40, dtype=np.float64), [np.nan, np.inf]])
    values, _ = convert_row({"h": data})
    assert sum(values["h"]["values"]) == 40


@pytest.mark.torch
def test_torch_tensors_are_detached_and_converted(memory_run: Callable[..., Any]) -> None:
    torch = pytest.importorskip("torch")
    weight = torch.ones(3, requires_grad=True)
    values = logged(
        memory_run,
        {
            "zero_d": torch.tensor(1.5),
            "one": torch.tensor([4]),
            "grad": weight * 2,
            "big": torch.randn(100),
            "half": torch.ones(2, dtype=torch.bfloat16),
        },
    )
    assert values["zero_d"] == 1.5
    assert values["one"] == 4
    assert values["grad"] == [2.0, 2.0, 2.0]
    assert values["big"]["_type"] == "histogram" and sum(values["big"]["values"]) == 100
    assert values["half"] == [1.0, 1.0]


def test_nan_inf_and_none_are_kept(memory_run: Callable[..., Any]) -> None:
    values = logged(memory_run, {"nan": float("nan"), "inf": -math.inf, "none": None})
    assert math.isnan(values["nan"])
    assert values["inf"] == -math.inf
    assert values["none"] is None


def test_nested_dicts_become_dotted_history_keys(memory_run: Callable[..., Any]) -> None:
    values = logged(memory_run, {"nest": {"x": 1, "y": {"z": 2}}, "flat": 3})
    assert values == {"nest.x": 1, "nest.y.z": 2, "flat": 3}


def test_other_plain_types_are_converted(memory_run: Callable[..., Any]) -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, 5)
    values = logged(
        memory_run,
        {"when": when, "raw": b"caf\xc3\xa9", "set": {3}, "color": Color.RED, "tuple": (1, 2.5)},
    )
    assert values == {
        "when": "2026-01-02T03:04:05",
        "raw": "café",
        "set": [3],
        "color": "RED",
        "tuple": [1, 2.5],
    }


def test_int_beyond_64_bits_is_logged_as_float(memory_run: Callable[..., Any]) -> None:
    assert logged(memory_run, {"huge": 2**70}) == {"huge": float(2**70)}


def test_unloggable_value_raises_type_error_and_loses_nothing(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    run.log({"kept": 1}, commit=False)
    with pytest.raises(TypeError, match="'bad'"):
        run.log({"fine": 2, "bad": object()}, commit=False)
    run.log({"later": 3})
    run.finish()
    assert [r.values for r in writer.of(HistoryRow)] == [{"kept": 1, "later": 3}]


def test_media_object_without_a_run_to_bind_it_is_refused_naming_the_key() -> None:
    class Image:
        __module__ = "trackboard.media.image"

        def to_json(self, run: Any) -> dict[str, Any]:
            return {}

    with pytest.raises(TypeError, match=r"'img' is media .* only be stored through a run"):
        convert_row({"img": Image()})


def test_foreign_media_object_is_refused_naming_the_key() -> None:
    class Image:
        __module__ = "wandb.sdk.data_types.image"

        def to_json(self, run: Any) -> dict[str, Any]:
            return {}

    with pytest.raises(TypeError, match=r"'img' is a media object .* trackboard cannot store"):
        convert_row({"img": Image()})


def test_key_longer_than_256_characters_is_refused(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    long_key = "k" * 257
    with pytest.raises(InvalidInputError, match="257 characters"):
        run.log({long_key: 1})
    run.log({"k" * 256: 1})
    run.finish()
    assert len(writer.of(HistoryRow)) == 1


def test_more_than_10000_keys_in_a_run_is_refused(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    run.log({f"k{i}": i for i in range(9_999)})
    run.log({"last": 1})
    with pytest.raises(InvalidInputError, match="10000 distinct keys"):
        run.log({"one_too_many": 1})
    run.log({"last": 2})
    run.finish()
    assert len(writer.of(HistoryRow)) == 3


def test_config_values_are_made_json_friendly() -> None:
    def helper() -> None:
        pass

    assert config_value({"a": np.float64(1.5), "arr": np.arange(3), "s": slice(1, 5)}) == {
        "a": 1.5,
        "arr": [0, 1, 2],
        "s": {"slice_start": 1, "slice_step": None, "slice_stop": 5},
    }
    assert config_value(helper).endswith("helper")
    assert config_value(Color.RED) == "RED"
    assert config_value(dt.date(2026, 1, 2)) == "2026-01-02"
    assert config_value(object()).startswith("<object object")
