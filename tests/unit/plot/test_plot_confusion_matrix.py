"""``plot.confusion_matrix`` against scikit-learn's ``confusion_matrix``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from reference import sample
from sklearn import metrics

from trackboard import plot


def cells(chart: Any) -> dict[tuple[str, str], float]:
    return {(a, p): n for a, p, n in chart.table.data}


def test_preds_without_class_names_count_pairs_as_sklearn_with_class_i_names() -> None:
    y_true = [3, 1, 1, 7, 3, 3]
    preds = [3, 3, 1, 1, 7, 3]
    chart = plot.confusion_matrix(y_true=y_true, preds=preds)
    expected = metrics.confusion_matrix(y_true, preds, labels=[1, 3, 7])
    names = ["Class_1", "Class_2", "Class_3"]
    assert chart.table.columns == ["Actual", "Predicted", "nPredictions"]
    assert chart.table.data == [
        [names[i], names[j], float(expected[i, j])] for i in range(3) for j in range(3)
    ]
    assert all(type(row[2]) is float for row in chart.table.data)
    assert chart.vega_spec_name == "wandb/confusion_matrix/v1"
    assert chart.fields == {c: c for c in ["Actual", "Predicted", "nPredictions"]}
    assert chart.string_fields == {"title": "Confusion Matrix Curve"}


def test_probs_with_class_names_use_argmax_and_keep_every_cell() -> None:
    y, scores = sample(500, 4, seed=3)
    names = ["a", "b", "c", "d"]
    chart = plot.confusion_matrix(probs=scores, y_true=y, class_names=names, title="cm")
    expected = metrics.confusion_matrix(y, scores.argmax(axis=1), labels=[0, 1, 2, 3])
    assert len(chart.table.data) == 16
    got = cells(chart)
    for i, actual in enumerate(names):
        for j, predicted in enumerate(names):
            assert got[(actual, predicted)] == expected[i, j]
    assert chart.string_fields == {"title": "cm"}


def test_class_names_include_classes_that_never_occur_as_zero_rows() -> None:
    chart = plot.confusion_matrix(y_true=[0, 0], preds=[0, 1], class_names=["x", "y", "z"])
    assert len(chart.table.data) == 9
    assert cells(chart)[("z", "z")] == 0.0
    assert cells(chart)[("x", "y")] == 1.0


def test_string_labels_are_sorted_and_counted_as_sklearn() -> None:
    y_true = np.array(["dog", "cat", "cat", "emu"])
    preds = ["cat", "cat", "dog", "emu"]
    chart = plot.confusion_matrix(y_true=y_true, preds=preds)
    expected = metrics.confusion_matrix(y_true, preds, labels=["cat", "dog", "emu"])
    flat = [row[2] for row in chart.table.data]
    assert flat == expected.astype(float).ravel().tolist()


@pytest.mark.torch
def test_torch_tensors_and_lists_of_zero_d_tensors_are_accepted() -> None:
    torch = pytest.importorskip("torch")
    y, scores = sample(200, 3, seed=4)
    expected = metrics.confusion_matrix(y, scores.argmax(axis=1)).ravel().tolist()
    from_probs = plot.confusion_matrix(probs=torch.tensor(scores), y_true=torch.tensor(y))
    assert [row[2] for row in from_probs.table.data] == expected
    labels = [torch.tensor(v) for v in y.tolist()]
    preds = [torch.tensor(v) for v in scores.argmax(axis=1).tolist()]
    from_lists = plot.confusion_matrix(y_true=labels, preds=preds, class_names=["a", "b", "c"])
    assert [row[2] for row in from_lists.table.data] == expected


def test_one_hundred_classes_are_never_truncated() -> None:
    y, scores = sample(100_000, 100, seed=5)
    chart = plot.confusion_matrix(probs=scores, y_true=y)
    assert len(chart.table.data) == 10_000
    expected = metrics.confusion_matrix(y, scores.argmax(axis=1), labels=list(range(100)))
    assert [row[2] for row in chart.table.data] == expected.astype(float).ravel().tolist()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"probs": [[0.1, 0.9]], "preds": [1], "y_true": [1]}, "either probs or preds"),
        ({"y_true": [1]}, "give probs"),
        ({"preds": [0, 1], "y_true": [0, 1, 1]}, "preds has 2 values but y_true has 3"),
        ({"probs": [[0.2, 0.8]] * 3, "y_true": [0, 1]}, "preds has 3 values but y_true has 2"),
        ({"preds": [0, 3], "y_true": [0, 1], "class_names": ["a", "b"]}, "holds label 3"),
        ({"preds": [0, 1], "y_true": [0, -1], "class_names": ["a", "b"]}, "holds label -1"),
        ({"preds": ["a"], "y_true": ["a"], "class_names": ["a"]}, "must be class indices"),
        ({"probs": [[0.2, 0.8]], "y_true": [0], "class_names": ["a"]}, "probs has 2 columns"),
        ({"probs": [[0.2, 0.8]], "y_true": ["a"]}, "different types"),
        ({"preds": [1, "a"], "y_true": [1, 1]}, "mixes label types"),
        ({"preds": [1, 1], "y_true": None}, "y_true is required"),
        ({"preds": [], "y_true": []}, "is empty"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_problem(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        plot.confusion_matrix(**kwargs)
