"""Input checks shared by the ``trackboard.sklearn`` helpers: print what is wrong, answer a bool.

As in wandb, a helper given bad input (``None``, something that is not an array, a model that
is not fitted or of the wrong kind) prints a ``trackboard: ERROR`` line naming the argument and
the problem, logs nothing and returns ``None``; it never raises into the training script.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import sklearn.base
from sklearn.base import is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from trackboard.sdk.printer import DEFAULT_PRINTER, PREFIX

ARRAYS = frozenset(
    {"X", "X_train", "X_test", "y", "y_train", "y_test", "y_true", "y_pred", "y_probas"}
)
"""Arguments that must be array-like (lists, numpy arrays, pandas objects)."""

FEATURES = frozenset({"X", "X_train", "X_test"})
"""Arguments that must also be numeric, with no missing values."""


def error(helper: str, message: str) -> None:
    """Print ``trackboard: ERROR <helper>: <message>; nothing was logged``."""
    DEFAULT_PRINTER.write(f"{PREFIX}ERROR {helper}: {message}; nothing was logged")


def warn(helper: str, message: str) -> None:
    """Print ``trackboard: WARNING <helper>: <message>``."""
    DEFAULT_PRINTER.warn(f"{helper}: {message}")


def inputs_ok(helper: str, **values: Any) -> bool:
    """Whether every named value is present and of the kind its name asks for.

    Names in :data:`ARRAYS` must be array-like; :data:`FEATURES` numeric and complete;
    ``model`` a classifier or regressor, ``clf`` a classifier, ``regressor`` a regressor,
    ``clusterer`` a clusterer. Every problem is printed, not only the first.
    """
    ok = True
    for name, value in values.items():
        problem = _problem(name, value)
        if problem is not None:
            error(helper, f"{name} {problem}")
            ok = False
    return ok


def _problem(name: str, value: Any) -> str | None:
    if value is None:
        return "is None"
    if name in ARRAYS:
        if isinstance(value, str | bytes) or not isinstance(value, Iterable):
            return f"is not an array (got {type(value).__name__})"
        if name in FEATURES:
            return _feature_problem(value)
    if name == "model" and not (is_classifier(value) or is_regressor(value)):
        return f"is not a scikit-learn classifier or regressor (got {type(value).__name__})"
    if name == "clf" and not is_classifier(value):
        return f"is not a scikit-learn classifier (got {type(value).__name__})"
    if name == "regressor" and not is_regressor(value):
        return f"is not a scikit-learn regressor (got {type(value).__name__})"
    if name == "clusterer" and not _is_clusterer(value):
        return f"is not a scikit-learn clusterer (got {type(value).__name__})"
    return None


def _is_clusterer(value: Any) -> bool:
    """scikit-learn's ``is_clusterer`` (1.6+), else the older ``_estimator_type`` mark."""
    check = getattr(sklearn.base, "is_clusterer", None)
    if check is not None:
        return bool(check(value))
    return getattr(value, "_estimator_type", None) == "clusterer"


def _feature_problem(value: Any) -> str | None:
    """Why ``value`` cannot be used as a feature matrix, or None."""
    if hasattr(value, "toarray"):  # scipy sparse
        value = value.toarray()
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return "contains values that are not numbers (encode them first)"
    missing = int(np.count_nonzero(np.isnan(array)))
    if missing:
        return f"contains {missing} missing values"
    return None


def fitted(helper: str, model: Any) -> bool:
    """Whether ``model`` is a fitted estimator; prints why not."""
    try:
        check_is_fitted(model)
    except NotFittedError:
        error(helper, f"the {type(model).__name__} is not fitted; fit it before passing it in")
        return False
    except TypeError:
        error(helper, f"{type(model).__name__} is not a scikit-learn estimator")
        return False
    return True
