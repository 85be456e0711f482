"""``SystemMonitor``: samples the machine and the training process for a run's system charts.

A daemon thread takes one sample every ``interval`` seconds (the setting
``x_stats_sampling_interval``, 15 s by default, as wandb: ``research/wandb-api.md`` 9) and
hands it to ``emit(time, values)``, which the run turns into a
:class:`~trackboard.records.SystemSample`. The first sample comes ``min(interval, 2 s)`` after
start, since CPU percentages need an interval to mean anything; :meth:`SystemMonitor.stop`
takes a last one, so even a short run has a point.

The names are wandb's (``research/wandb-api.md`` 9.2); stored, each is the series
``system/<name>`` (docs/design/0004-team-server.md):

* ``cpu``: the process's CPU percent, over all cores (100 = every core busy);
  ``cpu_percent``: the whole machine's; ``proc.cpu.threads``;
* ``memory_percent`` (the machine's), ``proc.memory.availableMB``, ``proc.memory.rssMB``,
  ``proc.memory.percent``;
* ``disk./.usagePercent``, ``disk./.usageGB``; ``disk.in`` and ``disk.out``: MB read and
  written on the machine's disks since the run started;
* ``network.sent`` and ``network.recv``: bytes since the run started;
* per NVIDIA GPU ``i``, when ``pynvml`` (package ``nvidia-ml-py``) imports and finds devices:
  ``gpu.{i}.gpu`` and ``gpu.{i}.memory`` (utilisation percent of the cores and of the memory
  controller), ``gpu.{i}.memoryAllocated`` (percent), ``gpu.{i}.memoryAllocatedBytes``,
  ``gpu.{i}.temp`` (°C), ``gpu.{i}.powerWatts``, ``gpu.{i}.enforcedPowerLimitWatts`` and
  ``gpu.{i}.powerPercent``.

A metric the platform cannot read (no disk counters in a container, a GPU without power
readings) is left out of the sample; nothing here ever raises into the training process.
Imports psutil only when a monitor is made, and never numpy.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
import time
from collections.abc import Callable
from typing import Any

MB = 1024.0 * 1024.0
GB = MB * 1024.0
FIRST_SAMPLE_AFTER = 2.0
"""Seconds from start to the first sample (or less, with a shorter interval)."""
DISK_PATHS = ("/",)

Emit = Callable[[float, dict[str, float]], bool]
"""``emit(time, values)``: record a sample; False when the run no longer takes any."""


class SystemMonitor:
    """Samples every ``interval`` seconds on a daemon thread between start() and stop()."""

    def __init__(
        self,
        emit: Emit,
        interval: float = 15.0,
        *,
        disk_paths: tuple[str, ...] = DISK_PATHS,
        gpu: bool = True,
    ) -> None:
        if not interval > 0:
            raise ValueError(f"the sampling interval must be positive, got {interval!r}")
        self._psutil: Any = importlib.import_module("psutil")
        self._emit = emit
        self._interval = float(interval)
        self._disk_paths = disk_paths
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._process: Any = None
        self._cpus = 1
        self._disk_start: tuple[float, float] | None = None
        self._net_start: tuple[float, float] | None = None
        self._want_gpus = gpu
        self._gpus: _Gpus | None = None

    # ------------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Take the baselines (CPU times, disk and network counters) and start sampling."""
        psutil = self._psutil
        with contextlib.suppress(Exception):
            self._process = psutil.Process()
            self._process.cpu_percent(None)
        with contextlib.suppress(Exception):
            self._cpus = psutil.cpu_count() or 1
        with contextlib.suppress(Exception):
            psutil.cpu_percent(None)
        with contextlib.suppress(Exception):
            io = psutil.disk_io_counters()
            if io is not None:
                self._disk_start = (float(io.read_bytes), float(io.write_bytes))
        with contextlib.suppress(Exception):
            net = psutil.net_io_counters()
            if net is not None:
                self._net_start = (float(net.bytes_sent), float(net.bytes_recv))
        if self._want_gpus:
            self._gpus = _Gpus()
        self._thread = threading.Thread(
            target=self._loop, name="trackboard-system-monitor", daemon=True
        )
        self._thread.start()

    def stop(self, last_sample: bool = True) -> None:
        """Stop the thread and, with ``last_sample``, record one more sample. Idempotent."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join(timeout=10.0)
        if last_sample:
            self._record()
        if self._gpus is not None:
            self._gpus.close()

    def _loop(self) -> None:
        started = time.monotonic()
        due = started + min(self._interval, FIRST_SAMPLE_AFTER)
        while not self._stop.wait(max(0.0, due - time.monotonic())):
            if not self._record():
                return
            now = time.monotonic()
            # The next multiple of the interval from start: a slow sample never drifts the grid.
            ticks = int((now - started) // self._interval) + 1
            due = started + ticks * self._interval

    def _record(self) -> bool:
        try:
            with self._lock:
                values = self.sample()
            return bool(self._emit(time.time(), values)) if values else True
        except Exception:
            return True  # a metric that failed in a new way: skip this sample, keep going

    # ------------------------------------------------------------------------- sampling
    def sample(self) -> dict[str, float]:
        """One sample of every metric this machine can read, by wandb's names."""
        values: dict[str, float] = {}
        for part in (self._cpu, self._memory, self._disk, self._network):
            with contextlib.suppress(Exception):
                part(values)
        if self._gpus is not None:
            with contextlib.suppress(Exception):
                self._gpus.sample(values)
        return values

    def _cpu(self, values: dict[str, float]) -> None:
        values["cpu_percent"] = float(self._psutil.cpu_percent(None))
        if self._process is not None:
            values["cpu"] = float(self._process.cpu_percent(None)) / self._cpus
            values["proc.cpu.threads"] = float(self._process.num_threads())

    def _memory(self, values: dict[str, float]) -> None:
        memory = self._psutil.virtual_memory()
        values["memory_percent"] = float(memory.percent)
        values["proc.memory.availableMB"] = memory.available / MB
        if self._process is not None:
            values["proc.memory.rssMB"] = self._process.memory_info().rss / MB
            values["proc.memory.percent"] = float(self._process.memory_percent())

    def _disk(self, values: dict[str, float]) -> None:
        for path in self._disk_paths:
            with contextlib.suppress(Exception):
                usage = self._psutil.disk_usage(path)
                values[f"disk.{path}.usagePercent"] = float(usage.percent)
                values[f"disk.{path}.usageGB"] = usage.used / GB
        if self._disk_start is not None:
            io = self._psutil.disk_io_counters()
            if io is not None:
                values["disk.in"] = (io.read_bytes - self._disk_start[0]) / MB
                values["disk.out"] = (io.write_bytes - self._disk_start[1]) / MB

    def _network(self, values: dict[str, float]) -> None:
        if self._net_start is not None:
            net = self._psutil.net_io_counters()
            if net is not None:
                values["network.sent"] = float(net.bytes_sent - self._net_start[0])
                values["network.recv"] = float(net.bytes_recv - self._net_start[1])


class _Gpus:
    """NVIDIA GPUs through NVML, when ``pynvml`` imports and initialises; else nothing."""

    def __init__(self) -> None:
        self._nvml: Any = None
        self._handles: list[Any] = []
        try:
            nvml = importlib.import_module("pynvml")
            nvml.nvmlInit()
        except Exception:
            return
        try:
            count = int(nvml.nvmlDeviceGetCount())
            self._handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        except Exception:
            self._handles = []
        self._nvml = nvml

    @property
    def count(self) -> int:
        return len(self._handles)

    def sample(self, values: dict[str, float]) -> None:
        nvml = self._nvml
        if nvml is None:
            return
        for index, handle in enumerate(self._handles):
            key = f"gpu.{index}."
            with contextlib.suppress(Exception):
                rates = nvml.nvmlDeviceGetUtilizationRates(handle)
                values[key + "gpu"] = float(rates.gpu)
                values[key + "memory"] = float(rates.memory)
            with contextlib.suppress(Exception):
                memory = nvml.nvmlDeviceGetMemoryInfo(handle)
                values[key + "memoryAllocatedBytes"] = float(memory.used)
                if memory.total:
                    values[key + "memoryAllocated"] = 100.0 * memory.used / memory.total
            with contextlib.suppress(Exception):
                values[key + "temp"] = float(
                    nvml.nvmlDeviceGetTemperature(handle, nvml.NVML_TEMPERATURE_GPU)
                )
            power: float | None = None
            with contextlib.suppress(Exception):
                power = nvml.nvmlDeviceGetPowerUsage(handle) / 1000.0
                values[key + "powerWatts"] = power
            with contextlib.suppress(Exception):
                limit = nvml.nvmlDeviceGetEnforcedPowerLimit(handle) / 1000.0
                values[key + "enforcedPowerLimitWatts"] = limit
                if power is not None and limit > 0:
                    values[key + "powerPercent"] = 100.0 * power / limit

    def close(self) -> None:
        nvml, self._nvml = self._nvml, None
        if nvml is not None:
            with contextlib.suppress(Exception):
                nvml.nvmlShutdown()
