"""System metrics: sampled into SystemSample records, the interval and disable settings."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import trackboard
from trackboard.errors import InvalidInputError
from trackboard.records import ConsoleOutput, Exit, Record, SystemSample
from trackboard.runlog import read_records
from trackboard.sdk.system_monitor import SystemMonitor

Records = Callable[..., list[Record]]
MACHINE_KEYS = {
    "cpu",
    "cpu_percent",
    "proc.cpu.threads",
    "memory_percent",
    "proc.memory.availableMB",
    "proc.memory.rssMB",
    "proc.memory.percent",
    "disk./.usagePercent",
    "disk./.usageGB",
}


class Samples:
    """An ``emit`` keeping samples; ``wait(n)`` blocks until ``n`` arrived (or fails)."""

    def __init__(self, accept: bool = True) -> None:
        self.got: list[tuple[float, dict[str, float]]] = []
        self.accept = accept
        self._cond = threading.Condition()

    def __call__(self, when: float, values: dict[str, float]) -> bool:
        with self._cond:
            self.got.append((when, values))
            self._cond.notify_all()
        return self.accept

    def wait(self, n: int) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.got) >= n, timeout=30), self.got


def test_a_run_records_samples_with_wandb_key_names(root: Path, records: Records) -> None:
    run = trackboard.init(project="p", settings={"x_stats_sampling_interval": 0.05})
    run.log({"loss": 1.0})
    run.finish()

    samples = records(run, SystemSample)
    assert samples, "no system sample was recorded"
    for sample in samples:
        assert set(sample.values) >= MACHINE_KEYS, sorted(sample.values)
        assert all(type(v) is float for v in sample.values.values())
        assert sample.runtime >= 0
    process = samples[-1].values
    assert process["proc.memory.rssMB"] > 1.0
    assert 0.0 <= process["memory_percent"] <= 100.0
    assert process["proc.cpu.threads"] >= 1


def test_the_last_sample_comes_before_the_exit_record(root: Path, records: Records) -> None:
    run = trackboard.init(project="p")  # the default 15 s interval: only the finishing sample
    run.finish()

    found = records(run)
    kinds = [type(r) for r in found if not isinstance(r, ConsoleOutput)]
    assert kinds.count(SystemSample) == 1
    assert kinds[-2:] == [SystemSample, Exit]
    assert [r.seq for r in found] == list(range(len(found)))


def test_the_monitor_samples_every_interval_until_stopped() -> None:
    samples = Samples()
    monitor = SystemMonitor(samples, interval=0.02)
    monitor.start()
    samples.wait(3)
    monitor.stop()
    count = len(samples.got)

    monitor.stop()

    assert len(samples.got) == count
    times = [when for when, _ in samples.got]
    assert times == sorted(times)
    assert {"network.sent", "network.recv"} <= set(samples.got[-1][1]) or sys.platform != "linux"


def test_the_monitor_stops_once_the_run_takes_no_more_samples() -> None:
    samples = Samples(accept=False)
    monitor = SystemMonitor(samples, interval=0.01)
    monitor.start()
    samples.wait(1)
    thread = monitor._thread
    assert thread is not None

    thread.join(timeout=30)

    assert not thread.is_alive()
    assert len(samples.got) == 1
    monitor.stop(last_sample=False)


def test_gpu_metrics_come_from_nvml_when_it_finds_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    nvml = types.ModuleType("pynvml")
    calls: list[str] = []
    rates = types.SimpleNamespace(gpu=87, memory=40)
    memory = types.SimpleNamespace(used=3 * 2**30, total=12 * 2**30)
    nvml.NVML_TEMPERATURE_GPU = 0  # type: ignore[attr-defined]
    functions: dict[str, Callable[..., Any]] = {
        "nvmlInit": lambda: calls.append("init"),
        "nvmlShutdown": lambda: calls.append("shutdown"),
        "nvmlDeviceGetCount": lambda: 1,
        "nvmlDeviceGetHandleByIndex": lambda i: f"gpu{i}",
        "nvmlDeviceGetUtilizationRates": lambda h: rates,
        "nvmlDeviceGetMemoryInfo": lambda h: memory,
        "nvmlDeviceGetTemperature": lambda h, kind: 61,
        "nvmlDeviceGetPowerUsage": lambda h: 150_000,
        "nvmlDeviceGetEnforcedPowerLimit": lambda h: 300_000,
    }
    for name, function in functions.items():
        setattr(nvml, name, function)
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    samples = Samples()
    monitor = SystemMonitor(samples, interval=60.0)
    monitor.start()

    monitor.stop()

    ((_, values),) = samples.got
    gpu = {k: v for k, v in values.items() if k.startswith("gpu.")}
    assert gpu == {
        "gpu.0.gpu": 87.0,
        "gpu.0.memory": 40.0,
        "gpu.0.memoryAllocated": 25.0,
        "gpu.0.memoryAllocatedBytes": float(3 * 2**30),
        "gpu.0.temp": 61.0,
        "gpu.0.powerWatts": 150.0,
        "gpu.0.enforcedPowerLimitWatts": 300.0,
        "gpu.0.powerPercent": 50.0,
    }
    assert calls == ["init", "shutdown"]


def test_no_gpu_keys_without_nvml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import fails
    samples = Samples()
    monitor = SystemMonitor(samples, interval=60.0)
    monitor.start()

    monitor.stop()

    ((_, values),) = samples.got
    assert not [k for k in values if k.startswith("gpu.")]
    assert set(values) >= MACHINE_KEYS


@pytest.mark.parametrize(
    "settings",
    [
        {"x_stats_sampling_interval": 2.5},
        {"_stats_sample_rate_seconds": 2.5},
        trackboard.Settings(x_stats_sampling_interval=2.5),
    ],
)
def test_the_sampling_interval_is_set_by_wandbs_setting_names(root: Path, settings: Any) -> None:
    run = trackboard.init(project="p", settings=settings)

    assert run.settings.stats_sampling_interval == 2.5


@pytest.mark.parametrize(
    "variable", ["TRACKBOARD_X_STATS_SAMPLING_INTERVAL", "WANDB_X_STATS_SAMPLING_INTERVAL"]
)
def test_the_sampling_interval_is_read_from_the_environment(
    root: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "0.5")

    run = trackboard.init(project="p")

    assert run.settings.stats_sampling_interval == 0.5


def test_the_default_interval_is_fifteen_seconds(root: Path) -> None:
    assert trackboard.init(project="p").settings.stats_sampling_interval == 15.0


@pytest.mark.parametrize("bad", [0, -1, "soon", True])
def test_a_bad_interval_is_refused_naming_the_setting(root: Path, bad: Any) -> None:
    with pytest.raises(InvalidInputError, match="x_stats_sampling_interval"):
        trackboard.init(project="p", settings={"x_stats_sampling_interval": bad})


@pytest.mark.parametrize("settings", [{"x_disable_stats": True}, {"_disable_stats": True}])
def test_disabled_stats_record_no_samples(root: Path, records: Records, settings: Any) -> None:
    run = trackboard.init(project="p", settings={**settings, "x_stats_sampling_interval": 0.01})
    run.log({"a": 1})
    run.finish()

    assert records(run, SystemSample) == []
    assert records(run, Exit)


def test_disabled_stats_from_the_environment(
    root: Path, records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB__DISABLE_STATS", "true")

    run = trackboard.init(project="p")
    run.finish()

    assert run.settings.disable_stats
    assert records(run, SystemSample) == []


def test_sampling_never_imports_numpy(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKBOARD_", "WANDB_"))}
    env["TRACKBOARD_DIR"] = str(tmp_path / "root")
    source = """
        import sys, threading
        import trackboard
        from trackboard.records import SystemSample
        from trackboard.runlog import read_records
        run = trackboard.init(project="p", settings={"x_stats_sampling_interval": 0.01})
        threading.Event().wait(0.2)
        run.finish()
        assert "numpy" not in sys.modules, "sampling loaded numpy"
        log = f"{run.dir}/../run.log"
        assert [r for r in read_records(log).records if isinstance(r, SystemSample)]
    """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert read_records(next((tmp_path / "root").glob("*/*/*/run.log"))).records
