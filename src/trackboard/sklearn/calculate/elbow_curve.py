"""The ``elbow_curve`` chart's table (``wandb/elbow/v1``)."""

from __future__ import annotations

import time
from typing import Any

from sklearn.base import clone

from trackboard.media.table import Table
from trackboard.sklearn.chart import make_table

COLUMNS = ("cluster_ranges", "errors", "clustering_time")
DEFAULT_RANGE = range(1, 10, 2)
"""wandb's default numbers of clusters to try: 1, 3, 5, 7, 9."""


def elbow_curve(clusterer: Any, X: Any, cluster_ranges: Any = None) -> Table:
    """The clustering error for each number of clusters, to pick one at the "elbow".

    For each ``k`` of ``cluster_ranges`` (sorted; default :data:`DEFAULT_RANGE`) a clone of
    ``clusterer`` with ``n_clusters=k`` is fitted on ``X``; the row holds ``k``, the absolute
    value of its ``score(X)`` (KMeans: the inertia) and the seconds the fit took. The fits run
    one after another (wandb's ``n_jobs`` is accepted and ignored).
    """
    ks = list(DEFAULT_RANGE) if cluster_ranges is None else sorted(cluster_ranges)
    rows: list[list[Any]] = []
    for k in ks:
        start = time.perf_counter()
        model = clone(clusterer)
        model.n_clusters = k
        score = model.fit(X).score(X)
        rows.append([k, abs(float(score)), time.perf_counter() - start])
    return make_table(COLUMNS, rows)
