"""The ``confusion_matrix`` chart's table (``wandb/confusion_matrix/v1``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics
from sklearn.utils.multiclass import unique_labels

from trackboard.media.table import Table
from trackboard.sklearn.chart import make_table
from trackboard.sklearn.checks import error

COLUMNS = ("Predicted", "Actual", "Count")
HELPER = "plot_confusion_matrix"


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    labels: Any = None,
    true_labels: Any = None,
    pred_labels: Any = None,
    normalize: bool = False,
) -> Table | None:
    """Counts of (true class, predicted class) pairs, every cell including zeros.

    Classes are the sorted union of ``y_true`` and ``y_pred``; ``labels`` names them in that
    order. With ``normalize`` each true class's row is divided by its sum and rounded to 2
    places (an empty row gives 0). ``true_labels`` / ``pred_labels`` keep only those classes
    (by name) on each side.

    As wandb stores it, the table's rows run true class outer, predicted class inner, and the
    *true* class is written under ``"Predicted"`` and the predicted one under ``"Actual"``
    (wandb's column naming, kept so readers of the table see what wandb users see). The
    matrix is never truncated.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape[0] != y_pred.shape[0]:
        error(HELPER, f"y_true has {y_true.shape[0]} values but y_pred has {y_pred.shape[0]}")
        return None
    classes = unique_labels(y_true, y_pred)
    counts = metrics.confusion_matrix(y_true, y_pred, labels=classes)
    names = _names(classes, labels)
    if names is None:
        return None
    if normalize:
        with np.errstate(invalid="ignore", divide="ignore"):
            counts = np.around(counts.astype(float) / counts.sum(axis=1)[:, np.newaxis], 2)
        counts[np.isnan(counts)] = 0.0
    rows_kept = _kept(names, true_labels, "true_labels")
    cols_kept = _kept(names, pred_labels, "pred_labels")
    if rows_kept is None or cols_kept is None:
        return None
    rows = [[names[i], names[j], counts[i, j]] for i in rows_kept for j in cols_kept]
    return make_table(COLUMNS, rows)


def _names(classes: Any, labels: Any) -> list[Any] | None:
    """The display name of each class: ``labels`` in class order, else the class values."""
    if labels is None:
        return list(np.asarray(classes).tolist())
    names = list(np.asarray(labels).tolist())
    if len(names) < len(classes):
        error(HELPER, f"labels has {len(names)} names but the data has {len(classes)} classes")
        return None
    return names[: len(classes)]


def _kept(names: list[Any], wanted: Any, argument: str) -> list[int] | None:
    """Indexes of the classes named in ``wanted`` (all when None); None after an error."""
    if wanted is None:
        return list(range(len(names)))
    wanted = list(np.asarray(wanted).ravel().tolist())
    unknown = [w for w in wanted if w not in names]
    if unknown:
        error(HELPER, f"{argument} names classes not in the data: {unknown!r}")
        return None
    return [i for i, name in enumerate(names) if name in wanted]
