"""The legacy ``trackboard.plots`` helpers: deprecated, warn and skip on bad input."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pytest
from reference import sample
from sklearn import metrics

import trackboard
from trackboard.plot import Visualize


def call(helper: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a legacy helper; its deprecation warning must name the replacement."""
    with pytest.warns(FutureWarning, match="deprecated .*use trackboard.plot"):
        return helper(*args, **kwargs)


def test_roc_keeps_every_sklearn_point_per_class_rounded() -> None:
    y, scores = sample(300, 3)
    chart = call(trackboard.plots.ROC, y, scores, labels=["a", "b", "c"])
    assert isinstance(chart, Visualize)
    assert chart.viz_id == "wandb/roc/v1"
    assert chart.table.columns == ["class", "fpr", "tpr"]
    expected = []
    for c in range(3):
        fpr, tpr, _ = metrics.roc_curve(y, scores[:, c], pos_label=c)
        expected += [
            ["abc"[c], round(f, 3), round(t, 3)]
            for f, t in zip(fpr.tolist(), tpr.tolist(), strict=True)
        ]
    assert chart.table.data == expected


def test_precision_recall_picks_twenty_points_per_class() -> None:
    y, scores = sample(300, 2, seed=1)
    chart = call(trackboard.plots.precision_recall, y.tolist(), scores.tolist())
    assert chart.viz_id == "wandb/pr_curve/v1"
    assert len(chart.table.data) == 40
    precision, recall, _ = metrics.precision_recall_curve(y, scores[:, 1], pos_label=1)
    picks = [int(len(precision) * k / 20) for k in range(20)]
    assert chart.table.data[20:] == [
        [1, round(float(precision[i]), 3), round(float(recall[i]), 3)] for i in picks
    ]


def test_heatmap_rows_are_x_outer_rounded_to_two_and_show_text_picks_the_preset() -> None:
    matrix = np.array([[0.123, 1.0, 2.0], [3.456, 4.0, 5.0]])
    chart = call(trackboard.plots.HeatMap, ["a", "b", "c"], ["r1", "r2"], matrix, show_text=True)
    assert chart.viz_id == "wandb/heatmap/v1"
    assert chart.table.columns == ["x_axis", "y_axis", "values"]
    assert chart.table.data[:2] == [["a", "r1", 0.12], ["a", "r2", 3.46]]
    assert len(chart.table.data) == 6
    plain = call(trackboard.plots.HeatMap, ["a", "b", "c"], ["r1", "r2"], matrix.tolist())
    assert plain.viz_id == "wandb/heatmap_no_text/v1"


@pytest.mark.parametrize(
    ("helper", "args", "problem"),
    [
        ("ROC", ([0, 1, 1], [[0.1, 0.9]]), "y_probas has 1 rows"),
        ("ROC", (None, None), "y_true is required"),
        ("precision_recall", ([0, 0], [[0.1, 0.9]] * 2), "only one class"),
        ("HeatMap", (["a"], ["b", "c"], [[1.0, 2.0]]), "expected \\(2, 1\\)"),
    ],
)
def test_bad_input_warns_with_the_problem_and_returns_none(
    helper: str, args: tuple[Any, ...], problem: str
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert getattr(trackboard.plots, helper)(*args) is None
    messages = [str(w.message) for w in caught]
    assert any(issubclass(w.category, FutureWarning) for w in caught)
    assert any(w.category is UserWarning for w in caught)
    assert any(f"trackboard.plots.{helper}" in m and "nothing to log" in m for m in messages)
    assert any(re.search(problem, m) for m in messages)


def test_roc_is_cut_at_ten_thousand_rows_with_a_warning() -> None:
    y, scores = sample(30_000, 4, seed=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = trackboard.plots.ROC(y, scores)
    assert len(chart.table.data) == 10_000
    assert any("keeping the first 10000" in str(w.message) for w in caught)
