"""Checking and converting what the plot helpers are given: lists, numpy arrays, torch tensors.

Every function raises :class:`ValueError` (or :class:`TypeError` for a value that is not an
array at all) naming the argument and the problem, so a bad call fails where it is made.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

MAX_ROWS = 10_000
"""wandb's row cap for ROC and PR tables (``Table.MAX_ROWS``); larger ones are resampled."""


def as_array(value: Any, name: str) -> np.ndarray[Any, Any]:
    """``value`` (a list, tuple, numpy array or torch tensor, or a list of tensors) as numpy."""
    if value is None:
        raise ValueError(f"{name} is required, got None")
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        return np.asarray(value.detach().cpu().numpy())
    if isinstance(value, list | tuple):
        value = [_scalar(v) for v in value]
    elif not isinstance(value, np.ndarray) and (
        isinstance(value, str | bytes) or not hasattr(value, "__len__")
    ):
        raise TypeError(
            f"{name} must be a list, numpy array or torch tensor, got {type(value).__name__}"
        )
    try:
        return np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be rectangular: {exc}") from exc


def _scalar(value: Any) -> Any:
    """A 0-d tensor or numpy value as a Python scalar; a row (tensor/array) as a list."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        return value.detach().cpu().tolist()
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    return value


def labels_1d(value: Any, name: str) -> np.ndarray[Any, Any]:
    """A 1-D array of class labels (ints, strings or bools); :class:`ValueError` otherwise."""
    if isinstance(value, list | tuple):
        value = [_scalar(v) for v in value]
        texts = sum(isinstance(v, str) for v in value)
        if 0 < texts < len(value):
            raise ValueError(f"{name} mixes label types (str and others); use one type")
    array = as_array(value, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per sample), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty")
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            raise ValueError(f"{name} must hold class labels (ints or strings), got floats")
        array = array.astype(np.int64)
    elif array.dtype.kind == "O":
        kinds = {type(v) for v in array.tolist()}
        if len(kinds) > 1:
            names = ", ".join(sorted(k.__name__ for k in kinds))
            raise ValueError(f"{name} mixes label types ({names}); use one type")
    return array


def scores_2d(value: Any, name: str, samples: int) -> np.ndarray[Any, Any]:
    """An N x K array of scores for ``samples`` samples; :class:`ValueError` otherwise."""
    array = as_array(value, name)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (one row of class scores per sample), got shape {array.shape}"
        )
    if array.shape[0] != samples:
        raise ValueError(
            f"{name} has {array.shape[0]} rows but y_true has {samples} labels; they must match"
        )
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {array.dtype}")
    return array.astype(np.float64)


def check_same_length(a: np.ndarray[Any, Any], a_name: str, b: Any, b_name: str) -> None:
    """:class:`ValueError` naming both arguments when their lengths differ."""
    if len(a) != len(b):
        raise ValueError(
            f"{a_name} has {len(a)} values but {b_name} has {len(b)}; "
            "they must have the same length"
        )


def sklearn_metrics(helper: str) -> Any:
    """``sklearn.metrics``, or :class:`ImportError` telling how to install it."""
    try:
        import sklearn.metrics
    except ImportError as exc:
        raise ImportError(
            f"trackboard.plot.{helper} needs scikit-learn: pip install scikit-learn"
        ) from exc
    return sklearn.metrics


def cap_rows(rows: list[list[Any]], sort_columns: tuple[int, int], helper: str) -> list[list[Any]]:
    """At most :data:`MAX_ROWS` rows, as wandb keeps them (``research/wandb-api.md`` 5.3).

    Above the cap: warn, keep a class-stratified random sample of exactly :data:`MAX_ROWS`
    rows (``random_state=42``) and sort it by the two ``sort_columns`` then the class.
    """
    if len(rows) <= MAX_ROWS:
        return rows
    from sklearn.utils import resample

    warnings.warn(
        f"trackboard.plot.{helper}: {len(rows)} rows is more than {MAX_ROWS}; "
        f"keeping a stratified sample of {MAX_ROWS} rows",
        UserWarning,
        stacklevel=3,
    )
    classes = [str(row[0]) for row in rows]
    kept = resample(rows, replace=False, n_samples=MAX_ROWS, random_state=42, stratify=classes)
    first, second = sort_columns
    return sorted(kept, key=lambda row: (row[first], row[second], str(row[0])))
