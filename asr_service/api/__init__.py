"""HTTP API and clerk pages: ``create_app()`` builds the FastAPI application."""

from asr_service.api.app import create_app

__all__ = ["create_app"]
