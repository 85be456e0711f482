"""``trackboard.sklearn``: wandb.sklearn's chart helpers, with the same names and arguments.

Each helper checks its input, computes the table wandb stores for that chart, and logs it on
the current run with the global :func:`trackboard.log` under a fixed key (one step each)::

    import trackboard as wandb

    wandb.init(project="iris")
    wandb.sklearn.plot_confusion_matrix(y_test, y_pred, labels=["setosa", "versicolor"])
    wandb.sklearn.plot_classifier(model, X_train, X_test, y_train, y_test, y_pred, y_probas, labels)

Bad input (``None``, something that is not an array, an unfitted model, data scikit-learn
refuses) prints a ``trackboard: ERROR`` line and logs nothing; it never raises. Charts keep at
most 1000 rows of data (a warning says when rows are left out); the confusion matrix is never
truncated. Needs numpy and scikit-learn, loaded when this module is imported.
"""

from __future__ import annotations

from trackboard.sklearn.chart import CHART_LIMIT
from trackboard.sklearn.classifier import (
    plot_calibration_curve,
    plot_class_proportions,
    plot_classifier,
    plot_confusion_matrix,
    plot_feature_importances,
    plot_precision_recall,
    plot_roc,
)
from trackboard.sklearn.clusterer import plot_clusterer, plot_elbow_curve, plot_silhouette
from trackboard.sklearn.regressor import plot_outlier_candidates, plot_regressor, plot_residuals
from trackboard.sklearn.shared import plot_learning_curve, plot_summary_metrics

chart_limit = CHART_LIMIT
"""wandb's name for the row cap of most charts."""

__all__ = [
    "chart_limit",
    "plot_calibration_curve",
    "plot_class_proportions",
    "plot_classifier",
    "plot_clusterer",
    "plot_confusion_matrix",
    "plot_elbow_curve",
    "plot_feature_importances",
    "plot_learning_curve",
    "plot_outlier_candidates",
    "plot_precision_recall",
    "plot_regressor",
    "plot_residuals",
    "plot_roc",
    "plot_silhouette",
    "plot_summary_metrics",
]
