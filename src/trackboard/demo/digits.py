"""Train a small softmax classifier on scikit-learn's digits, one run per learning rate.

It logs as the seed post does: ``log({"train_loss": avg_loss}, step=epoch)`` every epoch, then
``log({"val_acc": ..., "val_loss": ...})`` once per run, and ends with the validation set's
confusion matrix, ROC and precision-recall charts (:mod:`trackboard.demo.charts`). Pure numpy,
a few seconds in all.
:func:`run_demo` adds the watched PyTorch CNN of :mod:`trackboard.demo.cnn`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

import trackboard
from trackboard.demo.charts import log_classification_charts

PROJECT = "trackboard-demo"
LEARNING_RATES = (0.003, 0.01, 0.03, 0.1, 0.3)

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Digits:
    x_train: Array
    y_train: npt.NDArray[np.int64]
    x_val: Array
    y_val: npt.NDArray[np.int64]


def load_digits_split(seed: int = 0) -> Digits:
    from sklearn.datasets import load_digits

    data = load_digits()
    x = np.asarray(data.data, dtype=np.float64) / 16.0
    y = np.asarray(data.target, dtype=np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    x, y = x[order], y[order]
    cut = int(len(y) * 0.8)
    return Digits(x[:cut], y[:cut], x[cut:], y[cut:])


def _softmax(logits: Array) -> Array:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: Array = exp / exp.sum(axis=1, keepdims=True)
    return out


def _loss_and_probs(w: Array, b: Array, x: Array, y: npt.NDArray[np.int64]) -> tuple[float, Array]:
    probs = _softmax(x @ w + b)
    loss = float(-np.log(probs[np.arange(len(y)), y] + 1e-12).mean())
    return loss, probs


def train(
    data: Digits,
    *,
    lr: float,
    epochs: int,
    batch_size: int = 32,
    seed: int = 0,
    dir: str | Path | None = None,
) -> str:
    """One run: SGD on a linear softmax model, logging like the seed's training loop, then the
    validation charts.

    Returns the run's id."""
    run = trackboard.init(
        project=PROJECT,
        dir=dir,
        group="softmax",
        job_type="train",
        config={"lr": lr, "epochs": epochs, "batch_size": batch_size, "model": "softmax"},
        reinit="finish_previous",
    )
    rng = np.random.default_rng(seed)
    classes = int(data.y_train.max()) + 1
    w = rng.normal(0.0, 0.01, size=(data.x_train.shape[1], classes))
    b = np.zeros(classes)
    n = len(data.y_train)
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            x, y = data.x_train[idx], data.y_train[idx]
            loss, probs = _loss_and_probs(w, b, x, y)
            total += loss * len(idx)
            probs[np.arange(len(idx)), y] -= 1.0
            w -= lr * (x.T @ probs) / len(idx)
            b -= lr * probs.mean(axis=0)
        trackboard.log({"train_loss": total / n}, step=epoch)
    val_loss, probs = _loss_and_probs(w, b, data.x_val, data.y_val)
    correct = int((probs.argmax(axis=1) == data.y_val).sum())
    trackboard.log({"val_acc": 100.0 * correct / len(data.y_val), "val_loss": val_loss})
    log_classification_charts(data.y_val, probs)
    run.finish()
    return str(run.id)


def run_demo(dir: str | Path | None = None, epochs: int = 15) -> list[str]:
    """Train one softmax run per learning rate, then the watched CNN; return their ids."""
    from trackboard.demo.cnn import train_cnn

    data = load_digits_split()
    ids = [train(data, lr=lr, epochs=epochs, dir=dir) for lr in LEARNING_RATES]
    ids.append(train_cnn(data, epochs=epochs, dir=dir))
    return ids
