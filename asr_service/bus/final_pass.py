"""The end-of-meeting pass: re-transcribe all received audio with accurate settings, then minutes.

Runs through the shared :class:`asr_service.pipeline.Pipeline` (same stages as a file upload):
beam search (``Settings.beam_size``), the meeting's full vocabulary, and diarization when the
meeting came as one mixed track. With one track per participant, each track is transcribed on its
own and its segments carry that participant's name (no diarization needed). Minutes come from the
pipeline's ``summarize`` stage when the summarizer and its model are installed; otherwise the
reason is recorded and the meeting still completes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asr_service.bus.schemas import MeetingStarted
from asr_service.storage import AudioStore
from asr_service.transcript import DroppedSpan, Speaker, Transcript

if TYPE_CHECKING:
    from asr_service.pipeline import PipelineOptions

log = logging.getLogger(__name__)


MAX_NAME_HOTWORDS = 20
"""Participant names added to the final pass's vocabulary (Whisper's prompt is short)."""


@dataclass
class FinalResult:
    transcript: Transcript
    minutes: dict[str, Any] | None = None
    minutes_markdown: str | None = None
    minutes_detail: str = ""


def final_options(meta: MeetingStarted, *, per_track: bool) -> PipelineOptions:
    """The pipeline options of a meeting's final pass. The participant list bounds the number of
    speakers diarization may find without fixing it: in a large meeting many participants only
    listen, and a fixed count would split real speakers to fill their places."""
    from asr_service.pipeline import PipelineOptions

    vocabulary = list(meta.vocabulary)
    names = [p.name for p in meta.participants if p.name and p.name not in vocabulary]
    return PipelineOptions(
        language=meta.language,
        # participants' names are the words a meeting model most often misspells
        vocabulary=vocabulary + list(dict.fromkeys(names))[:MAX_NAME_HOTWORDS],
        diarize=not per_track,
        participants=[p.name or p.id for p in meta.participants],
        max_speakers=len(meta.participants) or None,
        minutes=False,
        title=meta.title or None,
        meeting_id=meta.meeting_id,
    )


def run_final_pass(
    pipeline: Any,
    audio_store: AudioStore,
    tenant: str,
    meta: MeetingStarted,
    *,
    minutes: bool = True,
) -> FinalResult:
    """Final transcript (and minutes) of a meeting from the audio kept on disk."""
    from asr_service.pipeline import StageUnavailable

    tracks = audio_store.tracks(tenant, meta.meeting_id)
    per_track = bool(meta.per_track or (tracks and tracks != ["mix"]))
    options = final_options(meta, per_track=per_track)
    if not per_track:
        audio = audio_store.read_mix(tenant, meta.meeting_id)
        transcript = pipeline.run(audio, options, source=f"meeting:{meta.meeting_id}").transcript
    else:
        segments = []
        dropped: list[DroppedSpan] = []
        duration = 0.0
        language = meta.language
        for track in tracks:
            audio = audio_store.read(tenant, meta.meeting_id, track)
            duration = max(duration, len(audio) / 16000)
            speaker = meta.speaker_for(track)
            part = pipeline.transcribe(audio, options)
            dropped += part.dropped  # what VAD and guards removed, per track
            if language == "auto" and part.segments:  # detected on the first track that spoke
                language = part.language
            for seg in part.segments:
                segments.append(
                    seg.model_copy(
                        update={
                            "speaker": speaker,
                            "words": [w.model_copy(update={"speaker": speaker}) for w in seg.words],
                        }
                    )
                )
        segments.sort(key=lambda s: (s.start, s.end))
        segments = [s.model_copy(update={"id": i}) for i, s in enumerate(segments)]
        transcript = Transcript(
            source=f"meeting:{meta.meeting_id}",
            language=language,
            duration=duration,
            segments=segments,
            dropped=sorted(dropped, key=lambda d: (d.start, d.end)),
            model=pipeline.transcriber.info,
            settings={"stages": {"diarization": "per-track speakers"}},
        )
    transcript.meeting_id = meta.meeting_id
    transcript.settings["pass"] = "final"
    names = {p.name or p.id for p in meta.participants}
    seen = {s.speaker for s in transcript.segments if s.speaker}
    transcript.speakers = [Speaker(id=s, name=s if s in names else None) for s in sorted(seen)]
    result = FinalResult(transcript=transcript)
    if not minutes:
        result.minutes_detail = "minutes disabled (ASR_MEETING_MINUTES=false or --no-minutes)"
        return result
    if not transcript.segments:
        result.minutes_detail = "no speech: no minutes"
        return result
    try:
        data, markdown = pipeline.summarize(transcript, options)
        result.minutes = data.model_dump(mode="json") if hasattr(data, "model_dump") else data
        result.minutes_markdown = markdown
        result.minutes_detail = "done"
    except StageUnavailable as exc:
        result.minutes_detail = f"minutes unavailable: {exc}"
    except Exception as exc:  # noqa: BLE001 - minutes must never lose the transcript
        log.exception("minutes failed")
        result.minutes_detail = f"minutes failed: {exc}"
    return result
