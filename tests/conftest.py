"""Session-wide fixtures: real models are loaded once per test session and shared.

The model cache is the user's (``ASR_MODELS_DIR`` or ~/.cache/asr-service/models), filled by
``make setup`` / ``asr-service models install``; per-test data goes to temporary folders.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from asr_service.asr import Transcriber
from asr_service.audio import decode_audio
from asr_service.config import Settings
from models import ModelStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_MEETING = ROOT / "asr_service" / "data" / "sample_meeting_fr.ogg"
# Words the shipped espeak-ng meeting says that Whisper base recognises reliably.
SAMPLE_KEYWORDS = ("réunion", "comité", "pilotage", "budget", "séance")
SAMPLE_MAX_CER = 0.35
"""Bound on the character error rate (CER) of a transcript of the whole sample against its script.

Measured on the sample (espeak-ng fr+m2 / fr+f3, tests/data/generate_samples.py), Whisper base:
offline 0.207 (default settings; the same with language detection or with temperature 0 only:
no fallback to sampling, so runs agree), 0.173 with a vocabulary, 0.215 for the bus worker's
final pass, 0.26 for the live pass's committed text; 0.20-0.26 for other Opus encodings of the
same voices. Half the recording missing or another recording scores far above it."""
SENTENCE_MAX_CER = 0.6
"""The same bound for one sentence of the sample decoded alone (live decoding, without the context
of the sentences before): 0.03-0.47 measured; the script of another sentence of the sample scores
0.68-0.99 against the sentences the tests decode."""


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate after the same normalisation (tolerant of word-splitting changes)."""
    import jiwer

    from asr_service.hallucinations import normalise

    ref, hyp = normalise(reference), normalise(hypothesis)
    return jiwer.cer(ref, hyp) if ref else float(bool(hyp))


def sample_script() -> str:
    """What the shipped sample says: the text espeak-ng spoke (tests/data/generate_samples.py)."""
    from tests.data.generate_samples import MEETING

    return " ".join(text for _, text in MEETING)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("asr-data")


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    """Default settings (embedded Whisper base, CPU int8) with a throw-away data folder."""
    return Settings(data_dir=data_dir)


@pytest.fixture(scope="session")
def model_store(settings: Settings) -> ModelStore:
    return ModelStore(settings.models_dir, settings.model_paths)


@pytest.fixture(scope="session")
def transcriber(settings: Settings, model_store: ModelStore) -> Transcriber:
    """The real Whisper base model, loaded once for the whole session."""
    return Transcriber(settings, model_store)


@pytest.fixture(scope="session")
def french_speech_path() -> Path:
    """A 36 s synthetic French meeting (two espeak-ng voices) shipped with the package."""
    return SAMPLE_MEETING


@pytest.fixture(scope="session")
def french_speech(french_speech_path: Path) -> np.ndarray:
    return decode_audio(french_speech_path)


@pytest.fixture(scope="session")
def sample_transcript(transcriber: Transcriber, french_speech: np.ndarray):
    """The sample meeting transcribed once with default settings (reused by several tests)."""
    return transcriber.transcribe(french_speech)
