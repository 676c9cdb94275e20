"""The settings of a meeting's final pass, from what its ``started`` message announced."""

from __future__ import annotations

from asr_service.bus.final_pass import MAX_NAME_HOTWORDS, final_options
from asr_service.bus.schemas import MeetingStarted, Participant


def test_participant_names_join_the_vocabulary_once_and_bounded() -> None:
    meta = MeetingStarted(
        meeting_id="m-4",
        vocabulary=["Mme Martin"],
        participants=[Participant(id="a", name="Mme Martin"), Participant(id="b")]
        + [Participant(id=f"x{i}", name=f"Nom {i}") for i in range(30)],
    )
    vocabulary = final_options(meta, per_track=True).vocabulary
    assert vocabulary[:2] == ["Mme Martin", "Nom 0"]
    assert len(vocabulary) == 1 + MAX_NAME_HOTWORDS and "b" not in vocabulary


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
    assert options.vocabulary == ["Cerfa"] + [f"Agent {i}" for i in range(6)]
    assert options.language == "fr"
    assert options.participants == [f"Agent {i}" for i in range(6)]


def test_unknown_participants_leave_the_count_to_diarization_and_tracks_skip_it() -> None:
    options = final_options(MeetingStarted(meeting_id="m-2"), per_track=False)
    assert options.max_speakers is None and options.num_speakers is None
    assert not final_options(MeetingStarted(meeting_id="m-3"), per_track=True).diarize
