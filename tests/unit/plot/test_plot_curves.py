"""``plot.roc_curve`` and ``plot.pr_curve`` against scikit-learn, as wandb transforms it."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest
from reference import aucs, average_precisions, pr_rows, roc_rows, sample

from trackboard import plot
from trackboard.plot.inputs import MAX_ROWS


def test_roc_curve_binary_matches_sklearn_rounded_with_auc() -> None:
    y, scores = sample(300, 2)
    chart = plot.roc_curve(y.tolist(), scores.tolist())
    assert chart.table.columns == ["class", "fpr", "tpr"]
    assert chart.table.data == roc_rows(y, scores, [0, 1])
    assert chart.extra["auc"] == pytest.approx(aucs(y, scores, [0, 1]), abs=1e-12)
    config = chart.panel_config("roc")
    assert config["panelDefId"] == "wandb/area-under-curve/v0"
    assert config["fieldSettings"] == {"x": "fpr", "y": "tpr", "class": "class"}
    assert config["stringSettings"] == {
        "title": "ROC Curve",
        "x-axis-title": "False positive rate",
        "y-axis-title": "True positive rate",
    }


def test_roc_curve_multiclass_numpy_matches_sklearn_and_names_classes_with_labels() -> None:
    y, scores = sample(500, 4, seed=1)
    names = ["cat", "dog", "emu", "fox"]
    chart = plot.roc_curve(y, scores, labels=names, title="t")
    expected = [[names[c], f, t] for c, f, t in roc_rows(y, scores, [0, 1, 2, 3])]
    assert chart.table.data == expected
    assert chart.extra["auc"] == pytest.approx(
        {names[int(c)]: v for c, v in aucs(y, scores, [0, 1, 2, 3]).items()}, abs=1e-12
    )
    assert chart.string_fields["title"] == "t"


def test_roc_curve_string_labels_use_sorted_classes_and_ignore_labels() -> None:
    y, scores = sample(400, 3, seed=2)
    words = np.array(["b_bird", "a_ant", "c_cow"])[y]
    classes = sorted(set(words.tolist()))
    # column i scores the i-th class in sorted order
    order = [list(np.array(["b_bird", "a_ant", "c_cow"])).index(c) for c in classes]
    columns = scores[:, order]
    chart = plot.roc_curve(list(words), columns, labels=["x", "y", "z"])
    assert chart.table.data == roc_rows(words, columns, classes)
    assert set(chart.extra["auc"]) == set(classes)


def test_roc_curve_classes_to_plot_keeps_only_those_classes() -> None:
    y, scores = sample(200, 3, seed=3)
    chart = plot.roc_curve(y, scores, classes_to_plot=[2])
    assert {row[0] for row in chart.table.data} == {2}
    assert chart.table.data == roc_rows(y, scores, [0, 1, 2])[-len(chart.table.data) :]
    assert list(chart.extra["auc"]) == ["2"]


def test_roc_curve_int_classes_missing_from_y_true_keep_their_column() -> None:
    y, scores = sample(200, 4, seed=4)
    y = np.where(y == 1, 0, y)  # class 1 never occurs
    chart = plot.roc_curve(y, scores)
    assert {row[0] for row in chart.table.data} == {0, 2, 3}
    kept = scores[:, [0, 2, 3]]
    assert chart.table.data == roc_rows(y, kept, [0, 2, 3])


def test_pr_curve_binary_and_multiclass_have_interp_size_rows_per_class() -> None:
    for k, seed in ((2, 5), (5, 6)):
        y, scores = sample(400, k, seed=seed)
        chart = plot.pr_curve(y, scores)
        assert chart.table.columns == ["class", "precision", "recall"]
        assert len(chart.table.data) == 21 * k
        assert chart.table.data == pr_rows(y, scores, list(range(k)))
        recalls = [row[2] for row in chart.table.data[:21]]
        assert recalls == sorted(recalls, reverse=True)
        assert recalls[0] == 1.0 and recalls[-1] == 0.0
        assert chart.extra["average_precision"] == pytest.approx(
            average_precisions(y, scores, list(range(k))), abs=1e-12
        )
        assert chart.fields == {"x": "recall", "y": "precision", "class": "class"}
        assert chart.string_fields["x-axis-title"] == "Recall"


def test_pr_curve_string_labels_and_custom_interp_size() -> None:
    y, scores = sample(300, 3, seed=7)
    words = np.array(["no", "maybe", "yes"])[y]
    classes = sorted(set(words.tolist()))
    columns = scores[:, [["no", "maybe", "yes"].index(c) for c in classes]]
    chart = plot.pr_curve(words, columns, interp_size=11)
    assert len(chart.table.data) == 33
    assert chart.table.data == pr_rows(words, columns, classes, interp_size=11)


@pytest.mark.torch
def test_roc_and_pr_accept_torch_tensors() -> None:
    torch = pytest.importorskip("torch")
    y, scores = sample(300, 3, seed=8)
    roc = plot.roc_curve(torch.tensor(y), torch.tensor(scores))
    assert roc.table.data == roc_rows(y, scores, [0, 1, 2])
    pr = plot.pr_curve(list(torch.tensor(y)), torch.tensor(scores, dtype=torch.float64))
    assert pr.table.data == pr_rows(y, scores, [0, 1, 2])


@pytest.mark.parametrize(
    ("y_true", "y_probas", "message"),
    [
        ([0, 1, 1], [[0.1, 0.9], [0.2, 0.8]], "y_probas has 2 rows but y_true has 3"),
        ([0, 1], [0.1, 0.9], "y_probas must be 2-D"),
        ([[0], [1]], [[0.1, 0.9], [0.2, 0.8]], "y_true must be 1-D"),
        (None, [[0.1, 0.9]], "y_true is required"),
        ([1, 1], [[0.1, 0.9], [0.2, 0.8]], "only one class"),
        (["a", "b", "c"], [[0.1, 0.9]] * 3, "y_probas has 2 columns but y_true has 3 classes"),
        ([0, 1], [["a", "b"], ["c", "d"]], "must hold numbers"),
        ([0, "a"], [[0.1, 0.9], [0.2, 0.8]], "mixes label types"),
        ([0.5, 1.0], [[0.1, 0.9], [0.2, 0.8]], "got floats"),
    ],
)
def test_roc_and_pr_reject_bad_input_with_a_clear_error(
    y_true: Any, y_probas: Any, message: str
) -> None:
    for helper in (plot.roc_curve, plot.pr_curve):
        with pytest.raises(ValueError, match=message):
            helper(y_true, y_probas)


def test_classes_to_plot_and_labels_that_do_not_fit_are_errors() -> None:
    y, scores = sample(50, 3)
    with pytest.raises(ValueError, match="classes_to_plot holds 7"):
        plot.roc_curve(y, scores, classes_to_plot=[7])
    with pytest.raises(ValueError, match="labels has 2 names but y_true holds class 2"):
        plot.pr_curve(y, scores, labels=["a", "b"])
    with pytest.raises(ValueError, match="interp_size must be an int >= 2"):
        plot.pr_curve(y, scores, interp_size=1)


def test_missing_scikit_learn_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    y, scores = sample(50, 2)
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.metrics", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        plot.roc_curve(y, scores)


@pytest.mark.slow
def test_large_inputs_stay_under_the_row_caps_with_areas_from_full_data() -> None:
    y, scores = sample(100_000, 100, seed=9)
    classes = list(range(100))
    with pytest.warns(UserWarning, match="stratified sample of 10000 rows"):
        roc = plot.roc_curve(y, scores)
    assert len(roc.table.data) == MAX_ROWS
    full = roc_rows(y, scores, classes)
    assert len(full) > MAX_ROWS
    full_set = {tuple(row) for row in full}
    assert all(tuple(row) in full_set for row in roc.table.data)
    per_class = dict.fromkeys(classes, 0)
    for row in roc.table.data:
        per_class[row[0]] += 1
    assert all(count > 0 for count in per_class.values())
    keys = [(row[1], row[2], str(row[0])) for row in roc.table.data]
    assert keys == sorted(keys)
    assert roc.extra["auc"] == pytest.approx(aucs(y, scores, classes), abs=1e-12)

    pr = plot.pr_curve(y, scores)
    assert len(pr.table.data) == 21 * 100
    assert pr.extra["average_precision"] == pytest.approx(
        average_precisions(y, scores, classes), abs=1e-12
    )
