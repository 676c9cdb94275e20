"""What machine a sizing report was measured on, and a sampler of CPU, memory and GPU use.

A capacity figure means nothing without the hardware behind it, so every report starts with
:func:`describe_machine` (CPU model, cores, RAM, GPUs, library versions). :class:`ResourceSampler`
polls processes (``psutil``) and GPUs (``nvidia-smi``, shipped with the NVIDIA driver) in a
background thread while a stage runs, so CPU and memory are measured, not guessed.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import psutil

from asr_service.cpus import usable_cpus

LIBRARIES = ("faster-whisper", "ctranslate2", "onnxruntime", "numpy", "xllamacpp", "nats-py")


def _cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):  # noqa: SIM115 - tiny file
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gpu_inventory() -> list[dict[str, Any]]:
    """GPUs ``nvidia-smi`` sees: name, total memory (MiB), driver; empty without a GPU."""
    if not shutil.which("nvidia-smi"):
        return []
    try:
        out = subprocess.run(
            [
                "nvidia-smi",
                "--query-gpu=index,name,memory.total,driver_version",
                "--format=csv,noheader,nounits",
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = []
    for line in out.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 4:
            gpus.append(
                {
                    "index": int(parts[0]),
                    "name": parts[1],
                    "memory_mib": float(parts[2]),
                    "driver": parts[3],
                }
            )
    return gpus


def describe_machine() -> dict[str, Any]:
    """CPU model, logical/physical cores usable here, RAM, GPUs, OS and library versions."""
    usable = usable_cpus()
    libs = {}
    for name in LIBRARIES:
        try:
            libs[name] = version(name)
        except PackageNotFoundError:
            libs[name] = None
    return {
        "hostname": platform.node(),
        "cpu_model": _cpu_model(),
        "cpu_cores_logical": psutil.cpu_count(logical=True),
        "cpu_cores_physical": psutil.cpu_count(logical=False),
        "cpu_cores_usable": usable,
        "ram_gib": round(psutil.virtual_memory().total / 1024**3, 1),
        "gpus": gpu_inventory(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": libs,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def gpu_usage() -> list[tuple[float, float]]:
    """(memory used MiB, utilisation %) of each GPU now; empty without a GPU."""
    if not shutil.which("nvidia-smi"):
        return []
    try:
        out = subprocess.run(
            [
                "nvidia-smi",
                "--query-gpu=memory.used,utilization.gpu",
                "--format=csv,noheader,nounits",
            ],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    usage = []
    for line in out.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        try:
            usage.append((float(parts[0]), float(parts[1])))
        except (ValueError, IndexError):
            continue
    return usage


@dataclass
class ResourceSummary:
    """What a :class:`ResourceSampler` saw over one measured stage."""

    seconds: float = 0.0
    samples: int = 0
    cpu_percent_mean: float = 0.0
    """Sum over the watched processes; 100 = one core fully busy."""
    cpu_percent_peak: float = 0.0
    rss_mib_mean: float = 0.0
    rss_mib_peak: float = 0.0
    gpu_memory_mib_peak: float | None = None
    gpu_util_percent_mean: float | None = None
    machine_cpu_percent_mean: float = 0.0
    """Whole-machine CPU use (0-100 % of all cores): shows noise from other work."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ResourceSampler:
    """Poll CPU and RSS of some processes (and GPU use) every ``interval`` seconds in a thread.

    Use as a context manager around the work to measure; :attr:`summary` holds the result.
    """

    pids: list[int] = field(default_factory=lambda: [os.getpid()])
    interval: float = 0.5
    summary: ResourceSummary = field(default_factory=ResourceSummary)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cpu: list[float] = []
        self._rss: list[float] = []
        self._machine: list[float] = []
        self._gpu_mem: list[float] = []
        self._gpu_util: list[float] = []
        self._procs: list[psutil.Process] = []

    def _poll(self) -> None:
        cpu = rss = 0.0
        for proc in self._procs:
            try:
                cpu += proc.cpu_percent(None)
                rss += proc.memory_info().rss / 1024**2
            except psutil.Error:
                continue
        self._cpu.append(cpu)
        self._rss.append(rss)
        self._machine.append(psutil.cpu_percent(None))
        gpus = gpu_usage()
        if gpus:
            self._gpu_mem.append(sum(m for m, _ in gpus))
            self._gpu_util.append(sum(u for _, u in gpus) / len(gpus))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._poll()

    def __enter__(self) -> ResourceSampler:
        self._procs = []
        for pid in self.pids:
            try:
                proc = psutil.Process(pid)
                proc.cpu_percent(None)  # first call primes the counter
                self._procs.append(proc)
            except psutil.Error:
                continue
        psutil.cpu_percent(None)
        self._t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._loop, name="resource-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if not self._cpu:  # shorter than one interval: take one sample now
            self._poll()
        s = self.summary
        s.seconds = time.perf_counter() - self._t0
        s.samples = len(self._cpu)
        s.cpu_percent_mean = sum(self._cpu) / len(self._cpu)
        s.cpu_percent_peak = max(self._cpu)
        s.rss_mib_mean = sum(self._rss) / len(self._rss)
        s.rss_mib_peak = max(self._rss)
        s.machine_cpu_percent_mean = sum(self._machine) / len(self._machine)
        if self._gpu_mem:
            s.gpu_memory_mib_peak = max(self._gpu_mem)
            s.gpu_util_percent_mean = sum(self._gpu_util) / len(self._gpu_util)
