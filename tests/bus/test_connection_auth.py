"""The worker joins an operator's NATS with the configured credentials and TLS (``ASR_NATS_*``).

Real ``nats-server`` processes requiring a user/password, a token, or mutual TLS (certificates
made here with ``openssl``): the right settings connect and declare the service's streams, wrong
ones fail at once with an error naming the settings to check (instead of retrying forever).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from asr_service.bus.connection import BusConnectError, BusLimits, connect, ensure_streams
from asr_service.bus.server import free_port

from .conftest import bus_settings, nats_process


@contextmanager
def nats_server(tmp_path: Path, *args: str) -> Iterator[str]:
    """A JetStream ``nats-server`` with extra flags; yields its URL."""
    port = free_port()
    flags = ["-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(tmp_path / "js"), *args]
    with nats_process(port, *flags):
        yield f"nats://127.0.0.1:{port}"


async def joins(tmp_path: Path, url: str, **auth: object) -> None:
    """Connect with these settings and declare the streams (what a worker does at start)."""
    settings = bus_settings(tmp_path, url, **auth)
    nc = await connect(settings)
    try:
        await ensure_streams(nc.jetstream(), BusLimits.from_settings(settings))
    finally:
        await nc.close()


async def test_user_password_and_token(tmp_path: Path) -> None:
    with nats_server(tmp_path / "a", "--user", "asr", "--pass", "s3cret") as url:
        await joins(tmp_path, url, nats_user="asr", nats_password="s3cret")
        with pytest.raises(BusConnectError, match="Authorization"):
            await joins(tmp_path, url, nats_user="asr", nats_password="wrong")
    with nats_server(tmp_path / "b", "--auth", "t0ken") as url:
        await joins(tmp_path, url, nats_token="t0ken")
        with pytest.raises(BusConnectError, match="Authorization"):
            await joins(tmp_path, url)


def make_certificates(folder: Path) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, signed by the CA."""
    folder.mkdir(parents=True)

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
        "-keyout", "ca.key", "-out", "ca.pem")  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for name in ("server", "client"):
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.csr")  # fmt: skip
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", f"{name}.pem")  # fmt: skip
    return {p.name: p for p in folder.iterdir()}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_mutual_tls(tmp_path: Path) -> None:
    certs = make_certificates(tmp_path / "certs")
    server_tls = ["--tlsverify", "--tlscert", str(certs["server.pem"]), "--tlskey",
                  str(certs["server.key"]), "--tlscacert", str(certs["ca.pem"])]  # fmt: skip
    with nats_server(tmp_path / "tls", *server_tls) as url:
        url = url.replace("nats://", "tls://")
        await joins(
            tmp_path,
            url,
            nats_tls_ca=certs["ca.pem"],
            nats_tls_cert=certs["client.pem"],
            nats_tls_key=certs["client.key"],
        )
        with pytest.raises(BusConnectError):  # no client certificate: refused
            await joins(tmp_path, url, nats_tls_ca=certs["ca.pem"])
