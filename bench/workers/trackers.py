"""One adapter per tracker: how to import it, start a run, log one step and finish.

Every adapter imports its tracker inside `load()`, so a worker process loads only the tracker it
measures. Each adapter exposes the same three steps the benchmarks time separately:

- `load()`: the tracker's import.
- `init(run_dir)`: start a run that writes under `run_dir`; returns the callable the benchmark
  calls once per step as `log(metrics, step=step)` (the tracker's own bound method where its API
  takes a dict and a step, so the harness adds no wrapper of its own).
- `finish()`: end the run; when it returns, the tracker says the data is stored.

The settings that keep every tracker local and offline (environment variables, HOME) are set by
the driver before the worker starts, see `bench_log.worker_env`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Only importlib at run time, so that timing a tracker's import in a fresh interpreter is not
# helped by modules this file would have loaded first.
if TYPE_CHECKING:
    import queue
    from collections.abc import Callable
    from pathlib import Path
    from typing import IO

    LogFn = Callable[..., object]

# Names used for projects and experiments in every tracker.
PROJECT = "bench"


class Adapter:
    """Base class: subclasses fill in the three steps."""

    # Distribution name whose version is reported (importlib.metadata), "" when not a package.
    dist: str = ""

    def load(self) -> None:
        raise NotImplementedError

    def init(self, run_dir: Path) -> LogFn:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


class Trackboard(Adapter):
    dist = "trackboard"
    mode = "offline"

    def load(self) -> None:
        self.tb: Any = importlib.import_module("trackboard")

    def init(self, run_dir: Path) -> LogFn:
        self.run: Any = self.tb.init(project=PROJECT, dir=str(run_dir), mode=self.mode)
        log: LogFn = self.run.log
        return log

    def finish(self) -> None:
        self.run.finish()


class TrackboardDisabled(Trackboard):
    """The same SDK calls with mode="disabled": the baseline for the SDK's own memory."""

    mode = "disabled"


class Bare(Adapter):
    """No tracker: Python plus numpy (the peers' common import) and the harness loop alone."""

    dist = "numpy"

    def load(self) -> None:
        importlib.import_module("numpy")

    def init(self, run_dir: Path) -> LogFn:
        return _no_op

    def finish(self) -> None:
        return None


def _no_op(metrics: dict[str, float], step: int) -> None:
    return None


class Wandb(Adapter):
    dist = "wandb"

    def load(self) -> None:
        self.wandb: Any = importlib.import_module("wandb")

    def init(self, run_dir: Path) -> LogFn:
        self.run: Any = self.wandb.init(project=PROJECT, dir=str(run_dir), mode="offline")
        log: LogFn = self.run.log
        return log

    def finish(self) -> None:
        self.run.finish()


class Trackio(Adapter):
    dist = "trackio"

    def load(self) -> None:
        self.trackio: Any = importlib.import_module("trackio")

    def init(self, run_dir: Path) -> LogFn:
        # TRACKIO_DIR (set by the driver) is where trackio keeps its database; no space_id.
        self.trackio.init(project=PROJECT)
        log: LogFn = self.trackio.log
        return log

    def finish(self) -> None:
        self.trackio.finish()


class Mlflow(Adapter):
    dist = "mlflow"
    synchronous = True

    def load(self) -> None:
        self.mlflow: Any = importlib.import_module("mlflow")

    def init(self, run_dir: Path) -> LogFn:
        mlflow = self.mlflow
        mlflow.set_tracking_uri(f"sqlite:///{run_dir / 'mlflow.db'}")
        artifacts = (run_dir / "artifacts").as_uri()
        experiment_id = mlflow.create_experiment(PROJECT, artifact_location=artifacts)
        mlflow.start_run(experiment_id=experiment_id)
        if self.synchronous:
            log: LogFn = mlflow.log_metrics
            return log
        import functools

        return functools.partial(mlflow.log_metrics, synchronous=False)

    def finish(self) -> None:
        if not self.synchronous:
            self.mlflow.flush_async_logging()
        self.mlflow.end_run()


class MlflowAsync(Mlflow):
    synchronous = False


class Aim(Adapter):
    dist = "aim"

    def load(self) -> None:
        self.aim: Any = importlib.import_module("aim")

    def init(self, run_dir: Path) -> LogFn:
        self.run: Any = self.aim.Run(repo=str(run_dir), experiment=PROJECT)
        # Run.track takes a dict of name -> value, one call per step.
        log: LogFn = self.run.track
        return log

    def finish(self) -> None:
        self.run.close()


class TensorboardX(Adapter):
    """No dict call: one step is one add_scalar per key."""

    dist = "tensorboardX"

    def load(self) -> None:
        self.tbx: Any = importlib.import_module("tensorboardX")

    def init(self, run_dir: Path) -> LogFn:
        self.writer: Any = self.tbx.SummaryWriter(str(run_dir))
        add_scalar = self.writer.add_scalar

        def log(metrics: dict[str, float], step: int) -> None:
            for key, value in metrics.items():
                add_scalar(key, value, step)

        return log

    def finish(self) -> None:
        self.writer.close()


class _Floor(Adapter):
    """The practical floor: SimpleQueue + one writer thread appending to a 1 MiB-buffered file."""

    def encoder(self) -> Callable[[dict[str, Any]], bytes]:
        raise NotImplementedError

    def load(self) -> None:
        self.encode = self.encoder()

    def init(self, run_dir: Path) -> LogFn:
        import queue
        import threading

        run_dir.mkdir(parents=True, exist_ok=True)
        self.queue: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self.file: IO[bytes] = (run_dir / "history.bin").open("wb", buffering=1 << 20)
        self.thread = threading.Thread(target=self._write, daemon=True)
        self.thread.start()
        put = self.queue.put

        def log(metrics: dict[str, float], step: int) -> None:
            put({"_step": step, **metrics})

        return log

    def _write(self) -> None:
        encode, write, get = self.encode, self.file.write, self.queue.get
        while (record := get()) is not None:
            write(encode(record))

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self.file.close()


class FloorMsgpack(_Floor):
    dist = "msgpack"

    def encoder(self) -> Callable[[dict[str, Any]], bytes]:
        packb: Callable[[dict[str, Any]], bytes] = importlib.import_module("msgpack").packb
        return packb


class FloorJsonl(_Floor):
    def encoder(self) -> Callable[[dict[str, Any]], bytes]:
        import json

        dumps = json.dumps

        def encode(record: dict[str, Any]) -> bytes:
            return (dumps(record) + "\n").encode()

        return encode


ADAPTERS: dict[str, type[Adapter]] = {
    "trackboard": Trackboard,
    "trackboard_disabled": TrackboardDisabled,
    "bare": Bare,
    "floor_msgpack": FloorMsgpack,
    "floor_jsonl": FloorJsonl,
    "wandb": Wandb,
    "trackio": Trackio,
    "mlflow": Mlflow,
    "mlflow_async": MlflowAsync,
    "aim": Aim,
    "tensorboardX": TensorboardX,
}
