"""Helpers shared by the ``asr-service`` commands (:mod:`asr_service.cli`, the bus and API
commands): one way to fail and one way to read a list option."""

from __future__ import annotations

from enum import StrEnum
from typing import NoReturn, get_args

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperOption

from asr_service.config import Settings
from asr_service.exit_codes import ExitCode
from asr_service.redaction import redact

console = Console(stderr=True, soft_wrap=True)  # one error, one line: greppable logs

_display_type_rich = TyperOption.display_type_rich


def _flag_without_type(self: TyperOption, ctx: typer.Context) -> str | None:
    """Typer shows ``<bool>`` beside every flag (``--minutes/--no-minutes``, ``--help``), which
    reads as if the flag took a value; a flag has no type to show. Installed once for every
    command of the service (``asr-service``, ``python -m asr_service.bus``)."""
    return None if self.is_flag else _display_type_rich(self, ctx)


TyperOption.display_type_rich = _flag_without_type  # type: ignore[method-assign]


def _choices(name: str, field: str) -> type[StrEnum]:
    """A CLI choice type with the values a setting allows, so options and settings never drift."""
    values = get_args(Settings.model_fields[field].annotation)
    return StrEnum(name, {v: v for v in values})  # type: ignore[return-value]


Device = _choices("Device", "device")
"""``--device`` of every command: the values ``ASR_DEVICE`` allows."""
ComputeType = _choices("ComputeType", "compute_type")
"""``--compute-type`` of every command: the values ``ASR_COMPUTE_TYPE`` allows."""


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print ``error: <message>`` on one line (secrets masked) on standard error and exit with
    ``code``."""
    line = " ".join(redact(message).split())  # e.g. psycopg's two-line "connection failed"
    console.print(f"[bold red]error:[/] {escape(line)}", highlight=False)
    raise typer.Exit(int(code))


def split_list(values: list[str] | None) -> list[str]:
    """A list option given as repeated options, comma-separated values, or both
    (``--vocabulary "Mme Martin" --vocabulary ZAC,PLU``)."""
    return [item.strip() for value in values or [] for item in value.split(",") if item.strip()]
