"""Classifier charts logged into a real offline run and read back with ``trackboard.Api``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn import metrics
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import learning_curve, train_test_split
from sklearn.naive_bayes import MultinomialNB
from sklearn_helpers import Session

import trackboard as wandb


@pytest.fixture(scope="module")
def iris() -> dict[str, Any]:
    X, y = load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X_train, y_train)
    return {
        "model": model,
        "X_train": X_train,
        "X_test": X_test,
        "y_train": y_train,
        "y_test": y_test,
        "y_pred": model.predict(X_test),
        "y_probas": model.predict_proba(X_test),
        "labels": ["setosa", "versicolor", "virginica"],
    }


def viz(key: str, preset: str) -> dict[str, Any]:
    return {"id": preset, "historyFieldSettings": {"x-axis": "_step", "key": key}}


def test_seed_confusion_matrix_call_logs_counts_with_wandbs_column_naming(
    session: Session,
) -> None:
    session.start()
    y_true = ["cat", "dog", "owl", "owl", "dog", "cat", "dog"]
    y_pred = ["cat", "owl", "owl", "owl", "dog", "cat", "cat"]
    wandb.sklearn.plot_confusion_matrix(y_true, y_pred, ["Cat", "Dog", "Owl"])
    stored = session.finish()
    assert stored.viz("confusion_matrix") == viz("confusion_matrix", "wandb/confusion_matrix/v1")
    body = stored.table("confusion_matrix")
    assert body["columns"] == ["Predicted", "Actual", "Count"]
    expected = metrics.confusion_matrix(y_true, y_pred)
    names = ["Cat", "Dog", "Owl"]
    # wandb writes the true class under "Predicted" and the predicted one under "Actual"
    assert body["data"] == [
        [names[i], names[j], int(expected[i, j])] for i in range(3) for j in range(3)
    ]


def test_confusion_matrix_normalize_divides_rows_and_rounds(session: Session) -> None:
    session.start()
    y_true = [0, 0, 0, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 1, 0]
    wandb.sklearn.plot_confusion_matrix(y_true, y_pred, normalize=True)
    data = session.finish().table("confusion_matrix")["data"]
    assert data[:3] == [[0, 0, 0.33], [0, 1, 0.67], [0, 2, 0.0]]
    assert data[6:] == [[2, 0, 1.0], [2, 1, 0.0], [2, 2, 0.0]]


def test_confusion_matrix_true_and_pred_labels_keep_those_classes(session: Session) -> None:
    session.start()
    wandb.sklearn.plot_confusion_matrix(
        [0, 1, 2, 2], [0, 2, 2, 1], ["a", "b", "c"], true_labels=["c"], pred_labels=["b", "c"]
    )
    assert session.finish().table("confusion_matrix")["data"] == [["c", "b", 1], ["c", "c", 1]]


def test_confusion_matrix_is_never_truncated(session: Session) -> None:
    session.start()
    y = np.arange(40)
    wandb.sklearn.plot_confusion_matrix(y, y[::-1])
    assert len(session.finish().table("confusion_matrix")["data"]) == 1600


def test_roc_and_precision_recall_delegate_to_trackboard_plot(
    session: Session, iris: dict[str, Any]
) -> None:
    session.start()
    wandb.sklearn.plot_roc(iris["y_test"], iris["y_probas"], iris["labels"])
    wandb.sklearn.plot_precision_recall(iris["y_test"], iris["y_probas"], iris["labels"])
    stored = session.finish()
    assert stored.keys() == ["roc_table", "precision_recall_table"]
    visualize = stored.config["_wandb"]["visualize"]
    assert visualize["roc"]["panel_config"]["panelDefId"] == "wandb/area-under-curve/v0"
    roc = stored.table("roc_table")
    assert roc["columns"] == ["class", "fpr", "tpr"]
    fpr, tpr, _ = metrics.roc_curve(iris["y_test"], iris["y_probas"][:, 1], pos_label=1)
    assert [r[1:] for r in roc["data"] if r[0] == "versicolor"] == [
        [round(f, 3), round(t, 3)] for f, t in zip(fpr.tolist(), tpr.tolist(), strict=True)
    ]
    pr = stored.table("precision_recall_table")
    assert len(pr["data"]) == 3 * 21


def test_feature_importances_are_sorted_largest_first(
    session: Session, iris: dict[str, Any]
) -> None:
    session.start()
    names = ["sepal length", "sepal width", "petal length", "petal width"]
    wandb.sklearn.plot_feature_importances(iris["model"], names)
    stored = session.finish()
    assert stored.viz("feature_importances")["id"] == "wandb/feature_importances/v1"
    body = stored.table("feature_importances")
    assert body["columns"] == ["feature_names", "importances"]
    importances = iris["model"].feature_importances_
    order = np.argsort(importances)[::-1]
    assert body["data"] == [[names[i], float(importances[i])] for i in order]


def test_feature_importances_of_binary_coef_are_squeezed_and_named_by_index(
    session: Session,
) -> None:
    X, y = load_breast_cancer(return_X_y=True)
    model = LogisticRegression(max_iter=50).fit(X[:, :3] / 100, y)
    session.start()
    wandb.sklearn.plot_feature_importances(model)
    data = session.finish().table("feature_importances")["data"]
    coef = model.coef_[0]
    assert data == [[int(i), float(coef[i])] for i in np.argsort(coef)[::-1]]


def test_multiclass_coef_is_skipped_with_a_warning(
    session: Session, iris: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    model = LogisticRegression(max_iter=300).fit(iris["X_train"], iris["y_train"])
    session.start()
    wandb.sklearn.plot_feature_importances(model)
    assert "cannot be plotted" in capsys.readouterr().err
    assert session.finish().keys() == []


def test_learning_curve_matches_scikit_learn(session: Session, iris: dict[str, Any]) -> None:
    model = LogisticRegression(max_iter=300)
    session.start()
    wandb.sklearn.plot_learning_curve(model, iris["X_train"], iris["y_train"], cv=3)
    stored = session.finish()
    assert stored.viz("learning_curve")["id"] == "wandb/learning_curve/v1"
    body = stored.table("learning_curve")
    assert body["columns"] == ["dataset", "score", "train_size"]
    sizes, train, test = learning_curve(
        model, iris["X_train"], iris["y_train"], cv=3, train_sizes=np.linspace(0.1, 1.0, 5)
    )
    expected: list[list[Any]] = []
    for size, a, b in zip(sizes, train.mean(axis=1), test.mean(axis=1), strict=True):
        expected += [
            ["train", round(float(a), 2), int(size)],
            ["test", round(float(b), 2), int(size)],
        ]
    assert body["data"] == expected


def test_summary_metrics_of_a_classifier(session: Session, iris: dict[str, Any]) -> None:
    session.start()
    model = iris["model"]
    wandb.sklearn.plot_summary_metrics(
        model, iris["X_train"], iris["y_train"], iris["X_test"], iris["y_test"]
    )
    stored = session.finish()
    assert stored.viz("summary_metrics")["id"] == "wandb/metrics/v1"
    body = stored.table("summary_metrics")
    assert body["columns"] == ["metric_name", "metric_value", "model_name"]
    y_test, y_pred = iris["y_test"], iris["y_pred"]
    expected = {
        "accuracy_score": metrics.accuracy_score(y_test, y_pred),
        "precision": metrics.precision_score(y_test, y_pred, average="weighted"),
        "recall": metrics.recall_score(y_test, y_pred, average="weighted"),
        "f1_score": metrics.f1_score(y_test, y_pred, average="weighted"),
    }
    assert body["data"] == [
        [name, round(float(v), 2), "RandomForestClassifier"] for name, v in expected.items()
    ]


def test_class_proportions_count_each_set_and_name_integer_classes(session: Session) -> None:
    session.start()
    wandb.sklearn.plot_class_proportions([0, 0, 1, 2, 2, 2], [1, 1, 2], ["a", "b", "c"])
    stored = session.finish()
    assert stored.viz("class_proportions")["id"] == "wandb/class_proportions/v1"
    body = stored.table("class_proportions")
    assert body["columns"] == ["class", "dataset", "count"]
    assert body["data"] == [
        ["a", "train", 2],
        ["a", "test", 0],
        ["b", "train", 1],
        ["b", "test", 2],
        ["c", "train", 3],
        ["c", "test", 1],
    ]


def test_class_proportions_are_capped_at_the_chart_limit_with_a_warning(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    session.start()
    wandb.sklearn.plot_class_proportions(np.arange(600), np.arange(600))
    assert "using only the first 1000 of 1200 datapoints" in capsys.readouterr().err
    assert len(session.finish().table("class_proportions")["data"]) == wandb.sklearn.chart_limit


def test_calibration_curve_of_a_binary_classifier(session: Session) -> None:
    X, y = make_classification(n_samples=400, n_features=5, random_state=0)
    model = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    session.start()
    wandb.sklearn.plot_calibration_curve(model, X, y, "RandomForest")
    stored = session.finish()
    assert stored.viz("calibration_curve")["id"] == "wandb/calibration/v1"
    body = stored.table("calibration_curve")
    assert body["columns"] == [
        "model",
        "fraction_of_positives",
        "mean_predicted_value",
        "hist_dict",
        "edge_dict",
    ]
    data = body["data"]
    assert data[:2] == [["Perfectly calibrated", 0, 0, 0, 0], ["Perfectly calibrated", 1, 1, 0, 0]]
    models = [row[0] for row in data[2:]]
    assert sorted(set(models)) == ["Logistic", "RandomForest Isotonic", "RandomForest Sigmoid"]
    assert all(0 <= row[1] <= 1 and 0 <= row[2] <= 1 for row in data)
    # the logistic baseline, recomputed as the helper does it
    from sklearn.calibration import calibration_curve

    x_fit, x_score, y_fit, y_score = train_test_split(X, y, test_size=0.9, random_state=42)
    scores = LogisticRegression(C=1.0).fit(x_fit, y_fit).predict_proba(x_score)[:, 1]
    positives, predicted = calibration_curve(y_score, scores, n_bins=10)
    hist, edges = np.histogram(scores, bins=10)
    assert [row[1:] for row in data if row[0] == "Logistic"] == [
        [round(float(positives[i]), 3), round(float(predicted[i]), 3), int(hist[i]), edges[i]]
        for i in range(len(positives))
    ]


def test_calibration_curve_skips_labels_that_are_not_binary(
    session: Session, iris: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    session.start()
    wandb.sklearn.plot_calibration_curve(iris["model"], iris["X_train"], iris["y_train"])
    assert "only binary labels" in capsys.readouterr().err
    assert session.finish().keys() == []


def test_plot_classifier_logs_every_chart_as_a_step_of_its_own(
    session: Session, iris: dict[str, Any]
) -> None:
    session.start()
    wandb.sklearn.plot_classifier(
        iris["model"],
        iris["X_train"],
        iris["X_test"],
        iris["y_train"],
        iris["y_test"],
        iris["y_pred"],
        iris["y_probas"],
        iris["labels"],
        model_name="RandomForest",
        feature_names=["a", "b", "c", "d"],
    )
    stored = session.finish()
    # calibration is skipped: iris has three classes
    assert stored.keys() == [
        "feature_importances",
        "confusion_matrix",
        "summary_metrics",
        "class_proportions",
        "roc_table",
        "precision_recall_table",
    ]
    assert [row["_step"] for row in stored.rows] == list(range(6))
    assert stored.table("class_proportions")["data"][0][0] == "setosa"


def test_plot_classifier_leaves_out_importances_and_calibration_for_multinomial_nb(
    session: Session,
) -> None:
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X[:, :4], y, random_state=0)
    model = MultinomialNB().fit(X_train, y_train)
    session.start()
    wandb.sklearn.plot_classifier(
        model,
        X_train,
        X_test,
        y_train,
        y_test,
        model.predict(X_test),
        model.predict_proba(X_test),
        ["malignant", "benign"],
        log_learning_curve=True,
    )
    assert session.finish().keys() == [
        "learning_curve",
        "confusion_matrix",
        "summary_metrics",
        "class_proportions",
        "roc_table",
        "precision_recall_table",
    ]
