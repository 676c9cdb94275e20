"""Bringing a larger Whisper by path: a Hugging Face checkpoint converted with CTranslate2's
converter (``ct2-transformers-converter``, the command docs/deploy.md gives operators) is loaded and
run by the service through ``ASR_MODEL=<folder>``.

The checkpoint is a tiny, randomly initialised Whisper built here with ``transformers`` (an
install-time extra: ``pip install transformers``; skipped without it), with the real multilingual
tokenizer and special-token tables of the embedded Whisper base, so the converted folder has the
layout of a real conversion. Its words are noise; what is tested is the path: convert, load, run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from asr_service.asr import REQUIRED_FILES, Transcriber
from asr_service.config import Settings
from models.store import ModelStore

transformers = pytest.importorskip(
    "transformers", reason="install-time extra: pip install transformers"
)
torch = pytest.importorskip("torch", reason="install-time extra (diarization-export): torch")

SAMPLE_RATE = 16_000


def build_tiny_whisper(folder: Path, base: Path) -> None:
    """Save a random 2-layer Whisper (d_model 64) + the multilingual tokenizer, as a HF checkpoint."""
    ct2_config = json.loads((base / "config.json").read_text())
    tokenizer = transformers.WhisperTokenizerFast(tokenizer_file=str(base / "tokenizer.json"))
    start, eot = tokenizer.convert_tokens_to_ids(["<|startoftranscript|>", "<|endoftext|>"])
    config = transformers.WhisperConfig(
        vocab_size=51865,
        num_mel_bins=80,
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        decoder_start_token_id=start,
        bos_token_id=eot,
        eos_token_id=eot,
        pad_token_id=eot,
    )
    torch.manual_seed(0)
    model = transformers.WhisperForConditionalGeneration(config)
    model.generation_config = transformers.GenerationConfig(
        decoder_start_token_id=start,
        eos_token_id=eot,
        pad_token_id=eot,
        suppress_tokens=ct2_config["suppress_ids"],
        begin_suppress_tokens=ct2_config["suppress_ids_begin"],
        lang_to_id={tokenizer.convert_ids_to_tokens(i): i for i in ct2_config["lang_ids"]},
    )
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def test_a_converted_hugging_face_whisper_is_loaded_and_run_by_path(tmp_path: Path) -> None:
    settings = Settings()
    base = ModelStore(settings.models_dir, settings.model_paths).ensure("whisper-base")
    checkpoint, converted = tmp_path / "hf-tiny-whisper", tmp_path / "ct2-tiny-whisper"
    build_tiny_whisper(checkpoint, base)

    converter = shutil.which("ct2-transformers-converter", path=str(Path(sys.executable).parent))
    assert converter, "ctranslate2's converter is installed with the service"
    result = subprocess.run(
        [
            converter,
            "--model", str(checkpoint),
            "--output_dir", str(converted),
            "--copy_files", "tokenizer.json",
            "--quantization", "int8",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert all((converted / name).is_file() for name in REQUIRED_FILES)

    model_settings = Settings(model=str(converted), device="cpu", compute_type="int8", vad=False)
    transcriber = Transcriber(model_settings)
    assert transcriber.info["path"] == str(converted)
    rng = np.random.default_rng(0)
    audio = (0.05 * rng.standard_normal(3 * SAMPLE_RATE)).astype(np.float32)
    transcript = transcriber.transcribe(audio, language="fr", beam_size=1, word_timestamps=False)
    assert transcript.duration == pytest.approx(3.0, abs=0.01)
    # random weights: any text (and timestamps: the model is untrained), but real segments
    assert transcript.segments, "the converted model decoded nothing"
    for segment in transcript.segments:
        assert isinstance(segment.text, str) and 0.0 <= segment.start <= segment.end
        # an untrained model's timestamp tokens point anywhere in its 30 s window (10.24 s was
        # seen): the service keeps every time within the audio
        assert segment.end <= transcript.duration


def test_a_folder_that_is_no_conversion_is_refused_naming_the_fix(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(Exception, match="ct2-transformers-converter"):
        Transcriber(Settings(model=str(tmp_path), device="cpu"))
