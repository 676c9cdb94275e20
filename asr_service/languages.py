"""Language tags as meeting backends send them, mapped to the codes Whisper knows.

Backends send BCP 47 tags (``fr-FR``, ``fr_CA``, ``FR``); Whisper wants its own lower-case codes
(``fr``, ``yue``...). A tag Whisper cannot take would make faster-whisper raise at the final pass,
after the whole meeting was received: tags are normalised on input and unknown ones detected
instead.
"""

from __future__ import annotations

from functools import cache

AUTO = "auto"
"""Detect the language from the audio."""


def normalize_language(tag: str) -> str:
    """``fr-FR``, ``FR``, ``fr_CA`` → ``fr``; empty, ``auto`` or ``detect`` → ``auto``."""
    code = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    return AUTO if code in ("", AUTO, "detect") else code


@cache
def whisper_languages() -> frozenset[str]:
    """Every language code multilingual Whisper models know."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES  # heavy import: only when asked

    return frozenset(_LANGUAGE_CODES)


def is_known(code: str) -> bool:
    """True for ``auto`` and for the codes of ``whisper_languages``."""
    return code == AUTO or code in whisper_languages()
