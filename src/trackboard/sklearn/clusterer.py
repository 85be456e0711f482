"""Charts for scikit-learn clusterers: the elbow curve, silhouettes, and both at once."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.cluster import KMeans

from trackboard.sdk.printer import DEFAULT_PRINTER
from trackboard.sklearn.calculate.elbow_curve import elbow_curve
from trackboard.sklearn.calculate.silhouette import silhouette
from trackboard.sklearn.chart import log_computed, report
from trackboard.sklearn.checks import error, fitted, inputs_ok


def plot_clusterer(
    model: Any,
    X_train: Any,
    cluster_labels: Any,
    labels: Any = None,
    model_name: str = "Clusterer",
) -> None:
    """Log the clusterer charts: for ``KMeans`` the elbow curve and silhouettes (with the
    cluster centres), for any other clusterer the silhouettes. ``cluster_labels`` is the
    cluster of each row of ``X_train``; ``labels`` is accepted and unused, as in wandb."""
    DEFAULT_PRINTER.info(f"Plotting {model_name}.")
    kmeans = isinstance(model, KMeans)
    if kmeans:
        report(_elbow_curve(model, X_train), "elbow curve")
    report(_silhouette(model, X_train, cluster_labels, kmeans=kmeans), "silhouette plot")


def plot_elbow_curve(
    clusterer: Any = None,
    X: Any = None,
    cluster_ranges: Any = None,
    n_jobs: int = 1,
    show_cluster_time: bool = True,
) -> None:
    """Log ``elbow_curve``: the clustering error for each number of clusters in
    ``cluster_ranges`` (default 1, 3, 5, 7, 9), refitting clones of ``clusterer`` on ``X``
    (``wandb/elbow/v1``). The clusterer needs ``n_clusters``; ``n_jobs`` and
    ``show_cluster_time`` are accepted and ignored (the time is always stored)."""
    _elbow_curve(clusterer, X, cluster_ranges)


def _elbow_curve(clusterer: Any, X: Any, cluster_ranges: Any = None) -> bool:
    helper = "plot_elbow_curve"
    if not inputs_ok(helper, clusterer=clusterer, X=X):
        return False
    if not hasattr(clusterer, "n_clusters"):
        error(helper, f"{type(clusterer).__name__} has no n_clusters to vary")
        return False
    if not fitted(helper, clusterer):
        return False
    return log_computed(
        helper, "elbow_curve", "wandb/elbow/v1", lambda: elbow_curve(clusterer, X, cluster_ranges)
    )


def plot_silhouette(
    clusterer: Any = None,
    X: Any = None,
    cluster_labels: Any = None,
    labels: Any = None,
    metric: str = "euclidean",
    kmeans: bool = True,
) -> None:
    """Log ``silhouette_plot``: each sample's silhouette coefficient by cluster
    (``wandb/silhouette_/v1``). ``cluster_labels`` is the cluster of each row of ``X``
    (default: the fitted clusterer's ``labels_``); with ``kmeans`` the table carries the
    clusterer's ``cluster_centers_``. ``labels`` is accepted and unused, as in wandb."""
    _silhouette(clusterer, X, cluster_labels, metric, kmeans)


def _silhouette(
    clusterer: Any,
    X: Any,
    cluster_labels: Any,
    metric: str = "euclidean",
    kmeans: bool = True,
) -> bool:
    helper = "plot_silhouette"
    if not inputs_ok(helper, clusterer=clusterer, X=X) or not fitted(helper, clusterer):
        return False
    if cluster_labels is None:
        cluster_labels = getattr(clusterer, "labels_", None)
        if cluster_labels is None:
            error(helper, "cluster_labels is None and the clusterer has no labels_")
            return False
    features = np.asarray(X.values if hasattr(X, "values") else X, dtype=float)
    if features.ndim != 2 or features.shape[1] < 2:
        error(helper, f"X must have at least two features, got shape {features.shape}")
        return False
    if kmeans and not hasattr(clusterer, "cluster_centers_"):
        error(helper, "kmeans=True needs a clusterer with cluster_centers_")
        return False
    return log_computed(
        helper,
        "silhouette_plot",
        "wandb/silhouette_/v1",
        lambda: silhouette(clusterer, features, cluster_labels, metric, kmeans),
    )
