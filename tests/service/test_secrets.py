"""No secret in clear: every CLI output that shows configuration or an error, and the logs of a
worker that starts, with secrets planted in every secret setting (issue 15, finding 1).

The planted values come from the settings model itself (every ``SecretStr``/``SecretUrl`` field,
the ``ASR_LLM_*`` section included), so a secret setting added later is planted too. Real
components: the console script in subprocesses, a real ``nats-server`` that requires the password
given inside ``ASR_NATS_URL``, the real PostgreSQL server (its own schema) reached through an
``ASR_DATABASE_URL`` carrying a password.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, text

from asr_service.bus.server import free_port
from asr_service.config import LLMSettings, Settings
from asr_service.exit_codes import ExitCode
from asr_service.redaction import SecretUrl
from tests.bus.conftest import cli_env, nats_process

CLI = Path(sys.executable).parent / "asr-service"
PG_ADMIN_URL = os.environ.get(
    "ASR_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
)
NATS_USER = "asr"
NATS_PASSWORD = "Nats-Url-Pw-5e1f"
DB_PASSWORD = "Db-Url-Pw-9c3a"


def secret_fields() -> dict[str, type]:
    """Every secret setting as ``{variable: type}``: ``ASR_NATS_PASSWORD``, ``ASR_LLM_API_KEY``..."""
    found: dict[str, type] = {}
    for model, prefix in ((Settings, "ASR_"), (LLMSettings, "ASR_LLM_")):
        for name, field in model.model_fields.items():
            for kind in (SecretUrl, SecretStr):  # SecretUrl first: it is a SecretStr too
                if kind.__name__ in str(field.annotation) or field.annotation is kind:
                    found[f"{prefix}{name.upper()}"] = kind
                    break
    return found


def planted(nats_url: str, database_url: str) -> tuple[dict[str, str], list[str]]:
    """Environment with a distinct secret in every secret setting, and the secrets to look for."""
    env: dict[str, str] = {}
    secrets = [NATS_PASSWORD, DB_PASSWORD]
    for variable, kind in secret_fields().items():
        if variable == "ASR_NATS_URL":
            env[variable] = nats_url
        elif variable == "ASR_DATABASE_URL":
            env[variable] = database_url
        elif kind is SecretUrl:
            value = f"Url-Pw-{uuid.uuid4().hex[:8]}"
            env[variable] = f"https://user:{value}@host.example/path"
            secrets.append(value)
        else:
            env[variable] = f"Planted-{variable.lower()}-{uuid.uuid4().hex[:8]}"
            secrets.append(env[variable])
    return env, secrets


def run_cli(*args: str, cwd: Path, env: dict[str, str], timeout: float = 120) -> tuple[int, str]:
    proc = subprocess.run(
        [str(CLI), *args], cwd=cwd, env=cli_env(**env), capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    return proc.returncode, proc.stdout + proc.stderr


def assert_no_secret(output: str, secrets: list[str]) -> None:
    leaked = [s for s in secrets if s in output]
    assert leaked == [], f"secrets in clear: {leaked}\n{output[-3000:]}"


@contextmanager
def nats_with_password(tmp_path: Path) -> Iterator[int]:
    """A JetStream ``nats-server`` that requires NATS_USER/NATS_PASSWORD; yields its port."""
    port = free_port()
    with nats_process(
        port, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(tmp_path / "js"),
        "--user", NATS_USER, "--pass", NATS_PASSWORD,
    ):  # fmt: skip
        yield port


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """The test PostgreSQL server on a schema of its own, by a URL that carries DB_PASSWORD
    (trust authentication ignores it: it only has to stay out of every output)."""
    try:
        admin = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        schema = f"asr_secrets_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - no server here
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    user_host = PG_ADMIN_URL.split("://", 1)[1].split("/", 1)[0]
    user, host = user_host.split("@")
    database = PG_ADMIN_URL.rsplit("/", 1)[1]
    yield (f"postgresql://{user}:{DB_PASSWORD}@{host}/{database}?options=-csearch_path%3D{schema}")
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_every_secret_setting_is_typed_secret():
    """The settings the issue names are secrets (the test plants all of them)."""
    fields = secret_fields()
    for variable in ("ASR_DATABASE_URL", "ASR_NATS_URL", "ASR_NATS_PASSWORD", "ASR_NATS_TOKEN",
                     "ASR_LLM_API_KEY", "ASR_OIDC_CLIENT_SECRET"):  # fmt: skip
        assert variable in fields, f"{variable} is not typed SecretStr/SecretUrl"


def test_config_and_failing_commands_never_print_a_secret(tmp_path: Path) -> None:
    dead_nats = f"nats://{NATS_USER}:{NATS_PASSWORD}@127.0.0.1:{free_port()}"
    dead_db = f"postgresql://asr:{DB_PASSWORD}@127.0.0.1:{free_port()}/asr"
    env, secrets = planted(dead_nats, dead_db)
    env["ASR_DATA_DIR"] = str(tmp_path / "data")

    code, out = run_cli("config", cwd=tmp_path, env=env)
    assert code == 0, out
    assert_no_secret(out, secrets)
    assert f"ASR_NATS_URL=nats://{NATS_USER}:***@127.0.0.1" in out  # which server: still said
    assert "ASR_DATABASE_URL=postgresql://asr:***@127.0.0.1" in out
    assert "ASR_LLM_API_KEY=***" in out and "ASR_NATS_PASSWORD=***" in out

    # serve and worker: the database is down -> one line, exit 5, password masked
    for command in ("serve", "worker"):
        code, out = run_cli(command, cwd=tmp_path, env=env)
        assert code == ExitCode.UNAVAILABLE, out
        assert "error: the database is unavailable" in out and "Traceback" not in out, out
        assert_no_secret(out, secrets)

    # the database commands: down -> one line, exit 5
    for args in (["tokens", "list", "--tenant", "mairie"], ["purge"]):
        code, out = run_cli(*args, cwd=tmp_path, env=env)
        assert code == ExitCode.UNAVAILABLE, (args, out)
        assert "error: the database is unavailable" in out and "Traceback" not in out, out
        assert_no_secret(out, secrets)

    # simulate: the bus is down, named by a URL with a password (environment, then option)
    sample = Path(__file__).resolve().parents[2] / "asr_service" / "data" / "sample_meeting_fr.ogg"
    code, out = run_cli("simulate", str(sample), "--meeting-id", "m1", cwd=tmp_path, env=env)
    assert code == ExitCode.UNAVAILABLE, out
    assert f"error: cannot reach NATS at nats://{NATS_USER}:***@127.0.0.1" in out, out
    assert_no_secret(out, secrets)
    code, out = run_cli(
        "simulate", str(sample), "--meeting-id", "m1", "--nats-url", dead_nats,
        cwd=tmp_path, env={k: v for k, v in env.items() if k != "ASR_NATS_URL"},
    )  # fmt: skip
    assert code == ExitCode.UNAVAILABLE, out
    assert_no_secret(out, secrets)


def test_a_refused_password_is_not_echoed(tmp_path: Path) -> None:
    """A server that refuses the URL's password: simulate's error names the server, not the
    password it tried."""
    with nats_with_password(tmp_path) as port:
        wrong = f"nats://{NATS_USER}:Wrong-Pw-0d0e@127.0.0.1:{port}"
        env, secrets = planted(wrong, f"postgresql://asr:{DB_PASSWORD}@127.0.0.1:1/asr")
        sample = Path(__file__).resolve().parents[2] / "asr_service" / "data"
        code, out = run_cli(
            "simulate", str(sample / "sample_meeting_fr.ogg"), "--meeting-id", "m1",
            cwd=tmp_path, env=env,
        )  # fmt: skip
    assert code == ExitCode.UNAVAILABLE, out
    assert "refused the connection" in out and "ASR_NATS_PASSWORD" in out, out
    assert_no_secret(out, [*secrets, "Wrong-Pw-0d0e"])


def test_worker_start_up_logs_carry_no_secret(tmp_path: Path, postgres_schema_url: str) -> None:
    """A real worker on a NATS that requires the URL's password and a PostgreSQL reached by a URL
    with a password, JSON logs: it gets ready, every line is JSON, none holds a secret."""
    with nats_with_password(tmp_path) as port:
        url = f"nats://{NATS_USER}:{NATS_PASSWORD}@127.0.0.1:{port}"
        env, secrets = planted(url, postgres_schema_url)
        for variable in ("ASR_NATS_PASSWORD", "ASR_NATS_TOKEN"):
            env.pop(variable)  # the URL carries the credentials this server wants
        env.update(
            ASR_DATA_DIR=str(tmp_path / "data"),
            ASR_LOG_FORMAT="json",
            ASR_LOG_LEVEL="INFO",
            ASR_MEETING_MINUTES="false",
        )
        log_path = tmp_path / "worker.log"
        with log_path.open("w") as log:
            proc = subprocess.Popen(
                [str(CLI), "worker", "--id", "w-secrets"], cwd=tmp_path, env=cli_env(**env),
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                deadline = time.monotonic() + 180
                while "ready" not in log_path.read_text() and proc.poll() is None:
                    assert time.monotonic() < deadline, log_path.read_text()[-3000:]
                    time.sleep(0.5)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(60)
    output = log_path.read_text()
    assert_no_secret(output, secrets)
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    ready = [e for e in lines if "ready" in e["event"]]
    assert ready, output
    assert f"nats://{NATS_USER}:***@127.0.0.1:{port}" in ready[0]["event"]
    assert ready[0]["worker_id"] == "w-secrets"  # bound for every line of the running worker
    assert all({"timestamp", "level", "logger", "event"} <= e.keys() for e in lines), output


def test_minutes_with_the_llm_down_exit_5_without_its_key(tmp_path: Path) -> None:
    """The LLM endpoint does not answer: the minutes command says so in one line, exit 5
    (service unavailable, not a model problem), and its API key stays out of it."""
    transcript = tmp_path / "reunion.txt"
    transcript.write_text(
        "[00:00:01] Marie: Nous décidons de voter le budget.\n"
        "[00:00:05] Paul: Je rédige la note avant lundi.\n",
        encoding="utf-8",
    )
    env, secrets = planted(
        f"nats://{NATS_USER}:{NATS_PASSWORD}@127.0.0.1:1", f"postgresql://a:{DB_PASSWORD}@h/d"
    )
    env.update(
        ASR_LLM_BACKEND="openai",
        ASR_LLM_BASE_URL=f"http://127.0.0.1:{free_port()}/v1",
        ASR_LLM_API_MODEL="qwen",
    )
    code, out = run_cli(
        "minutes", str(transcript), "--out", str(tmp_path / "out"), cwd=tmp_path, env=env
    )
    assert code == ExitCode.UNAVAILABLE, out
    errors = [line for line in out.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "LLM" in errors[0] and "refused" in errors[0], out
    assert_no_secret(out, secrets)


def test_api_logs_carry_no_secret(tmp_path: Path, postgres_schema_url: str) -> None:
    """``asr-service api`` with every secret planted (PostgreSQL by a URL with a password, a NATS
    URL with one for its readiness probe), JSON logs: requests answered, no secret in its output."""
    port = free_port()
    env, secrets = planted(f"nats://{NATS_USER}:{NATS_PASSWORD}@127.0.0.1:{free_port()}",
                           postgres_schema_url)  # fmt: skip
    env.update(ASR_DATA_DIR=str(tmp_path / "data"), ASR_LOG_FORMAT="json", ASR_LOG_LEVEL="INFO")
    log_path = tmp_path / "api.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(CLI), "api", "--port", str(port), "--jobs", "0"], cwd=tmp_path,
            env=cli_env(**env), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.5)
            for path in ("/readyz", "/api/v1/meetings"):
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}{path}", headers={"X-Request-ID": f"probe{len(path)}"}
                )
                with pytest.raises(urllib.error.HTTPError):  # 503 (bus down), 401 (no token)
                    urllib.request.urlopen(request, timeout=30)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
    output = log_path.read_text()
    assert_no_secret(output, secrets)
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert {e.get("request_id") for e in lines if e["event"] == "http request"} == {
        "probe16",  # /api/v1/meetings
    }, output  # /readyz is a probe: logged at DEBUG only
