"""HTTP API and clerk pages: ``create_app()`` builds the FastAPI application.

Imported lazily (PEP 562): the CLI imports ``asr_service.api.commands`` at start-up, and every
command but ``api`` should not pay for FastAPI, the routes and their dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asr_service.api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from asr_service.api.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
