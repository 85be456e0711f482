"""The ``silhouette_plot`` chart's table (``wandb/silhouette_/v1``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import silhouette_samples, silhouette_score
from sklearn.preprocessing import LabelEncoder

from trackboard.media.table import Table
from trackboard.sklearn.chart import cap, make_table

COLUMNS = (
    "x",
    "y",
    "colors",
    "centerx",
    "centery",
    "y_sil",
    "x1",
    "x2",
    "color_sil",
    "silhouette_avg",
)
GAP = 10
"""Rows of the silhouette bars left empty between two clusters (and below the first)."""


def silhouette(
    clusterer: Any,
    X: Any,
    cluster_labels: Any,
    metric: str = "euclidean",
    kmeans: bool = True,
) -> Table:
    """Silhouette coefficients per sample, sorted within each cluster, beside the data.

    Clusters are numbered ``0..n-1`` in sorted order of ``cluster_labels``. The bars: for each
    cluster in turn, its samples' coefficients ascending (``x2``, from ``x1 = 0``) at heights
    ``y_sil`` counting up from 10 with a gap of 10 between clusters, coloured ``color_sil``.
    Row ``i`` also carries the first two features of sample ``i`` (``x``, ``y``), its cluster
    (``colors``) and, with ``kmeans``, that cluster's centre (else None), as wandb lays the
    table out; ``silhouette_avg`` is the mean coefficient. At most 1000 rows (warned).
    """
    codes = LabelEncoder().fit_transform(np.asarray(cluster_labels))
    average = float(silhouette_score(X, codes, metric=metric))
    coefficients = silhouette_samples(X, codes, metric=metric)
    heights: list[int] = []
    values: list[float] = []
    colours: list[int] = []
    lower = GAP
    for cluster in range(int(codes.max()) + 1):
        ordered = np.sort(coefficients[codes == cluster])
        heights.extend(range(lower, lower + len(ordered)))
        values.extend(float(v) for v in ordered)
        colours.extend([cluster] * len(ordered))
        lower += len(ordered) + GAP
    centers = clusterer.cluster_centers_ if kmeans else None
    rows: list[list[Any]] = []
    for i, (height, value, colour) in enumerate(zip(heights, values, colours, strict=True)):
        label = int(codes[i])
        center = (None, None) if centers is None else (centers[label, 0], centers[label, 1])
        rows.append([X[i, 0], X[i, 1], label, *center, height, 0, value, colour, average])
    return make_table(COLUMNS, cap(rows, "silhouette_plot"))
