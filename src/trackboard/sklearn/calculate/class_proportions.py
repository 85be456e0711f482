"""The ``class_proportions`` chart's table (``wandb/class_proportions/v1``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.multiclass import unique_labels

from trackboard.media.table import Table
from trackboard.sklearn.chart import cap, make_table

COLUMNS = ("class", "dataset", "count")


def class_proportions(y_train: Any, y_test: Any, labels: Any = None) -> Table:
    """How many samples of each class the train and test sets hold.

    For each class of the sorted union a ``[class, "train", n]`` and a ``[class, "test", n]``
    row. With ``labels`` and integer classes, a class ``c`` is shown as ``labels[c]``.
    """
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    classes = unique_labels(y_train, y_test)
    rows: list[list[Any]] = []
    for value in classes:
        shown = _named(value, labels)
        rows.append([shown, "train", int((y_train == value).sum())])
        rows.append([shown, "test", int((y_test == value).sum())])
    return make_table(COLUMNS, cap(rows, "class_proportions"))


def _named(value: Any, labels: Any) -> Any:
    if labels is not None and isinstance(value, int | np.integer):
        return labels[int(value)]
    return value
