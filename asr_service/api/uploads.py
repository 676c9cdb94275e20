"""Receive a recording over HTTP: stream it to disk under a size limit, then check it is audio.

The multipart body is parsed as it arrives (python-multipart's streaming parser), so a 2 GB
recording never sits in memory and an oversized one is cut off as soon as it crosses the limit,
before it fills the disk. The client's file name is only *metadata*: it is checked (a name that
looks like a path is refused) and shown to clerks, but the file on disk is always
``<upload dir>/<job id>/recording<ext>``, so no name can escape the upload folder. Anything that
fails a check leaves nothing behind.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import anyio
import av
from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from asr_service.audio import AudioError
from asr_service.storage.audio_store import private_dir, private_opener

MAX_FIELD_BYTES = 4096  # title, language...: small text fields only
ALLOWED_EXTENSIONS = {
    ".wav", ".mp3", ".ogg", ".oga", ".opus", ".flac", ".m4a", ".aac", ".webm", ".mp4", ".mkv",
    ".wma", ".amr", ".3gp", ".mov",
}  # fmt: skip
_SAFE_CHARS = re.compile(r"[^\w.\- ()]+", re.UNICODE)
_ENCODED_CONTROL = re.compile(r"%(?:[01][0-9A-Fa-f]|7[Ff])")
"""A control character as browsers and HTTP clients send it in a multipart file name (HTML's
form encoding writes ``\\n`` as ``%0A``, NUL as ``%00``): refused like the raw character."""
PROBE_SECONDS = 30.0
"""Audio decoded by the upload probe. FFmpeg's MP3 demuxer finds frame syncs in any binary and
decodes a few frames of it (an executable renamed ``.mp3`` gave 3 frames): decoding up to 30 s
(or the whole file when shorter) meets the garbage. 300 programs of /usr/bin renamed ``.mp3`` were
all refused; the cost is a few milliseconds per upload."""


class UploadError(Exception):
    """An upload was refused; ``status_code`` is the HTTP status to answer with."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def check_filename(name: str | None) -> str:
    """The display name of an uploaded file, or UploadError(400) for a path-like or empty name.

    Browsers send a bare file name; anything with a folder separator, a parent reference, a NUL or
    a control character is a client bug or an attack, and is refused rather than silently fixed.
    """
    if not name or not name.strip():
        raise UploadError(400, "Le fichier envoyé n'a pas de nom.")
    if any(sep in name for sep in ("/", "\\")) or name.strip().startswith(".") or ".." in name:
        raise UploadError(400, f"Nom de fichier refusé (ressemble à un chemin) : {name!r}")
    if any(unicodedata.category(c) == "Cc" for c in name) or _ENCODED_CONTROL.search(name):
        raise UploadError(400, "Nom de fichier refusé (caractères de contrôle).")
    clean = _SAFE_CHARS.sub("_", unicodedata.normalize("NFC", name)).strip()
    if len(clean) > 200:
        stem, ext = Path(clean).stem, Path(clean).suffix
        clean = stem[: 200 - len(ext)] + ext
    return clean


def audio_extension(name: str) -> str:
    """The lower-case extension if it is a known audio/video container, else UploadError(415)."""
    ext = Path(name).suffix.lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise UploadError(
            415,
            f"Type de fichier non pris en charge ({ext or 'sans extension'}) ; formats acceptés : "
            + ", ".join(sorted(ALLOWED_EXTENSIONS)),
        )
    return ext


def probe_audio(path: Path, seconds: float = PROBE_SECONDS) -> float:
    """Seconds of audio decoded from the start of the file (up to ``seconds``); AudioError when
    the file is not audio.

    Decodes the first ``seconds`` of the first audio stream, or all of it when shorter: any decode
    error there means the content is not a recording, whatever its extension says. The full
    decode happens in the batch job. Messages name no path (clients see them).
    """
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.audio:
                raise AudioError("le fichier ne contient pas de piste audio")
            stream = container.streams.audio[0]
            rate = stream.rate or stream.codec_context.sample_rate or 16000
            samples = 0
            for frame in container.decode(stream):
                samples += frame.samples
                if samples >= seconds * rate:
                    break
            if samples == 0:
                raise AudioError("aucun échantillon audio n'a pu être décodé")
            return samples / rate
    except AudioError:
        raise
    except (av.error.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise AudioError(f"fichier audio illisible ({exc.__class__.__name__})") from exc


@dataclass
class ReceivedUpload:
    """What a multipart upload delivered: the saved file and the small text fields."""

    path: Path
    filename: str
    size: int
    fields: dict[str, str] = field(default_factory=dict)


class _StreamingForm:
    """Callbacks for python-multipart: the ``file`` part goes to disk, text parts to memory."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.path: Path | None = None
        self.size = 0
        self._headers: dict[bytes, bytes] = {}
        self._header_field = b""
        self._header_value = b""
        self._name = ""
        self._buffer = bytearray()
        self._out: BinaryIO | None = None

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda d, s, e: self._add(d, s, e, "field"),
            "on_header_value": lambda d, s, e: self._add(d, s, e, "value"),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._headers, self._buffer, self._name = {}, bytearray(), ""

    def _add(self, data: bytes, start: int, end: int, which: str) -> None:
        if which == "field":
            self._header_field += data[start:end]
        else:
            self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = params.get(b"filename")
        if self._name == "file" or raw_filename is not None:
            if self._out is not None:
                raise UploadError(400, "Un seul fichier par envoi.")
            self.filename = check_filename(
                raw_filename.decode("utf-8", "replace") if raw_filename else None
            )
            ext = audio_extension(self.filename)
            self.path = self.folder / f"recording{ext}"
            self._out = open(self.path, "xb", opener=private_opener)  # noqa: SIM115 - closed in _part_end/close

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._out is not None and self._name in ("file", ""):
            self.size += end - start
            if self.size > self.max_bytes:
                raise UploadError(
                    413,
                    f"Fichier trop volumineux : la limite est de {self.max_bytes // (1 << 20)} Mo.",
                )
            self._out.write(data[start:end])
        else:
            self._buffer += data[start:end]
            if len(self._buffer) > MAX_FIELD_BYTES:
                raise UploadError(400, f"Champ {self._name!r} trop long.")

    def _part_end(self) -> None:
        if self._out is not None and self.path is not None and not self._out.closed:
            self._out.close()
        elif self._name:
            self.fields[self._name] = self._buffer.decode("utf-8", "replace").strip()

    def close(self) -> None:
        if self._out is not None and not self._out.closed:
            self._out.close()


async def receive_upload(request: Request, folder: Path, max_bytes: int) -> ReceivedUpload:
    """Stream a ``multipart/form-data`` request (part ``file`` + text fields) into ``folder``.

    Raises UploadError (413 too large, 415 not audio, 400 malformed) after removing ``folder``.
    """
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + 64 * 1024:
        raise UploadError(
            413, f"Fichier trop volumineux : la limite est de {max_bytes // (1 << 20)} Mo."
        )
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise UploadError(
            415, "Envoyez le fichier en multipart/form-data, dans un champ nommé « file »."
        )
    if folder.exists():
        raise FileExistsError(folder.name)
    private_dir(folder)
    form = _StreamingForm(folder, max_bytes)
    try:
        parser = MultipartParser(params[b"boundary"], form.callbacks())  # type: ignore[arg-type]
        try:
            async for chunk in request.stream():
                parser.write(chunk)
            parser.finalize()
        except MultipartParseError as exc:
            raise UploadError(400, f"Envoi multipart mal formé : {exc}") from exc
        except ClientDisconnect as exc:  # the client left, or the server's body timeout fired
            raise UploadError(400, "Envoi interrompu avant la fin du fichier.") from exc
        form.close()
        if form.path is None or form.filename is None:
            raise UploadError(400, "Aucun fichier reçu : ajoutez le champ « file ».")
        if form.size == 0:
            raise UploadError(400, "Le fichier envoyé est vide.")
        try:
            await anyio.to_thread.run_sync(probe_audio, form.path)
        except AudioError as exc:
            raise UploadError(415, f"Ce fichier n'est pas un enregistrement audio : {exc}") from exc
        return ReceivedUpload(form.path, form.filename, form.size, form.fields)
    except BaseException:
        form.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
