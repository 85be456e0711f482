"""``roc_curve`` and ``pr_curve``: one curve per class (``research/wandb-api.md`` 5.3, 5.4).

Both take ``y_true`` (N labels: ints, strings or bools) and ``y_probas`` (N x C scores). The
classes are the sorted distinct labels of ``y_true``. Column ``i`` of ``y_probas`` scores
``classes[i]``; when the labels are ints ``0..C-1`` and some class is absent from ``y_true``,
column ``c`` scores class ``c`` (wandb would shift the columns; see docs/compatibility.md).

Points come from scikit-learn (``roc_curve``, ``precision_recall_curve``) and are rounded to 3
decimals; tables above :data:`~trackboard.plot.inputs.MAX_ROWS` rows keep a stratified sample
of that many. The areas (``roc_auc_score`` / ``average_precision_score`` per class, one vs
rest) are computed from the full data and stored in the chart's ``panel_config`` as ``auc`` /
``average_precision``: ``{label: area}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from trackboard.media.table import Table
from trackboard.plot.custom_chart import CustomChart
from trackboard.plot.inputs import cap_rows, labels_1d, scores_2d, sklearn_metrics

PRESET = "wandb/area-under-curve/v0"
DIGITS = 3


def roc_curve(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Any = None,
    classes_to_plot: Any = None,
    title: str | None = None,
    split_table: bool = False,
) -> CustomChart:
    """A ROC chart: rows ``[class, fpr, tpr]`` class by class, with each class's AUC.

    ``labels`` names integer classes (``labels[c]``); ``classes_to_plot`` keeps only those
    class values. :class:`ValueError` names bad input (shapes, lengths, unknown classes).
    """
    metrics = sklearn_metrics("roc_curve")
    rows: list[list[Any]] = []
    areas: dict[str, float] = {}
    for label, truth, scores, cls in per_class(
        "roc_curve", y_true, y_probas, labels, classes_to_plot
    ):
        fpr, tpr, _ = metrics.roc_curve(truth, scores, pos_label=cls)
        rows.extend(
            [label, round(f, DIGITS), round(t, DIGITS)]
            for f, t in zip(fpr.tolist(), tpr.tolist(), strict=True)
        )
        areas[str(label)] = float(metrics.auc(fpr, tpr))  # = roc_auc_score, one vs rest
    rows = cap_rows(rows, (1, 2), "roc_curve")
    table = Table(columns=["class", "fpr", "tpr"], data=rows)
    strings = {
        "title": "ROC Curve" if title is None else title,
        "x-axis-title": "False positive rate",
        "y-axis-title": "True positive rate",
    }
    fields = {"x": "fpr", "y": "tpr", "class": "class"}
    return CustomChart(table, PRESET, fields, strings, split_table, extra={"auc": areas})


def pr_curve(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Any = None,
    classes_to_plot: Any = None,
    interp_size: int = 21,
    title: str | None = None,
    split_table: bool = False,
) -> CustomChart:
    """A precision-recall chart: ``interp_size`` rows ``[class, precision, recall]`` per class.

    Precision is made monotone (the best precision at recall >= r) and read at
    ``interp_size`` evenly spaced recalls from 1 down to 0. Each class's average precision is
    stored with the chart. :class:`ValueError` names bad input.
    """
    if isinstance(interp_size, bool) or not isinstance(interp_size, int) or interp_size < 2:
        raise ValueError(f"pr_curve: interp_size must be an int >= 2, got {interp_size!r}")
    metrics = sklearn_metrics("pr_curve")
    targets = np.linspace(0, 1, interp_size)[::-1]
    rows: list[list[Any]] = []
    areas: dict[str, float] = {}
    for label, truth, scores, cls in per_class(
        "pr_curve", y_true, y_probas, labels, classes_to_plot
    ):
        precision, recall, _ = metrics.precision_recall_curve(truth, scores, pos_label=cls)
        points = interpolate(precision, recall, targets)
        rows.extend([label, round(p, DIGITS), round(r, DIGITS)] for p, r in points)
        areas[str(label)] = average_precision(precision, recall)
    rows = cap_rows(rows, (1, 2), "pr_curve")
    table = Table(columns=["class", "precision", "recall"], data=rows)
    strings = {
        "title": "Precision-Recall Curve" if title is None else title,
        "x-axis-title": "Recall",
        "y-axis-title": "Precision",
    }
    fields = {"x": "recall", "y": "precision", "class": "class"}
    return CustomChart(
        table, PRESET, fields, strings, split_table, extra={"average_precision": areas}
    )


def average_precision(precision: np.ndarray[Any, Any], recall: np.ndarray[Any, Any]) -> float:
    """The step-wise area under scikit-learn's PR arrays: ``average_precision_score``."""
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def interpolate(
    precision: np.ndarray[Any, Any], recall: np.ndarray[Any, Any], targets: np.ndarray[Any, Any]
) -> list[tuple[float, float]]:
    """``(precision, target)`` for each target recall, from scikit-learn's PR arrays.

    The precision at a target is the best precision at any recall >= target.
    """
    best = np.maximum.accumulate(precision)[::-1]
    ascending = recall[::-1]
    index = np.searchsorted(ascending, targets, side="left")
    index = np.minimum(index, len(best) - 1)
    return list(zip(best[index].tolist(), targets.tolist(), strict=True))


def per_class(
    helper: str, y_true: Any, y_probas: Any, labels: Any, classes_to_plot: Any
) -> Iterator[tuple[Any, np.ndarray[Any, Any], np.ndarray[Any, Any], Any]]:
    """``(label, y_true, scores of the class, class)`` for each class to plot, checked."""
    truth = labels_1d(y_true, f"{helper}: y_true")
    scores = scores_2d(y_probas, f"{helper}: y_probas", len(truth))
    classes = np.unique(truth)
    if len(classes) < 2:
        raise ValueError(
            f"{helper}: y_true holds only one class ({classes[0].item()!r}); a curve needs two"
        )
    columns = _columns(helper, classes, scores.shape[1])
    wanted = _wanted(helper, classes, classes_to_plot)
    names = None if labels is None else list(labels)
    for index, cls in enumerate(classes.tolist()):
        if cls not in wanted:
            continue
        label = _label(helper, cls, names)
        yield label, truth, scores[:, columns[index]], cls


def _columns(helper: str, classes: np.ndarray[Any, Any], count: int) -> list[int]:
    """The column of ``y_probas`` scoring each class."""
    if classes.dtype.kind in "iu" and classes.min() >= 0 and classes.max() < count:
        if len(classes) == count:
            return list(range(count))
        return [int(c) for c in classes.tolist()]
    if len(classes) != count:
        raise ValueError(
            f"{helper}: y_probas has {count} columns but y_true has {len(classes)} classes "
            f"({', '.join(map(repr, classes.tolist()[:10]))}); column i must score the i-th "
            "class in sorted order"
        )
    return list(range(count))


def _wanted(helper: str, classes: np.ndarray[Any, Any], classes_to_plot: Any) -> set[Any]:
    known = classes.tolist()
    if classes_to_plot is None:
        return set(known)
    wanted = [v.item() if hasattr(v, "item") else v for v in classes_to_plot]
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise ValueError(
            f"{helper}: classes_to_plot holds {unknown[0]!r}, which is not a class of y_true"
        )
    return set(wanted)


def _label(helper: str, cls: Any, names: list[Any] | None) -> Any:
    """The label of class ``cls``: ``labels[cls]`` for int classes when labels are given."""
    if names is None or isinstance(cls, str | bool):
        return cls
    if not 0 <= cls < len(names):
        raise ValueError(f"{helper}: labels has {len(names)} names but y_true holds class {cls}")
    return names[cls] if isinstance(names[cls], str | int | float) else str(names[cls])
