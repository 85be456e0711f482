"""Clusterer charts logged into a real offline run and read back with ``trackboard.Api``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.datasets import load_iris
from sklearn.metrics import silhouette_samples, silhouette_score
from sklearn_helpers import Session

import trackboard as wandb


@pytest.fixture(scope="module")
def blobs() -> dict[str, Any]:
    X = load_iris().data[::3, :2]
    model = KMeans(n_clusters=3, n_init=2, random_state=0).fit(X)
    return {"X": X, "model": model, "labels": model.labels_}


def test_elbow_curve_scores_kmeans_for_each_number_of_clusters(
    session: Session, blobs: dict[str, Any]
) -> None:
    session.start()
    wandb.sklearn.plot_elbow_curve(blobs["model"], blobs["X"])
    stored = session.finish()
    assert stored.viz("elbow_curve")["id"] == "wandb/elbow/v1"
    body = stored.table("elbow_curve")
    assert body["columns"] == ["cluster_ranges", "errors", "clustering_time"]
    assert [row[0] for row in body["data"]] == [1, 3, 5, 7, 9]
    for k, error, seconds in body["data"]:
        inertia = KMeans(n_clusters=k, n_init=2, random_state=0).fit(blobs["X"]).inertia_
        assert error == pytest.approx(inertia)
        assert seconds >= 0


def test_elbow_curve_with_given_ranges_sorts_them(session: Session, blobs: dict[str, Any]) -> None:
    session.start()
    wandb.sklearn.plot_elbow_curve(blobs["model"], blobs["X"], cluster_ranges=[4, 2])
    assert [r[0] for r in session.finish().table("elbow_curve")["data"]] == [2, 4]


def test_silhouette_rows_follow_wandbs_layout(session: Session, blobs: dict[str, Any]) -> None:
    X, model, labels = blobs["X"], blobs["model"], blobs["labels"]
    session.start()
    wandb.sklearn.plot_silhouette(model, X, labels)
    stored = session.finish()
    assert stored.viz("silhouette_plot")["id"] == "wandb/silhouette_/v1"
    body = stored.table("silhouette_plot")
    assert body["columns"] == [
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
    ]
    data = body["data"]
    assert len(data) == len(X)
    samples = silhouette_samples(X, labels)
    bars = np.concatenate([np.sort(samples[labels == c]) for c in range(3)])
    assert np.allclose([row[7] for row in data], bars)
    assert [row[8] for row in data] == sorted(labels.tolist())
    sizes = [int(np.sum(labels == c)) for c in range(3)]
    assert data[0][5] == 10
    assert data[sizes[0]][5] == 10 + sizes[0] + 10
    centers = model.cluster_centers_
    for i, row in enumerate(data):
        assert row[:3] == [X[i, 0], X[i, 1], int(labels[i])]
        assert row[3:5] == [centers[labels[i], 0], centers[labels[i], 1]]
        assert row[6] == 0
        assert row[9] == pytest.approx(silhouette_score(X, labels))


def test_plot_clusterer_logs_elbow_and_silhouette_for_kmeans(
    session: Session, blobs: dict[str, Any]
) -> None:
    session.start()
    wandb.sklearn.plot_clusterer(blobs["model"], blobs["X"], blobs["labels"], model_name="KMeans")
    assert session.finish().keys() == ["elbow_curve", "silhouette_plot"]


def test_plot_clusterer_logs_silhouettes_without_centres_for_other_clusterers(
    session: Session, blobs: dict[str, Any]
) -> None:
    model = AgglomerativeClustering(n_clusters=3).fit(blobs["X"])
    session.start()
    wandb.sklearn.plot_clusterer(model, blobs["X"], model.labels_)
    stored = session.finish()
    assert stored.keys() == ["silhouette_plot"]
    assert {tuple(row[3:5]) for row in stored.table("silhouette_plot")["data"]} == {(None, None)}


def test_silhouette_is_capped_at_the_chart_limit_with_a_warning(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1100, 2))
    model = KMeans(n_clusters=2, n_init=1, random_state=0).fit(X)
    session.start()
    wandb.sklearn.plot_silhouette(model, X, model.labels_)
    assert "using only the first 1000 of 1100" in capsys.readouterr().err
    assert len(session.finish().table("silhouette_plot")["data"]) == 1000


def test_silhouette_labels_default_to_the_clusterers(
    session: Session, blobs: dict[str, Any]
) -> None:
    session.start()
    wandb.sklearn.plot_silhouette(blobs["model"], blobs["X"])
    data = session.finish().table("silhouette_plot")["data"]
    assert [row[2] for row in data] == blobs["labels"].tolist()
