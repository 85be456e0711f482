"""A small PyTorch CNN on scikit-learn's digits, logged as the seed post's training loop does.

One run in the demo project (group ``cnn``): ``watch(model, criterion, log="all", log_freq=10)``
records the distribution of every layer's weights and gradients, each epoch logs
``{"train_loss": ...}`` with ``step=epoch`` and a handful of validation digits as
``Image(x, caption=f"Pred: {p} Truth: {t}")`` under ``predictions``, and the run ends with
``val_acc`` and ``val_loss`` and the validation set's charts, logged twice: through
``trackboard.plot`` (``conf_mat``, ``roc``, ``pr``) and through the legacy ``trackboard.plots``
and ``trackboard.sklearn`` calls (:mod:`trackboard.demo.charts`). torch is imported when
:func:`train_cnn` runs, not before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import trackboard
from trackboard.demo.charts import log_classification_charts, log_legacy_charts
from trackboard.demo.digits import PROJECT, Digits

if TYPE_CHECKING:
    import torch

LEARNING_RATE = 0.01
SHOWN_IMAGES = 8
"""Validation digits logged as images each epoch."""


def make_cnn() -> torch.nn.Module:
    """conv 1->8, conv 8->16, 2x2 max-pool, linear 256->10, for 8x8 single-channel digits."""
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Conv2d(8, 16, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 10),
    )


def _images(x: Any) -> Any:
    """(N, 64) pixel rows in [0, 1] as (N, 1, 8, 8) tensors."""
    import torch

    return torch.as_tensor(x, dtype=torch.float32).reshape(-1, 1, 8, 8)


def train_cnn(
    data: Digits,
    *,
    epochs: int,
    batch_size: int = 32,
    lr: float = LEARNING_RATE,
    group: str = "cnn",
    seed: int = 0,
    dir: str | Path | None = None,
) -> str:
    """Train the CNN with Adam, watching it; returns the run's id.

    Inside a sweep job the sweep's locked ``lr`` and ``batch_size`` replace the arguments.

    Runs on one CPU thread (restored after): for a model this small, torch's intra-op threads
    only fight over the cores, and took fifteen times longer on a busy 2-core machine.
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(
            data, epochs=epochs, batch_size=batch_size, lr=lr, group=group, seed=seed, dir=dir
        )
    finally:
        torch.set_num_threads(threads)


def _train(
    data: Digits,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    group: str,
    seed: int,
    dir: str | Path | None,
) -> str:
    import torch
    from torch.nn import functional

    torch.manual_seed(seed)
    run = trackboard.init(
        project=PROJECT,
        dir=dir,
        group=group,
        job_type="train",
        config={
            "lr": lr,
            "epochs": epochs,
            "batch_size": batch_size,
            "model": "cnn",
            "optimizer": "adam",
        },
        reinit="finish_previous",
    )
    lr, batch_size = float(run.config["lr"]), int(run.config["batch_size"])  # a sweep's values
    model = make_cnn()
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    trackboard.watch(model, criterion, log="all", log_freq=10)
    x_train, y_train = _images(data.x_train), torch.as_tensor(data.y_train)
    x_val, y_val = _images(data.x_val), torch.as_tensor(data.y_val)
    n = len(y_train)
    for epoch in range(1, epochs + 1):
        model.train()
        total = 0.0
        for batch in torch.split(torch.randperm(n), batch_size):
            loss = criterion(model(x_train[batch]), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.item()) * len(batch)
        trackboard.log({"train_loss": total / n}, step=epoch)
        model.eval()
        with torch.no_grad():
            shown = x_val[:SHOWN_IMAGES]
            preds = model(shown).argmax(dim=1)
        images = [
            trackboard.Image(
                functional.interpolate(image[None], scale_factor=4)[0],
                caption=f"Pred: {pred.item()} Truth: {truth.item()}",
            )
            for image, pred, truth in zip(shown, preds, y_val[:SHOWN_IMAGES], strict=True)
        ]
        trackboard.log({"predictions": images})
    model.eval()
    with torch.no_grad():
        logits = model(x_val)
        val_loss = float(criterion(logits, y_val).item())
        correct = int((logits.argmax(dim=1) == y_val).sum().item())
    trackboard.log({"val_acc": 100.0 * correct / len(y_val), "val_loss": val_loss})
    probs = torch.softmax(logits, dim=1).double().numpy()
    log_classification_charts(data.y_val, probs)
    log_legacy_charts(data.y_val, probs)
    run.finish()
    return str(run.id)
