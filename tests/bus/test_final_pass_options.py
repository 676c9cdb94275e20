"""The settings of a meeting's final pass, from what its ``started`` message announced."""

from __future__ import annotations

from asr_service.bus.final_pass import final_options
from asr_service.bus.schemas import MeetingStarted, Participant


def test_participants_bound_the_speaker_count_without_fixing_it() -> None:
    meta = MeetingStarted(
        meeting_id="m-1",
        language="fr",
        vocabulary=["Cerfa"],
        participants=[Participant(id=f"p{i}", name=f"Agent {i}") for i in range(6)],
    )
    options = final_options(meta, per_track=False)
    assert options.diarize and options.max_speakers == 6
    assert options.num_speakers is None  # listeners must not force extra speakers
    assert options.vocabulary == ["Cerfa"] and options.language == "fr"
    assert options.participants == [f"Agent {i}" for i in range(6)]


def test_unknown_participants_leave_the_count_to_diarization_and_tracks_skip_it() -> None:
    options = final_options(MeetingStarted(meeting_id="m-2"), per_track=False)
    assert options.max_speakers is None and options.num_speakers is None
    assert not final_options(MeetingStarted(meeting_id="m-3"), per_track=True).diarize
