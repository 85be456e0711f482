"""Charts for scikit-learn regressors: outlier candidates, residuals, and all of them at once."""

from __future__ import annotations

from typing import Any

from trackboard.sdk.printer import DEFAULT_PRINTER
from trackboard.sklearn.calculate.outlier_candidates import outlier_candidates
from trackboard.sklearn.calculate.residuals import residuals
from trackboard.sklearn.chart import log_computed, report
from trackboard.sklearn.checks import fitted, inputs_ok
from trackboard.sklearn.shared import log_learning_curve, log_summary_metrics


def plot_regressor(
    model: Any,
    X_train: Any,
    X_test: Any,
    y_train: Any,
    y_test: Any,
    model_name: str = "Regressor",
) -> None:
    """Log every regressor chart: summary metrics, learning curve, outlier candidates and
    residuals (each a step of its own); the last three refit ``model`` on the train set."""
    DEFAULT_PRINTER.info(f"Plotting {model_name}.")
    report(log_summary_metrics(model, X_train, y_train, X_test, y_test), "summary metrics")
    report(log_learning_curve(model, X_train, y_train), "learning curve")
    report(_outlier_candidates(model, X_train, y_train), "outlier candidates")
    report(_residuals(model, X_train, y_train), "residuals")


def plot_outlier_candidates(regressor: Any = None, X: Any = None, y: Any = None) -> None:
    """Log ``outlier_candidates``: each sample's Cook's distance (``wandb/outliers/v1``).

    ``regressor`` must be fitted; it is refit on ``X, y``.
    """
    _outlier_candidates(regressor, X, y)


def _outlier_candidates(regressor: Any, X: Any, y: Any) -> bool:
    helper = "plot_outlier_candidates"
    if not inputs_ok(helper, regressor=regressor, X=X, y=y) or not fitted(helper, regressor):
        return False
    return log_computed(
        helper,
        "outlier_candidates",
        "wandb/outliers/v1",
        lambda: outlier_candidates(regressor, X, y),
    )


def plot_residuals(regressor: Any = None, X: Any = None, y: Any = None) -> None:
    """Log ``residuals``: predicted value against residual on an 80/20 split of ``X, y``
    (``wandb/residuals_plot/v1``). ``regressor`` must be fitted; it is refit on the split."""
    _residuals(regressor, X, y)


def _residuals(regressor: Any, X: Any, y: Any) -> bool:
    helper = "plot_residuals"
    if not inputs_ok(helper, regressor=regressor, X=X, y=y) or not fitted(helper, regressor):
        return False
    return log_computed(
        helper, "residuals", "wandb/residuals_plot/v1", lambda: residuals(regressor, X, y)
    )
