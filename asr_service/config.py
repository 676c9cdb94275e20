"""The service's settings: one object, read from ``ASR_*`` environment variables (or a ``.env``).

Every option an operator may change lives here, documented, with a safe default for a laptop
(embedded Whisper base on CPU, data under ``~/.local/share/asr-service``). See docs/configuration.md.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from asr_service.cpus import usable_cpus

DEFAULT_HALLUCINATIONS = [
    # Subtitle credits and outros Whisper learned from YouTube-style training data (FR + EN).
    "sous-titrage st' 501",
    "sous-titrage st 501",
    "sous-titrage société radio-canada",
    "sous-titres réalisés par la communauté d'amara.org",
    "sous-titres réalisés para la communauté d'amara.org",
    "sous-titres fait par sous-titres par amara.org",
    "sous-titrage fr",
    "merci d'avoir regardé cette vidéo",
    "merci d'avoir regardé",
    "merci de votre attention et à bientôt",
    "n'oubliez pas de vous abonner",
    "abonnez-vous",
    "abonnez-vous à la chaîne",
    "like et abonne-toi",
    "thanks for watching",
    "thank you for watching",
    "subtitles by the amara.org community",
    "❤️ par soustitreur.com",
]


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "asr-service"


class Settings(BaseSettings):
    """All run-time options. Environment: ``ASR_<FIELD>`` (e.g. ``ASR_MODEL=/models/large-v3-turbo``)."""

    model_config = SettingsConfigDict(
        env_prefix="ASR_", env_file=".env", env_nested_delimiter="__", extra="ignore"
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO",
        description="log level of the long-running commands (worker, serve, api; -v: DEBUG); "
        "DEBUG logs each live decode pass (requests, audio, duration, time queued)",
    )

    # -- storage ---------------------------------------------------------------------------------
    data_dir: Path = Field(
        default_factory=_default_data_dir, description="database, received audio, job files"
    )
    models_dir: Path | None = Field(
        default=None, description="cache of assembled models (default ~/.cache/asr-service/models)"
    )
    model_paths: dict[str, Path] = Field(
        default_factory=dict,
        description="operator folders for catalogue models, e.g. ASR_MODEL_PATHS__whisper-base=/m",
    )

    # -- speech recognition ----------------------------------------------------------------------
    model: str = Field(
        default="whisper-base",
        description="catalogue name or path of any CTranslate2 Whisper folder (large-v3-turbo...)",
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        default="auto", description="auto: CUDA when a GPU is visible, else CPU"
    )
    compute_type: str = Field(
        default="auto", description="auto: float16 on CUDA, int8 on CPU; or any CTranslate2 type"
    )
    cpu_threads: int = Field(
        default=0,
        description="CPU threads per decode; 0: the cores this process may use, bounded by its "
        "container's CPU quota (Kubernetes limits.cpu; CTranslate2's own default of 4 "
        "oversubscribes small machines and hurts latency)",
    )
    model_workers: int = Field(
        default=2,
        ge=1,
        le=8,
        description="replicas of the live-decode model (CTranslate2 inter_threads), one decode "
        "thread each; workers only, beside the model of whole-file passes, so end-of-meeting "
        "passes never stall live decodes. On 2 cores 2 keeps both busy (one pass's "
        "single-threaded steps overlap the other's); each replica costs the model's memory",
    )
    live_cpu_threads: int = Field(
        default=0,
        ge=0,
        description="CPU threads of each live-decode replica; 0: `cpu_threads`, as the file model. "
        "Measured on 2 cores with 2 replicas, 1 thread each (no more threads than cores) used "
        "5-10 % less worker CPU for the same meetings and held as many (10), but a meeting alone "
        "waited longer (p95 1.67 s instead of 1.34 s: a lone decode then runs on one core)",
    )
    language: str = Field(default="fr", description="ISO code, or 'auto' to detect")
    detect_among: list[str] = Field(
        default_factory=lambda: ["fr", "en", "de", "es", "it", "nl", "pt", "ar", "br", "ca", "eu"],
        description="with language=auto, the languages detection may choose from (empty: any)",
    )
    beam_size: int = Field(default=5, ge=1, description="beam for files and final passes")
    live_beam_size: int = Field(default=1, ge=1, description="beam for live partial/commit passes")
    live_encoder_window_s: float = Field(
        default=15.0,
        ge=0,
        le=30,
        description="longest short Whisper encoder window of live decodes: each is encoded on its "
        "audio + 5 s (rounded up to whole seconds) when that fits, on 30 s otherwise; 0 or 30 = "
        "always 30 s. 0.46x the decode time at +1.8 % relative WER on French utterances "
        "(benchmarks/bench_live_window.py)",
    )
    meeting_minutes: bool = Field(
        default=True,
        description="bus workers write minutes after each meeting's final pass (when the "
        "summarizer and its model are installed); `--no-minutes` overrides",
    )
    live_vocabulary: bool = Field(
        default=False,
        description="also prime live decodes with the meeting's vocabulary (the service's "
        "`vocabulary` for a meeting without one); off, live decodes get no prompt (the final pass "
        "always uses the vocabulary). Off by default: meetings with distinct "
        "vocabularies then decode live in separate batches (CTranslate2 batches only prompts of "
        "one shape), and Whisper base primed with terms unrelated to what is said errs more "
        "(measured on 2 cores, one vocabulary per meeting: 6 meetings held instead of 10, live "
        "WER 0.40-0.46 instead of 0.39; benchmarks/bench_streaming.py --vocabulary)",
    )
    vocabulary: list[str] = Field(
        default_factory=list, description="names and terms to favour (hotwords)"
    )
    initial_prompt: str | None = Field(
        default=None, description="text that sets style/context for the first window"
    )
    word_timestamps: bool = Field(default=True, description="per-word times and probabilities")
    temperatures: list[float] = Field(
        default_factory=lambda: [0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
        description="decoding temperatures; the next is tried when a window fails the checks",
    )
    sampling_seed: int = Field(
        default=1234,
        ge=0,
        description="seed of the sampling at temperatures above 0, set once per process: a "
        "process given the same files in the same order writes the same transcripts",
    )
    condition_on_previous_text: bool = Field(
        default=False, description="off: avoids repetition loops propagating between windows"
    )

    # -- voice activity detection (Silero, bundled) ----------------------------------------------
    vad: bool = Field(default=True, description="cut non-speech with Silero VAD before Whisper")
    vad_threshold: float = Field(default=0.5, description="speech probability threshold")
    vad_min_silence_ms: int = Field(default=500, description="silence that splits speech")
    vad_speech_pad_ms: int = Field(default=300, description="padding kept around speech")

    # -- hallucination guards --------------------------------------------------------------------
    hallucination_phrases: list[str] = Field(
        default_factory=lambda: list(DEFAULT_HALLUCINATIONS),
        description="segments made only of these phrases are dropped (subtitle credits...)",
    )
    no_speech_threshold: float = Field(
        default=0.6, description="drop segments above this no-speech probability..."
    )
    logprob_threshold: float = Field(
        default=-1.0, description="...when their average log-probability is also below this"
    )
    compression_ratio_threshold: float = Field(
        default=2.4, description="above it Whisper retries hotter: the text is likely a loop"
    )
    max_repeats: int = Field(
        default=3,
        description="an n-gram repeated more than this in a row is a loop: collapsed to one copy "
        "(a phrase of 3 words or more: from its third copy)",
    )

    # -- HTTP API and clerk pages (asr_service.api) ----------------------------------------------
    api_host: str = Field(default="127.0.0.1", description="address `asr-service api` listens on")
    api_port: int = Field(default=8000, ge=1, le=65535, description="port of `asr-service api`")
    upload_max_mb: int = Field(
        default=2048, ge=1, description="largest accepted recording upload, in MiB"
    )
    api_job_workers: int = Field(
        default=1, ge=0, description="batch jobs run at once by the API process (0: none)"
    )
    meeting_retention_days: float | None = Field(
        default=None,
        description="delete meetings (records, audio, files) older than this; None keeps them",
    )
    tenant_retention_days: dict[str, float] = Field(
        default_factory=dict,
        description="per-tenant override, e.g. ASR_TENANT_RETENTION_DAYS__mairie-lyon=90",
    )
    retention_interval_s: float = Field(
        default=3600.0, gt=0, description="how often the retention job runs in the API process"
    )
    cookie_secure: bool = Field(
        default=False, description="mark the clerk-page session cookie Secure (behind HTTPS)"
    )

    # -- storage backends and the NATS bus (asr_service.storage, asr_service.bus) ----------------
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql://user@db/asr; None: SQLite <data_dir>/asr.db",
    )
    audio_retention_days: float | None = Field(
        default=30.0, description="keep received meeting audio this long; None or 0 keeps it"
    )
    nats_url: str | None = Field(
        default=None,
        description="NATS server(s), comma-separated; None: `serve` starts an embedded nats-server",
    )
    nats_creds: Path | None = Field(default=None, description="NATS .creds file (JWT + nkey)")
    nats_nkey_seed: Path | None = Field(default=None, description="NATS nkey seed file")
    nats_user: str | None = Field(default=None, description="NATS user (user/password auth)")
    nats_password: str | None = Field(default=None, description="NATS password")
    nats_token: str | None = Field(default=None, description="NATS token auth")
    nats_tls_ca: Path | None = Field(default=None, description="CA bundle to verify the server")
    nats_tls_cert: Path | None = Field(default=None, description="client certificate (mTLS)")
    nats_tls_key: Path | None = Field(default=None, description="client key (mTLS)")
    bus_max_message_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="largest message accepted (larger: oversized_message error event); ASR_OUT's "
        "per-message bound; ASR_IN stores up to 4x this so workers can answer oversized ones",
    )
    bus_max_chunk_s: float = Field(
        default=5.0, gt=0, description="longest audio chunk accepted (longer: error event)"
    )
    bus_in_max_age_h: float = Field(default=48.0, gt=0, description="retention of ASR_IN")
    bus_in_max_bytes: int = Field(
        default=20 * 1024**3,
        description="size bound of ASR_IN (JetStream reserves it on its store at stream "
        "creation); unset, `serve`'s embedded server takes at most 50 % of its free disk",
    )
    bus_out_max_age_h: float = Field(default=168.0, gt=0, description="retention of ASR_OUT")
    bus_out_max_bytes: int = Field(
        default=2 * 1024**3,
        description="size bound of ASR_OUT (reserved likewise); unset, `serve`'s embedded "
        "server takes at most 5 % of its free disk",
    )
    lease_ttl_s: float = Field(
        default=15.0, gt=0, description="a dead worker's meetings move to another after this"
    )
    worker_max_meetings: int = Field(
        default=8, ge=1, description="live meetings one worker takes at once"
    )
    stream_partial_interval_s: float = Field(
        default=1.0, gt=0, description="new audio between two partial hypotheses of a stream"
    )
    stream_partial_max_gap_s: float = Field(
        default=3.0,
        ge=0,
        description="under load partials are shed to keep commits fast, but a speaking stream "
        "still gets one when it has shown nothing (partial or commit) for this long (0: shed "
        "freely)",
    )
    stream_end_silence_s: float = Field(
        default=0.5, gt=0, description="pause that ends an utterance (commit)"
    )
    stream_phrase_pause_s: float = Field(
        default=0.25,
        gt=0,
        description="shorter pause that commits a phrase once ASR_STREAM_PHRASE_AFTER_S of "
        "speech is uncommitted (long turns are committed phrase by phrase)",
    )
    stream_phrase_after_s: float = Field(
        default=3.0, gt=0, description="uncommitted speech from which a phrase pause commits"
    )
    stream_max_buffer_s: float = Field(
        default=8.0,
        gt=2,
        le=25,
        description="longest uncommitted audio before a forced commit (also the longest live "
        "decode: keep it ≤ ASR_LIVE_ENCODER_WINDOW_S - 5 for short encoder windows)",
    )

    @cached_property
    def resolved_data_dir(self) -> Path:
        """The data folder, created on first use."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    @property
    def resolved_cpu_threads(self) -> int:
        """Threads for CPU decoding: the configured number, else the usable cores (affinity and
        container CPU quota: :func:`asr_service.cpus.usable_cpus`)."""
        if self.cpu_threads > 0:
            return self.cpu_threads
        return usable_cpus()

    @property
    def resolved_live_cpu_threads(self) -> int:
        """Threads of each live-decode replica: the configured number, else ``cpu_threads``."""
        return self.live_cpu_threads or self.resolved_cpu_threads

    @property
    def detect_language(self) -> bool:
        return self.language.lower() in {"auto", "detect", ""}


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (CLI flags) on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)


def settings_reference() -> str:
    """Markdown table of every setting: environment variable, default, meaning (docs/configuration.md)."""
    lines = [
        "# Configuration",
        "",
        "Every option is an environment variable `ASR_<NAME>` (or a line of a `.env` file in the",
        'working folder). Lists and maps take JSON (`ASR_VOCABULARY=\'["Mme Martin", "ZAC"]\'`);',
        "maps also take nested variables (`ASR_MODEL_PATHS__whisper-base=/srv/models/base`).",
        "This file is generated by `asr-service config --markdown` and checked by the tests.",
        "",
        "| variable | default | meaning |",
        "| --- | --- | --- |",
    ]
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = field.default_factory()  # type: ignore[call-arg]
            if name == "data_dir":
                default = "~/.local/share/asr-service"
        else:
            default = field.default
        if isinstance(default, list) and len(default) > 4:
            shown = f"{len(default)} entries (see `asr_service/config.py`)"
        else:
            shown = f"`{default}`" if default not in (None, "", [], {}) else "—"
        meaning = (field.description or "").replace("|", "\\|")
        lines.append(f"| `ASR_{name.upper()}` | {shown} | {meaning} |")
    return "\n".join(lines) + "\n"
