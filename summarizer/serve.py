"""Serve a GGUF model as an OpenAI-compatible endpoint (``/v1/chat/completions``), with the
llama.cpp HTTP server built into the ``xllamacpp`` wheel the project already pins.

This is how the evaluation checks the ``openai`` backend path without a GPU or another package:
serve the embedded model, point ``ASR_LLM_BACKEND=openai`` at it, run the same benchmark.
Production sites point the backend at their own 7–24 B server (vLLM, llama.cpp server, a State
platform) instead; nothing here is needed there.

    python -m summarizer.serve --port 8088          # the embedded catalogue model
    python -m summarizer.serve --gguf /models/qwen2.5-7b-instruct-q4_k_m.gguf --port 8088

It prints ``listening on http://HOST:PORT/v1`` once the model is loaded (``--port 0``: a free port)
and serves until interrupted. Nothing is downloaded: the catalogue model comes from its PyPI parts.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path
from typing import Any

import typer

from summarizer.backends import LLMError, catalogue_gguf, free_cores
from summarizer.settings import LLMSettings


def model_path(settings: LLMSettings, gguf: Path | None = None) -> Path:
    """The GGUF to serve: ``gguf`` if given, else the settings' GGUF path or catalogue model."""
    if gguf is not None:
        return gguf
    if settings.backend == "gguf" and settings.gguf_path:
        return Path(settings.gguf_path)
    return catalogue_gguf(settings.model)


def start_server(
    path: Path, *, host: str = "127.0.0.1", port: int = 0, n_ctx: int = 8192, threads: int = 0
) -> tuple[Any, str]:
    """Load ``path`` and start llama.cpp's HTTP server; returns (server, base URL with /v1).

    The server runs in this process until the returned object is released.
    """
    if not path.is_file():
        raise LLMError(f"GGUF model not found: {path}")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle threads sleep, not spin
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(path)
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = threads or free_cores()
    params.cpuparams_batch.n_threads = params.cpuparams.n_threads
    params.warmup = False
    params.hostnames = [host]
    params.port = port
    try:
        server = xlc.Server(params)
    except Exception as exc:
        raise LLMError(f"llama.cpp could not serve {path}: {exc}") from exc
    return server, f"{server.listening_address}/v1"


def main(
    gguf: Path | None = typer.Option(None, help="GGUF file (default: the ASR_LLM_* model)"),
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8088, help="port (0: a free one)"),
    threads: int = typer.Option(0, help="CPU threads (0: the idle cores)"),
) -> None:
    """Serve the model as an OpenAI-compatible endpoint until interrupted."""
    settings = LLMSettings()
    try:
        _server, url = start_server(
            model_path(settings, gguf), host=host, port=port, n_ctx=settings.n_ctx, threads=threads
        )
    except LLMError as exc:
        print(f"error: {exc}", flush=True)
        raise typer.Exit(2) from exc
    print(f"listening on {url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()


app = typer.Typer(add_completion=False)
app.command()(main)


if __name__ == "__main__":
    app(prog_name="python -m summarizer.serve")
