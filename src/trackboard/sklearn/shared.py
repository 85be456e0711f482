"""Helpers for classifiers and regressors alike: summary metrics and the learning curve."""

from __future__ import annotations

from typing import Any

from trackboard.sklearn.calculate.learning_curve import learning_curve
from trackboard.sklearn.calculate.summary_metrics import summary_metrics
from trackboard.sklearn.chart import log_computed
from trackboard.sklearn.checks import fitted, inputs_ok


def plot_summary_metrics(
    model: Any = None,
    X: Any = None,
    y: Any = None,
    X_test: Any = None,
    y_test: Any = None,
) -> None:
    """Log ``summary_metrics``: the fitted ``model``'s scores on ``X_test, y_test``.

    Accuracy and weighted precision, recall and F1 for a classifier; MAE, MSE and R² for a
    regressor (``wandb/metrics/v1``). ``X, y`` are checked but, as in wandb, not used.
    """
    log_summary_metrics(model, X, y, X_test, y_test)


def log_summary_metrics(model: Any, X: Any, y: Any, X_test: Any, y_test: Any) -> bool:
    """:func:`plot_summary_metrics`; whether a chart was logged."""
    helper = "plot_summary_metrics"
    if not inputs_ok(helper, model=model, X=X, y=y, X_test=X_test, y_test=y_test):
        return False
    if not fitted(helper, model):
        return False
    return log_computed(
        helper,
        "summary_metrics",
        "wandb/metrics/v1",
        lambda: summary_metrics(model, X_test, y_test),
    )


def plot_learning_curve(
    model: Any = None,
    X: Any = None,
    y: Any = None,
    cv: Any = None,
    shuffle: bool = False,
    random_state: Any = None,
    train_sizes: Any = None,
    n_jobs: int | None = 1,
    scoring: Any = None,
) -> None:
    """Log ``learning_curve``: train and cross-validation scores against training set size.

    The model is refit on subsets of ``X, y``; the other arguments are
    ``sklearn.model_selection.learning_curve``'s (``wandb/learning_curve/v1``).
    """
    log_learning_curve(model, X, y, cv, shuffle, random_state, train_sizes, n_jobs, scoring)


def log_learning_curve(
    model: Any,
    X: Any,
    y: Any,
    cv: Any = None,
    shuffle: bool = False,
    random_state: Any = None,
    train_sizes: Any = None,
    n_jobs: int | None = 1,
    scoring: Any = None,
) -> bool:
    """:func:`plot_learning_curve`; whether a chart was logged."""
    helper = "plot_learning_curve"
    if not inputs_ok(helper, model=model, X=X, y=y):
        return False
    return log_computed(
        helper,
        "learning_curve",
        "wandb/learning_curve/v1",
        lambda: learning_curve(
            model, X, y, cv, shuffle, random_state, train_sizes, n_jobs, scoring
        ),
    )
