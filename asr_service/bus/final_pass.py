"""The end-of-meeting pass: re-transcribe all received audio with accurate settings, then minutes.

:class:`FinalPassMixin` is the trigger, the end of a
:class:`~asr_service.bus.meeting.MeetingRunner`: at ``ended`` (or the idle timeout), live streams
are flushed, :func:`run_final_pass` runs in a low-priority thread on the transcriber's whole-file
model (other meetings' live decodes run on the live model and do not wait for it), the final
transcript replaces the live one in storage and is announced, then the minutes, then ``done``.

Runs through the shared :class:`asr_service.pipeline.Pipeline` (same stages as a file upload):
beam search (``Settings.beam_size``), the meeting's full vocabulary, and diarization when the
meeting came as one mixed track. With one track per participant, each track is transcribed on its
own and its segments carry that participant's name (no diarization needed). Minutes come from the
pipeline's ``summarize`` stage when the summarizer and its model are installed; otherwise the
reason is recorded and the meeting still completes.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asr_service.bus import subjects as sub
from asr_service.bus.schemas import SAMPLE_RATE, MeetingStarted
from asr_service.languages import AUTO
from asr_service.storage import AudioStore
from asr_service.storage import repository as repo
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
    if not any(len(audio_store.read(tenant, meta.meeting_id, t, 0, 1)) for t in tracks):
        # no audio at all (a meeting ended by the idle timeout before any came): nothing to run
        transcript = Transcript(
            source=f"meeting:{meta.meeting_id}",
            language=meta.language if meta.language != AUTO else "fr",
            model=pipeline.transcriber.info,
            settings={"stages": {"transcription": "no audio received"}},
        )
    elif not per_track:
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


class FinalPassMixin:
    """The end of one meeting (part of :class:`~asr_service.bus.meeting.MeetingRunner`, whose
    attributes it uses): flush the live streams, run the final pass, store and announce."""

    w: Any
    tenant: str
    mid: str
    meta: MeetingStarted
    tracks: dict[str, Any]
    ended_msg: Any
    events: Any
    lease: Any

    async def finish(self) -> None:
        w = self.w
        await self.resolve_gaps(force=True)  # type: ignore[attr-defined]
        await self.close_intake()
        await self.events.status("ending", detail="flushing live streams")
        for track in self.tracks.values():
            for task in (track.task, track.probe):
                if task is not None:
                    with contextlib.suppress(Exception):
                        await task
            # Each step advances the stream (a backlog by up to max_buffer_s): bounded by the
            # audio left, with room for steps that only drop silence or re-plan.
            left_s = (track.info.samples - track.stream.cursor) / SAMPLE_RATE
            for _ in range(1000 + 2 * int(left_s)):
                if await self.step(track, final=True) == "none":  # type: ignore[attr-defined]
                    break
        self.lease.check()
        await self.events.status(
            "finalizing",
            detail="final pass: beam search, vocabulary, speakers"
            if w.final_pass_enabled
            else "final pass disabled: the live transcript is kept",
        )
        loop = asyncio.get_running_loop()
        if w.final_pass_enabled:
            context = contextvars.copy_context()  # the pipeline's log lines name the meeting
            result = await loop.run_in_executor(
                w.final_pool,
                lambda: context.run(
                    run_final_pass,
                    w.pipeline,
                    w.audio,
                    self.tenant,
                    self.meta,
                    minutes=w.minutes_enabled,
                ),
            )
        else:  # live-only mode (benchmarks): the live transcript is the final one
            live = await w.db_call(repo.get_transcript, self.tenant, self.mid, "live")
            live.settings["pass"] = "live"
            result = FinalResult(transcript=live, minutes_detail="final pass disabled")
        await self.lease.hold()
        transcript = result.transcript

        def save(session: Any) -> None:
            live = repo.get_transcript(session, self.tenant, self.mid, "live")
            if live is not None:
                repo.save_transcript(session, self.tenant, self.mid, "live", live)
            repo.save_transcript(session, self.tenant, self.mid, "final", transcript)
            if result.minutes is not None:
                repo.save_minutes(
                    session, self.tenant, self.mid, result.minutes, result.minutes_markdown or ""
                )

        await w.db_call(save)
        limit = w.limits.max_message_bytes
        await self.events.final(transcript, max_message_bytes=limit)
        await self.events.minutes(
            result.minutes_markdown,
            available=result.minutes is not None,
            detail=result.minutes_detail,
            max_message_bytes=limit,
        )
        await self.events.published()  # on the bus before the inputs are acked
        if self.ended_msg is not None:
            await w.ack(self.ended_msg)
        with contextlib.suppress(Exception):
            await w.js.delete_consumer(sub.STREAM_IN, sub.meeting_consumer(self.tenant, self.mid))
        with contextlib.suppress(Exception):
            # The audio is on disk (kept ASR_AUDIO_RETENTION_DAYS): free ASR_IN for live meetings.
            # Before `done`: input a backend sends once it saw `done` stays for `meeting_over`.
            await w.js.purge_stream(sub.STREAM_IN, subject=self.events.subject("audio"))
        await self.events.status("done", detail=f"{len(transcript.segments)} segments")

    async def close_intake(self) -> None:
        """Record the last ``ASR_IN`` sequence the meeting could use: audio (or ``ended``) stored
        after it came after the meeting's end, and is answered with ``meeting_over``."""
        with contextlib.suppress(Exception):
            info = await self.w.js.stream_info(sub.STREAM_IN)
            closed = int(info.state.last_seq)
            await self.w.db_call(
                repo.save_meeting_state, self.tenant, self.mid, {"closed_seq": closed}
            )
