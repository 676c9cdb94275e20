"""Error text meant for clients: what failed, never where the server keeps its files.

Library errors often carry absolute paths (PyAV: ``No such file or directory:
'/srv/asr/uploads/mairie/<job>/recording.mp3'``). Job and meeting errors are shown to clerks and
API clients, so every absolute path in them is cut down to its last component, which still says
which file failed.
"""

from __future__ import annotations

import re

_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])(?:/[^\s'\"/:,;()\[\]]+){2,}")


def without_paths(text: str) -> str:
    """``text`` with every absolute POSIX path of two or more components replaced by its name."""
    return _ABSOLUTE_PATH.sub(lambda m: m.group(0).rsplit("/", 1)[-1], text)


def public_error(exc: BaseException, limit: int = 2000) -> str:
    """``ExceptionClass: message`` for clients, without server paths, at most ``limit`` chars."""
    return without_paths(f"{exc.__class__.__name__}: {exc}")[:limit]
