"""Exit codes of ``asr-service``: one meaning each, so scripts and operators can tell a typo
from a bad recording, a missing model or a server that is down.

Listed in ``asr-service --help``, the README and docs/configuration.md (generated from this enum).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a non-zero exit of an ``asr-service`` command means."""

    OK = 0
    FAILED = 1
    USAGE = 2
    BAD_INPUT = 3
    MODEL = 4
    UNAVAILABLE = 5

    @property
    def label(self) -> str:
        """A few words for ``--help``."""
        return _MEANINGS[self][0]

    @property
    def meaning(self) -> str:
        """The code's meaning in a sentence (README, docs/configuration.md)."""
        return _MEANINGS[self][1]


_MEANINGS = {
    ExitCode.OK: ("ok", "success"),
    ExitCode.FAILED: (
        "failed",
        "the work ran but did not succeed (a meeting ended failed, a deadline passed, some "
        "files could not be deleted)",
    ),
    ExitCode.USAGE: ("usage error", "unknown command or option, a value outside its choices"),
    ExitCode.BAD_INPUT: (
        "bad input",
        "unreadable audio or transcript, unknown model name, a setting (ASR_*) with a value "
        "it may not take",
    ),
    ExitCode.MODEL: (
        "model missing or broken",
        "a model is missing or broken (fix: `asr-service models install`)",
    ),
    ExitCode.UNAVAILABLE: (
        "service unavailable",
        "a service is unavailable: the NATS bus, the LLM endpoint, the database",
    ),
}


def exit_codes_help() -> str:
    """The codes as one line for ``--help``."""
    return "Exit codes: " + ", ".join(f"{c.value} {c.label}" for c in ExitCode) + "."
