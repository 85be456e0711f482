"""``line``, ``scatter``, ``bar``, ``histogram``, ``line_series`` and ``plot_table``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import trackboard
from trackboard import plot


def table() -> trackboard.Table:
    return trackboard.Table(columns=["x", "y", "kind"], data=[[1, 2.0, "a"], [2, 3.5, "b"]])


def test_simple_presets_map_their_fields_to_the_named_columns() -> None:
    t = table()
    cases = [
        (
            plot.line(t, "x", "y", stroke="kind", title="L"),
            "wandb/line/v0",
            {"x": "x", "y": "y", "stroke": "kind"},
            "L",
        ),
        (plot.line(t, "x", "y"), "wandb/line/v0", {"x": "x", "y": "y", "stroke": None}, ""),
        (plot.scatter(t, "x", "y", title="S"), "wandb/scatter/v0", {"x": "x", "y": "y"}, "S"),
        (plot.bar(t, "kind", "y", title="B"), "wandb/bar/v0", {"label": "kind", "value": "y"}, "B"),
        (plot.histogram(t, "y", title="H"), "wandb/histogram/v0", {"value": "y"}, "H"),
    ]
    for chart, preset, fields, title in cases:
        assert chart.table is t
        assert chart.spec == (preset, fields, {"title": title}, False)


@pytest.mark.parametrize(
    ("call", "missing"),
    [
        (lambda t: plot.line(t, "x", "nope"), "nope"),
        (lambda t: plot.line(t, "x", "y", stroke="colour"), "colour"),
        (lambda t: plot.scatter(t, "z", "y"), "z"),
        (lambda t: plot.bar(t, "label", "y"), "label"),
        (lambda t: plot.histogram(t, "value"), "value"),
    ],
)
def test_a_column_missing_from_the_table_is_named(call: Any, missing: str) -> None:
    with pytest.raises(ValueError, match=f"no column '{missing}'"):
        call(table())


def test_simple_presets_refuse_a_non_table() -> None:
    with pytest.raises(trackboard.Error, match=r"must be a trackboard\.Table"):
        plot.line([[1, 2]], "x", "y")  # type: ignore[arg-type]


def test_line_series_shares_a_flat_xs_and_zips_to_the_shorter() -> None:
    chart = plot.line_series([0, 1, 2], [[10, 11, 12], np.array([20, 21])], title="T", xname="ep")
    assert chart.table.columns == ["step", "lineKey", "lineVal"]
    assert chart.table.data == [
        [0, "line_0", 10],
        [1, "line_0", 11],
        [2, "line_0", 12],
        [0, "line_1", 20],
        [1, "line_1", 21],
    ]
    assert chart.spec == (
        "wandb/lineseries/v0",
        {"step": "step", "lineKey": "lineKey", "lineVal": "lineVal"},
        {"title": "T", "xname": "ep"},
        False,
    )


def test_line_series_pairs_one_xs_per_line_with_keys() -> None:
    chart = plot.line_series([[0, 1], [5, 6, 7]], [[1.0, 2.0], [3.0, 4.0, 5.0]], keys=["a", "b"])
    assert chart.table.data == [
        [0, "a", 1.0],
        [1, "a", 2.0],
        [5, "b", 3.0],
        [6, "b", 4.0],
        [7, "b", 5.0],
    ]


@pytest.mark.parametrize(
    ("xs", "ys", "keys", "message"),
    [
        ([[0, 1], [0, 1], [0, 1]], [[1, 2], [3, 4]], None, "xs has 3 lists but ys has 2 lines"),
        ([0, 1], [[1, 2], [3, 4]], ["only"], "keys has 1 names but ys has 2 lines"),
        ([0, 1], [], None, "ys is empty"),
        ([0, 1], None, None, "ys is required"),
        ([0, 1], [[[1], [2]]], None, r"ys\[0\] must be a flat list"),
    ],
)
def test_line_series_rejects_counts_that_do_not_match(
    xs: Any, ys: Any, keys: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        plot.line_series(xs, ys, keys=keys)


@pytest.mark.torch
def test_line_series_accepts_tensors() -> None:
    torch = pytest.importorskip("torch")
    chart = plot.line_series(torch.arange(3), torch.tensor([[1.0, 2.0, 3.0]]))
    assert chart.table.data == [[0, "line_0", 1.0], [1, "line_0", 2.0], [2, "line_0", 3.0]]


def test_plot_table_takes_any_spec_and_refuses_non_tables_and_bad_settings() -> None:
    chart = trackboard.plot_table("me/my-spec", table(), {"x": "x"}, {"title": "t"}, True)
    assert chart.spec == ("me/my-spec", {"x": "x"}, {"title": "t"}, True)
    with pytest.raises(trackboard.Error, match=r"plot_table: expected a trackboard\.Table"):
        trackboard.plot_table("s", {"x": [1]}, {"x": "x"})
    with pytest.raises(trackboard.Error, match="fields must be a dict"):
        trackboard.plot_table("s", table(), ["x"])  # type: ignore[arg-type]
    with pytest.raises(trackboard.Error, match="vega_spec_name must be a non-empty str"):
        trackboard.plot_table("", table(), {})
    with pytest.raises(trackboard.Error, match=r"visualize: expected a trackboard\.Table"):
        trackboard.visualize("wandb/roc/v1", [1, 2])
