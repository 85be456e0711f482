"""Charts for scikit-learn classifiers, and :func:`plot_classifier` logging all of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn import naive_bayes

from trackboard.errors import Error
from trackboard.sdk.printer import DEFAULT_PRINTER
from trackboard.sklearn import shared
from trackboard.sklearn.calculate.calibration_curve import calibration_curves
from trackboard.sklearn.calculate.class_proportions import class_proportions
from trackboard.sklearn.calculate.confusion_matrix import confusion_matrix
from trackboard.sklearn.calculate.feature_importances import feature_importances
from trackboard.sklearn.chart import log_computed, log_value, report
from trackboard.sklearn.checks import error, fitted, inputs_ok, warn


def plot_classifier(
    model: Any,
    X_train: Any,
    X_test: Any,
    y_train: Any,
    y_test: Any,
    y_pred: Any,
    y_probas: Any,
    labels: Any,
    is_binary: bool = False,
    model_name: str = "Classifier",
    feature_names: Any = None,
    log_learning_curve: bool = False,
) -> None:
    """Log every classifier chart, each a step of its own, in wandb's order.

    Feature importances (not for ``MultinomialNB``), the learning curve (only with
    ``log_learning_curve``), confusion matrix, summary metrics, class proportions, calibration
    curve (binary labels only; not for ``MultinomialNB``), ROC and precision-recall curves.
    ``is_binary`` is accepted and unused, as in wandb.
    """
    DEFAULT_PRINTER.info(f"Plotting {model_name}.")
    multinomial = isinstance(model, naive_bayes.MultinomialNB)
    if not multinomial:
        report(_feature_importances(model, feature_names), "feature importances")
    if log_learning_curve:
        report(shared.log_learning_curve(model, X_train, y_train), "learning curve")
    report(_confusion_matrix(y_test, y_pred, labels), "confusion matrix")
    report(shared.log_summary_metrics(model, X_train, y_train, X_test, y_test), "summary metrics")
    report(_class_proportions(y_train, y_test, labels), "class proportions")
    if not multinomial:
        report(_calibration_curve(model, X_train, y_train, model_name), "calibration curve")
    report(_roc(y_test, y_probas, labels), "roc curve")
    report(_precision_recall(y_test, y_probas, labels), "precision-recall curve")


def plot_confusion_matrix(
    y_true: Any = None,
    y_pred: Any = None,
    labels: Any = None,
    true_labels: Any = None,
    pred_labels: Any = None,
    normalize: bool = False,
) -> None:
    """Log ``confusion_matrix``: counts of true against predicted class
    (``wandb/confusion_matrix/v1``; see :func:`.calculate.confusion_matrix.confusion_matrix`
    for the table and wandb's column naming). ``labels`` names the classes in sorted order."""
    _confusion_matrix(y_true, y_pred, labels, true_labels, pred_labels, normalize)


def _confusion_matrix(
    y_true: Any,
    y_pred: Any,
    labels: Any,
    true_labels: Any = None,
    pred_labels: Any = None,
    normalize: bool = False,
) -> bool:
    helper = "plot_confusion_matrix"
    if not inputs_ok(helper, y_true=y_true, y_pred=y_pred):
        return False
    return log_computed(
        helper,
        "confusion_matrix",
        "wandb/confusion_matrix/v1",
        lambda: confusion_matrix(y_true, y_pred, labels, true_labels, pred_labels, normalize),
    )


def plot_roc(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Any = None,
    plot_micro: bool = True,
    plot_macro: bool = True,
    classes_to_plot: Any = None,
) -> None:
    """Log ``roc``: :func:`trackboard.plot.roc_curve` of the scores (its table under
    ``roc_table``). ``plot_micro`` and ``plot_macro`` are accepted and ignored, as in wandb."""
    _roc(y_true, y_probas, labels, classes_to_plot)


def _roc(y_true: Any, y_probas: Any, labels: Any, classes_to_plot: Any = None) -> bool:
    from trackboard.plot import roc_curve

    helper = "plot_roc"
    if not inputs_ok(helper, y_true=y_true, y_probas=y_probas):
        return False
    return _log_plot(helper, "roc", lambda: roc_curve(y_true, y_probas, labels, classes_to_plot))


def plot_precision_recall(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Any = None,
    plot_micro: bool = True,
    classes_to_plot: Any = None,
) -> None:
    """Log ``precision_recall``: :func:`trackboard.plot.pr_curve` of the scores (its table
    under ``precision_recall_table``). ``plot_micro`` is accepted and ignored, as in wandb."""
    _precision_recall(y_true, y_probas, labels, classes_to_plot)


def _precision_recall(y_true: Any, y_probas: Any, labels: Any, classes_to_plot: Any = None) -> bool:
    from trackboard.plot import pr_curve

    helper = "plot_precision_recall"
    if not inputs_ok(helper, y_true=y_true, y_probas=y_probas):
        return False
    return _log_plot(
        helper, "precision_recall", lambda: pr_curve(y_true, y_probas, labels, classes_to_plot)
    )


def _log_plot(helper: str, key: str, make: Callable[[], Any]) -> bool:
    """Log the ``trackboard.plot`` chart ``make()`` builds; print its error instead of raising."""
    try:
        chart = make()
    except (Error, ValueError, TypeError, IndexError, KeyError) as exc:
        error(helper, str(exc).strip() or type(exc).__name__)
        return False
    log_value(key, chart)
    return True


def plot_feature_importances(
    model: Any = None,
    feature_names: Any = None,
    title: str = "Feature Importance",
    max_num_features: int = 50,
) -> None:
    """Log ``feature_importances``: the fitted model's importances, largest first
    (``wandb/feature_importances/v1``). ``title`` and ``max_num_features`` are accepted and
    unused, as in wandb."""
    _feature_importances(model, feature_names)


def _feature_importances(model: Any, feature_names: Any) -> bool:
    helper = "plot_feature_importances"
    if not inputs_ok(helper, model=model) or not fitted(helper, model):
        return False
    return log_computed(
        helper,
        "feature_importances",
        "wandb/feature_importances/v1",
        lambda: feature_importances(model, feature_names),
    )


def plot_class_proportions(y_train: Any = None, y_test: Any = None, labels: Any = None) -> None:
    """Log ``class_proportions``: each class's count in the train and test sets
    (``wandb/class_proportions/v1``); ``labels[c]`` names integer class ``c``."""
    _class_proportions(y_train, y_test, labels)


def _class_proportions(y_train: Any, y_test: Any, labels: Any) -> bool:
    helper = "plot_class_proportions"
    if not inputs_ok(helper, y_train=y_train, y_test=y_test):
        return False
    return log_computed(
        helper,
        "class_proportions",
        "wandb/class_proportions/v1",
        lambda: class_proportions(y_train, y_test, labels),
    )


def plot_calibration_curve(
    clf: Any = None,
    X: Any = None,
    y: Any = None,
    clf_name: str = "Classifier",
) -> None:
    """Log ``calibration_curve``: predicted probability against observed frequency for a
    logistic baseline and ``clf`` with isotonic and sigmoid calibration
    (``wandb/calibration/v1``). Binary 0/1 labels only: others are skipped with a warning."""
    _calibration_curve(clf, X, y, clf_name)


def _calibration_curve(clf: Any, X: Any, y: Any, clf_name: str) -> bool:
    helper = "plot_calibration_curve"
    if not inputs_ok(helper, clf=clf, X=X, y=y) or not fitted(helper, clf):
        return False
    labels = np.asarray(y)
    if labels.dtype.kind in "US" or not np.isin(labels, (0, 1)).all():
        warn(helper, "only binary labels (0 and 1) are supported; skipping the calibration curve")
        return False
    return log_computed(
        helper,
        "calibration_curve",
        "wandb/calibration/v1",
        lambda: calibration_curves(clf, X, labels, clf_name),
    )
