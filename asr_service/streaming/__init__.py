"""Live streaming recognition: the streaming policy and the shared decode scheduler.

- ``policy``: :class:`UtteranceStream`, the per-track state machine (VAD-driven segmentation,
  partial hypotheses, commit at utterance end or on LocalAgreement, bounded buffer).
- ``vad``: :class:`StreamingVad`, Silero VAD scored once per 32 ms window as audio arrives.
- ``scheduler``: :class:`DecodeScheduler`, the decode threads shared by every stream of a worker
  (commits before partials; a stream never has two decodes queued; the requests waiting when a
  thread frees up go in one pass).
- ``decoding``: the live decoders on the shared :class:`asr_service.asr.Transcriber`: a pass's
  requests decoded in batches (one per meeting language and vocabulary), each on a short
  encoder window.
"""

from asr_service.streaming.decoding import (
    LiveDecoding,
    batched_decoder,
    live_decoder,
    single_decoder,
)
from asr_service.streaming.policy import (
    DecodeContext,
    DecodeRequest,
    Plan,
    StepResult,
    StreamingPolicy,
    UtteranceStream,
    agreed_prefix,
)
from asr_service.streaming.scheduler import DecodeScheduler
from asr_service.streaming.vad import SileroProbabilities, StreamingVad

__all__ = [
    "DecodeContext",
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
    "batched_decoder",
    "live_decoder",
    "single_decoder",
]
