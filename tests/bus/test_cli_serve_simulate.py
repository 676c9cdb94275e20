"""``asr-service serve`` and ``asr-service simulate`` as a new user runs them, in subprocesses.

The fast tests need no model: a bus that is not there, a bus no worker has started on, a bus
without JetStream end at once with one clear error, exit 5 (service unavailable), bad options
with exit 2 (usage); a meeting no
worker finishes ends after --timeout, named; stream bounds are sized to the disk and declared
again on restart. The end-to-end test starts the console script ``serve`` (embedded nats-server,
real Whisper base), plays the shipped sample with ``simulate --speed 4``, then stops ``serve`` as
Ctrl-C does and checks that it left no nats-server behind.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from asr_service.bus import commands
from asr_service.bus.connection import BusLimits, connect, ensure_streams
from asr_service.bus.server import EmbeddedNats, disk_sized_bound, free_port
from asr_service.config import Settings
from tests.conftest import SAMPLE_KEYWORDS, SAMPLE_MEETING

from .conftest import bus_settings, cli_env, meeting_id, nats_process

CLI = Path(sys.executable).parent / "asr-service"
GiB = 1024**3
MiB = 1024**2


def run_cli(*args: str, cwd: Path, timeout: float = 60, **env: str) -> tuple[int, str, float]:
    """Run ``asr-service ARGS``; return its exit code, stdout + stderr and its duration."""
    start = time.monotonic()
    proc = subprocess.run(
        [str(CLI), *args],
        cwd=cwd,
        env=cli_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - start


def simulate_sample(
    url: str, *options: str, cwd: Path, meeting: str = "m1", timeout: float = 60
) -> tuple[int, str, float]:
    """``asr-service simulate`` of the shipped sample on ``url`` (see :func:`run_cli`)."""
    sample = str(SAMPLE_MEETING)
    args = ["simulate", sample, "--meeting-id", meeting, "--nats-url", url, *options]
    return run_cli(*args, cwd=cwd, timeout=timeout)


def one_line(output: str) -> str:
    """Output with rich's box drawing and line wrapping undone, for substring checks."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


# ----------------------------------------------------------------------------- simulate, no model


def test_simulate_without_a_bus_exits_5_promptly_in_one_line(tmp_path: Path) -> None:
    url = f"nats://127.0.0.1:{free_port()}"  # nothing listens there
    code, out, took = simulate_sample(url, cwd=tmp_path)
    assert code == 5, out
    assert took < 20, took
    assert f"error: cannot reach NATS at {url}: connection refused" in out, out
    assert "asr-service serve" in out and "ASR_NATS_URL" in out, out
    assert "ConnectionRefusedError" not in out and "Traceback" not in out, out  # no retry noise
    assert len(out.strip().splitlines()) == 1, out


def test_simulate_on_a_bus_no_worker_started_names_the_missing_stream(tmp_path: Path) -> None:
    with EmbeddedNats(tmp_path / "nats") as server:  # JetStream, but no ASR_IN: no worker yet
        code, out, took = simulate_sample(server.url, "--timeout", "3", cwd=tmp_path)
    assert code == 5, out
    assert took < 15, took
    assert "error: the bus has no ASR_IN stream: no worker has started on it yet" in out, out
    assert "`asr-service serve` or `asr-service worker`" in out, out
    assert "no final status" not in out and "Traceback" not in out, out


async def test_simulate_timeout_names_the_configured_timeout(tmp_path: Path) -> None:
    """Streams declared but no worker serving: after the audio (as fast as possible), simulate
    waits --timeout, then says so with that figure, exit 1."""
    with EmbeddedNats(tmp_path / "nats") as server:
        settings = bus_settings(tmp_path, server.url)
        nc = await connect(settings, url=server.url)
        try:
            await ensure_streams(nc.jetstream(), BusLimits.from_settings(settings))
        finally:
            await nc.close()
        proc = await asyncio.create_subprocess_exec(
            str(CLI),
            "simulate",
            str(SAMPLE_MEETING),
            "--meeting-id",
            "m1",
            "--nats-url",
            server.url,
            "--speed",
            "inf",
            "--timeout",
            "2.5",
            cwd=tmp_path,
            env=cli_env(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out = (await asyncio.wait_for(proc.communicate(), 60))[0].decode()
    assert proc.returncode == 1, out
    assert "error: no final status within 2.5 s after the end of the audio" in out, out


@contextmanager
def nats_without_jetstream() -> Iterator[str]:
    port = free_port()
    with nats_process(port, "-a", "127.0.0.1", "-p", str(port)):
        yield f"nats://127.0.0.1:{port}"


def test_simulate_on_a_server_without_jetstream_says_so(tmp_path: Path) -> None:
    with nats_without_jetstream() as url:
        code, out, _ = simulate_sample(url, cwd=tmp_path)
    assert code == 5, out
    assert "has no JetStream" in out, out


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--speed", "0"], "Invalid value for '--speed': must be > 0"),
        (["--speed", "-4"], "Invalid value for '--speed': must be > 0"),
        (["--speed", "nan"], "Invalid value for '--speed': must be > 0"),
        (["--tracks", "a,b"], "Invalid value for '--tracks': 1 file(s) but 2 track name(s)"),
        (
            ["--tracks", "a,a", "SECOND"],
            "Invalid value for '--tracks': track name(s) a given twice",
        ),
    ],
)
def test_simulate_refuses_bad_options_before_connecting(
    tmp_path: Path, options: list[str], expected: str
) -> None:
    options = [str(SAMPLE_MEETING) if o == "SECOND" else o for o in options]
    url = f"nats://127.0.0.1:{free_port()}"  # were it tried, this would take 10 s and say so
    code, out, took = simulate_sample(url, *options, cwd=tmp_path)
    assert code == 2, out
    assert expected in one_line(out), out
    assert "cannot reach NATS" not in out and "Traceback" not in out, out
    assert took < 8, took


# ----------------------------------------------------------------------------- serve's stream bounds


def test_disk_sized_bound() -> None:
    floor = 64 * MiB
    assert disk_sized_bound(20 * GiB, 500 * GiB, 0.5, floor) == 20 * GiB  # the default fits
    assert disk_sized_bound(20 * GiB, int(9.7 * GiB), 0.5, floor) == 4 * GiB  # whole GiB
    assert disk_sized_bound(20 * GiB, 300 * MiB, 0.5, floor) == 128 * MiB  # 64 MiB steps
    assert disk_sized_bound(20 * GiB, 10 * MiB, 0.5, floor) == floor


def test_serve_sizes_unset_stream_bounds_to_the_free_disk(tmp_path: Path, monkeypatch) -> None:
    for name in ("ASR_BUS_IN_MAX_BYTES", "ASR_BUS_OUT_MAX_BYTES"):
        monkeypatch.delenv(name, raising=False)
    free = 10 * GiB
    usage = shutil.disk_usage(tmp_path)._replace(free=free)
    monkeypatch.setattr(commands.shutil, "disk_usage", lambda path: usage)

    sized, line = commands.size_streams_to_disk(Settings(data_dir=tmp_path), tmp_path)
    assert sized.bus_in_max_bytes == 5 * GiB and sized.bus_out_max_bytes == 512 * MiB
    assert line is not None and "ASR_IN 5.0 GiB" in line and "ASR_OUT 512 MiB" in line
    assert "ASR_BUS_IN_MAX_BYTES / ASR_BUS_OUT_MAX_BYTES" in line

    # a bound the operator set is theirs, even above what the disk can reserve
    monkeypatch.setenv("ASR_BUS_IN_MAX_BYTES", str(20 * GiB))
    sized, line = commands.size_streams_to_disk(Settings(data_dir=tmp_path), tmp_path)
    assert sized.bus_in_max_bytes == 20 * GiB and sized.bus_out_max_bytes == 512 * MiB
    assert line is not None and "ASR_IN" not in line and "ASR_BUS_OUT_MAX_BYTES" in line

    settings = Settings(data_dir=tmp_path, bus_out_max_bytes=GiB)
    assert commands.size_streams_to_disk(settings, tmp_path) == (settings, None)


async def test_streams_taking_most_of_the_store_are_declared_again_on_restart(
    tmp_path: Path,
) -> None:
    """JetStream checks a create's reservation before seeing that the stream exists: declaring
    an existing stream again must not count its bound twice (a restart of `serve` would fail)."""
    with EmbeddedNats(tmp_path / "nats") as server:
        # the server may reserve 75 % of the free disk: 0.45 fits once, not twice
        in_bytes = int(shutil.disk_usage(server.store_dir).free * 0.45)
        settings = bus_settings(tmp_path, server.url, bus_in_max_bytes=in_bytes)
        limits = BusLimits.from_settings(settings)
        nc = await connect(settings, url=server.url)
        try:
            js = nc.jetstream()
            await ensure_streams(js, limits)
            await ensure_streams(js, limits)  # a second worker, or the next start
            assert (await js.stream_info("ASR_IN")).config.max_bytes == in_bytes
        finally:
            await nc.close()


# ----------------------------------------------------------------------------- end to end


def _wait_for(path: Path, text: str, proc: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        content = path.read_text(encoding="utf-8", errors="replace")
        if text in content:
            return content
        assert proc.poll() is None, f"serve exited with {proc.returncode}:\n{content[-3000:]}"
        assert time.monotonic() < deadline, f"no {text!r} within {timeout} s:\n{content[-3000:]}"
        time.sleep(0.2)


@pytest.mark.slow
def test_serve_then_simulate_the_sample_then_ctrl_c(tmp_path: Path) -> None:
    """A new user's first run: `serve` (embedded bus, no minutes), `simulate` the shipped sample
    at 4x, Ctrl-C `serve`; exit codes 0, segments and final transcript shown, no server left."""
    env = {"ASR_DATA_DIR": str(tmp_path / "data"), "ASR_MEETING_MINUTES": "false"}
    log = tmp_path / "serve.log"
    serve = subprocess.Popen(
        [str(CLI), "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=cli_env(**env),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as in a terminal: Ctrl-C reaches it all
    )
    nats_pid = None
    try:
        ready = _wait_for(log, "ready on", serve, timeout=60)
        url = re.search(r"embedded nats-server \(JetStream\) at (nats://\S+),", ready)
        assert url, ready
        assert "stream bounds sized to the" in ready, ready
        children = [p for p in psutil.Process(serve.pid).children() if "nats-server" in p.name()]
        assert len(children) == 1, children
        nats_pid = children[0].pid

        code, out, took = simulate_sample(
            url.group(1), "--speed", "4", cwd=tmp_path, meeting=meeting_id("cli"), timeout=120
        )
        assert code == 0, out
        committed = re.findall(r"^\[\s*\d+\.\d+-\s*\d+\.\d+\] .+$", out, flags=re.MULTILINE)
        assert len(committed) >= 3, out
        final = re.search(r"^final transcript: (\d+) segments, (\d+\.\d) s$", out, re.MULTILINE)
        assert final and int(final.group(1)) >= 3 and float(final.group(2)) > 30, out
        assert re.search(r"^status: done", out, flags=re.MULTILINE), out
        text = out.lower()
        assert sum(word in text for word in SAMPLE_KEYWORDS) >= 2, out
        assert "error" not in text, out

        before = log.read_text(encoding="utf-8")
        os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C in its terminal
        assert serve.wait(30) == 0, log.read_text(encoding="utf-8")[-3000:]
        after = log.read_text(encoding="utf-8")[len(before) :]
        # the worker stopped before its server: no reconnection noise, no traceback
        assert "NATS error" not in after and "Traceback" not in after, after
        assert not psutil.pid_exists(nats_pid), "serve left its nats-server running"
        print(f"simulate took {took:.1f} s")
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
        if nats_pid is not None and psutil.pid_exists(nats_pid):
            os.kill(nats_pid, signal.SIGKILL)
