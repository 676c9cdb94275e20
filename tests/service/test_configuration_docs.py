"""docs/configuration.md is the settings model, generated; a bad value is one clear line.

The reference must equal what the model generates (both commands that print it), name every
setting including the ``ASR_LLM_*`` section, and a value a setting may not take (in the
environment or on the command line) stops the CLI with one line naming the setting, the value
and what is allowed, and the documented exit code, never a pydantic traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from asr_service.config import LLMSettings, Settings, settings_reference
from asr_service.exit_codes import ExitCode

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
CLI = Path(sys.executable).parent / "asr-service"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the caller's ASR_ settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASR_")}
    env["COLUMNS"] = "250"
    env.update(extra)
    return env


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A command in a subprocess (the console script as installed)."""
    return subprocess.run(
        args, cwd=cwd, env=clean_env(**env), capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path):
    """``asr-service ARGS`` in this process (the same ``main`` as the console script, faster
    than a subprocess): returns (exit code, stdout, stderr)."""
    from asr_service.cli import main

    def invoke(*args: str, **env: str) -> tuple[int, str, str]:
        for key in [k for k in os.environ if k.startswith("ASR_")]:
            monkeypatch.delenv(key)
        for key, value in {"COLUMNS": "250", **env}.items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(tmp_path)  # no .env applies
        monkeypatch.setattr(sys, "argv", ["asr-service", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_:
            main()
        out, err = capsys.readouterr()
        return int(exit_.value.code or 0), out, err

    return invoke


def test_configuration_reference_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == settings_reference(), (
        "docs/configuration.md is stale: run `asr-service config --markdown > docs/configuration.md`"
    )


def test_both_commands_print_the_reference(tmp_path: Path):
    expected = DOC.read_text(encoding="utf-8")
    by_cli = run(str(CLI), "config", "--markdown", cwd=tmp_path)
    by_module = run(sys.executable, "-m", "asr_service.config", "--markdown", cwd=tmp_path)
    assert by_cli.returncode == 0 and by_cli.stdout == expected, by_cli.stderr
    assert by_module.returncode == 0 and by_module.stdout == expected, by_module.stderr


def test_the_reference_does_not_depend_on_the_environment(tmp_path: Path):
    """Generated from the model's defaults, not from the settings the developer has set."""
    out = run(
        sys.executable,
        "-m",
        "asr_service.config",
        "--markdown",
        cwd=tmp_path,
        ASR_LLM_BACKEND="gguf",
        ASR_MODEL="elsewhere",
    )
    assert out.stdout == DOC.read_text(encoding="utf-8")


def test_every_setting_is_documented_and_listed():
    doc = DOC.read_text(encoding="utf-8")
    for model, prefix in ((Settings, "ASR_"), (LLMSettings, "ASR_LLM_")):
        for name, field in model.model_fields.items():
            if field.annotation is LLMSettings:
                continue
            assert field.description, f"{prefix}{name.upper()} has no description"
            assert f"| `{prefix}{name.upper()}` |" in doc
    # the variables the code used to read from os.environ are settings now
    for variable in ("ASR_PDF_FONT", "ASR_NATS_SERVER_BIN", "ASR_LLM_BACKEND", "ASR_LOG_FORMAT"):
        assert f"| `{variable}` |" in doc
    for code in ExitCode:
        assert f"| {code.value} | {code.meaning} |" in doc


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ASR_API_PORT": "abc"}, "ASR_API_PORT='abc' is not allowed: expected an integer ≥ 1"),
        (
            {"ASR_VOCABULARY": "Mme Martin"},
            "ASR_VOCABULARY='Mme Martin' is not allowed: expected a JSON list",
        ),
        ({"ASR_DEVICE": "gpu"}, "ASR_DEVICE='gpu' is not allowed: expected one of auto, cpu, cuda"),
        (
            {"ASR_LLM_N_CTX": "100"},
            "ASR_LLM_N_CTX='100' is not allowed: expected an integer ≥ 2048",
        ),
        (
            {"ASR_LOG_FORMAT": "xml"},
            "ASR_LOG_FORMAT='xml' is not allowed: expected one of text, json",
        ),
    ],
)
def test_a_bad_setting_is_one_line_exit_3(cli, env: dict[str, str], expected: str):
    code, _, err = cli("models", "list", **env)
    assert code == ExitCode.BAD_INPUT, err
    assert err.startswith(f"error: {expected}") and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "pydantic" not in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["transcribe", "x.wav", "--device", "gpu"],
            "error: Invalid value for '--device': 'gpu' is not one of 'auto', 'cpu', 'cuda'.",
        ),
        (
            ["transcribe", "x.wav", "--formats", "pdf,doc"],
            "error: Invalid value for '--formats': unknown format(s) doc; choose from json, "
            "txt, srt, vtt, odt, docx, pdf",
        ),
        (["transcribe", "x.wav", "--compute-type", "int4"], "'int4' is not one of 'auto'"),
        (["no-such-command"], "error: No such command 'no-such-command'."),
    ],
)
def test_a_bad_option_is_one_usage_line_exit_2(cli, args: list[str], expected: str):
    code, _, err = cli(*args)
    assert code == ExitCode.USAGE, err
    assert expected in err and len(err.strip().splitlines()) == 1, err
    assert "╭" not in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["verify", "install"])
def test_an_unknown_model_name_exits_3_naming_the_catalogue(cli, command: str):
    code, _, err = cli("models", command, "no-such-model")
    assert code == ExitCode.BAD_INPUT, err
    assert "unknown model(s) no-such-model; the catalogue has whisper-base" in err


def test_help_lists_the_exit_codes_and_shows_no_bool_on_flags(cli):
    code, main_help, _ = cli("--help")
    assert code == 0
    assert "Exit codes: 0 ok, 1 failed, 2 usage error, 3 bad input" in " ".join(main_help.split())
    for command in ("transcribe", "serve", "worker", "simulate", "bench", "config"):
        code, text, _ = cli(command, "--help")
        assert code == 0 and "--help" in text and "<bool>" not in text, (command, text)
