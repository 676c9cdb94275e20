"""Live streaming recognition: the streaming policy and the shared decode scheduler.

- ``policy``: :class:`UtteranceStream`, the per-track state machine (VAD-driven segmentation,
  partial hypotheses, commit at utterance end or on LocalAgreement, bounded buffer).
- ``vad``: :class:`StreamingVad`, Silero VAD scored once per 32 ms window as audio arrives.
- ``scheduler``: :class:`DecodeScheduler`, one decode thread shared by every stream of a worker
  (commits before partials; a stream never has two decodes queued; queued requests of several
  streams packed into one Whisper window), and the decoders built on the shared
  :class:`asr_service.asr.Transcriber`.
"""

from asr_service.streaming.policy import (
    DecodeRequest,
    Plan,
    StepResult,
    StreamingPolicy,
    UtteranceStream,
    agreed_prefix,
)
from asr_service.streaming.scheduler import (
    DecodeScheduler,
    LiveDecoding,
    pack_limit_s,
    packed_decoder,
    transcriber_decoder,
    transcriber_vad,
)
from asr_service.streaming.vad import SileroProbabilities, StreamingVad

__all__ = [
    "DecodeRequest",
    "DecodeScheduler",
    "LiveDecoding",
    "SileroProbabilities",
    "StreamingVad",
    "Plan",
    "StepResult",
    "StreamingPolicy",
    "UtteranceStream",
    "agreed_prefix",
    "pack_limit_s",
    "packed_decoder",
    "transcriber_decoder",
    "transcriber_vad",
]
