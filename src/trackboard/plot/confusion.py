"""``confusion_matrix``: counts of (actual, predicted) class pairs (``research/wandb-api.md`` 5.2).

The table has columns ``Actual``, ``Predicted``, ``nPredictions`` and one row for every one of
the K x K cells, zeros included, actual class outer and predicted inner; it is never
truncated. Counts equal scikit-learn's ``confusion_matrix(y_true, preds, labels=classes)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from trackboard.media.table import Table
from trackboard.plot.custom_chart import CustomChart
from trackboard.plot.inputs import as_array, check_same_length, labels_1d

PRESET = "wandb/confusion_matrix/v1"
COLUMNS = ["Actual", "Predicted", "nPredictions"]


def confusion_matrix(
    probs: Any = None,
    y_true: Any = None,
    preds: Any = None,
    class_names: Any = None,
    title: str | None = None,
    split_table: bool = False,
) -> CustomChart:
    """A confusion matrix chart of ``y_true`` against ``preds`` (or ``argmax(probs)``).

    Give exactly one of ``probs`` (N x K scores) and ``preds`` (N labels). With
    ``class_names`` (K names) labels are class indices ``0..K-1``; without, the classes are
    the sorted distinct values of ``y_true`` and ``preds``, named ``Class_1`` .. ``Class_K``.
    :class:`ValueError` names the problem: both or neither of probs/preds, lengths that differ,
    a label outside ``0..K-1``, labels of mixed types.
    """
    predicted, truth = _predictions(probs, preds, y_true)
    if class_names is not None:
        names = [str(n) for n in _names(class_names)]
        if probs is not None and np.asarray(probs).shape[1] != len(names):
            raise ValueError(
                f"confusion_matrix: probs has {np.asarray(probs).shape[1]} columns but "
                f"class_names has {len(names)} names; they must match"
            )
        true_index = _indices(truth, len(names), "y_true")
        pred_index = _indices(predicted, len(names), "preds")
    else:
        names, true_index, pred_index = _classes(truth, predicted)
    counts = count_pairs(true_index, pred_index, len(names))
    table = Table(columns=COLUMNS, data=_rows(names, counts))
    fields = {column: column for column in COLUMNS}
    strings = {"title": "Confusion Matrix Curve" if title is None else title}
    return CustomChart(table, PRESET, fields, strings, split_table)


def _names(class_names: Any) -> list[Any]:
    if isinstance(class_names, str) or not hasattr(class_names, "__len__"):
        raise TypeError("confusion_matrix: class_names must be a list of names")
    names = list(class_names)
    if not names:
        raise ValueError("confusion_matrix: class_names is empty")
    return names


def _predictions(
    probs: Any, preds: Any, y_true: Any
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``(preds, y_true)`` as 1-D arrays of the same length."""
    if probs is not None and preds is not None:
        raise ValueError("confusion_matrix: give either probs or preds, not both")
    if probs is None and preds is None:
        raise ValueError("confusion_matrix: give probs (N x K scores) or preds (N labels)")
    truth = labels_1d(y_true, "confusion_matrix: y_true")
    if probs is not None:
        scores = as_array(probs, "confusion_matrix: probs")
        if scores.ndim != 2 or scores.dtype.kind not in "biuf":
            raise ValueError(
                f"confusion_matrix: probs must be a 2-D array of numbers (N x K), got shape "
                f"{scores.shape}"
            )
        predicted = np.argmax(scores, axis=1)
    else:
        predicted = labels_1d(preds, "confusion_matrix: preds")
    check_same_length(predicted, "confusion_matrix: preds", truth, "y_true")
    return predicted, truth


def _indices(labels: np.ndarray[Any, Any], count: int, name: str) -> np.ndarray[Any, Any]:
    """Labels that must be class indices ``0..count-1``, checked."""
    if labels.dtype.kind not in "iub":
        bad = labels[0]
        raise ValueError(
            f"confusion_matrix: with class_names, {name} must be class indices 0..{count - 1}, "
            f"got {bad!r}"
        )
    outside = labels[(labels < 0) | (labels >= count)]
    if outside.size:
        raise ValueError(
            f"confusion_matrix: {name} holds label {outside[0].item()!r}, outside the "
            f"{count} class_names (indices 0..{count - 1})"
        )
    return labels.astype(np.int64)


def _classes(
    truth: np.ndarray[Any, Any], predicted: np.ndarray[Any, Any]
) -> tuple[list[str], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Names ``Class_1..Class_K`` of the sorted distinct labels, and each sample's indices."""
    try:
        classes, inverse = np.unique(np.concatenate([truth, predicted]), return_inverse=True)
    except TypeError as exc:
        raise ValueError(
            f"confusion_matrix: y_true and preds must hold labels of one type ({exc})"
        ) from exc
    if truth.dtype.kind != predicted.dtype.kind and "U" in (truth.dtype.kind, predicted.dtype.kind):
        raise ValueError(
            "confusion_matrix: y_true and preds hold labels of different types "
            f"({truth.dtype} and {predicted.dtype})"
        )
    inverse = inverse.reshape(-1)
    names = [f"Class_{i + 1}" for i in range(len(classes))]
    return names, inverse[: len(truth)], inverse[len(truth) :]


def count_pairs(
    true_index: np.ndarray[Any, Any], pred_index: np.ndarray[Any, Any], count: int
) -> np.ndarray[Any, Any]:
    """``counts[i, j]``: samples of true class ``i`` predicted as class ``j`` (floats)."""
    flat = np.bincount(true_index * count + pred_index, minlength=count * count)
    return flat.reshape(count, count).astype(np.float64)


def _rows(names: list[str], counts: np.ndarray[Any, Any]) -> list[list[Any]]:
    values = counts.tolist()
    return [
        [actual, predicted, values[i][j]]
        for i, actual in enumerate(names)
        for j, predicted in enumerate(names)
    ]
