"""The on-disk audio store: appends, crash recovery, reads, mixing, purge."""

from __future__ import annotations

import numpy as np
import pytest

from asr_service.storage import AudioStore


def pcm(values: list[int]) -> bytes:
    return np.asarray(values, dtype="<i2").tobytes()


def test_append_recover_read(tmp_path) -> None:
    store = AudioStore(tmp_path, retention_days=7)
    store.append("acme", "m1", "mix", 0, pcm([1, 2, 3]), offset=0)
    store.append("acme", "m1", "mix", 1, pcm([4, 5]), offset=3)
    info = store.recover("acme", "m1", "mix")
    assert (info.next_seq, info.samples) == (2, 5)
    assert np.allclose(store.read("acme", "m1", "mix") * 32768, [1, 2, 3, 4, 5])
    assert np.allclose(store.read("acme", "m1", "mix", 1, 3) * 32768, [2, 3])
    assert store.retention_until() is not None
    assert AudioStore(tmp_path, retention_days=None).retention_until() is None


def test_crash_between_audio_and_index_is_truncated(tmp_path) -> None:
    store = AudioStore(tmp_path)
    store.append("acme", "m1", "p1", 0, pcm([1, 2]), offset=0)
    pcm_path = store.meeting_dir("acme", "m1") / "p1.pcm"
    with pcm_path.open("ab") as fh:  # audio written, index line never written
        fh.write(pcm([9, 9, 9]))
    with (store.meeting_dir("acme", "m1") / "p1.idx").open("a") as fh:
        fh.write('{"seq": 1, "off')  # torn line
    info = store.recover("acme", "m1", "p1")
    assert (info.next_seq, info.samples) == (1, 2)
    store.append("acme", "m1", "p1", 1, pcm([3]), offset=info.samples)
    assert np.allclose(store.read("acme", "m1", "p1") * 32768, [1, 2, 3])


def test_mix_tracks_and_purge(tmp_path) -> None:
    store = AudioStore(tmp_path)
    store.append("acme", "m1", "p1", 0, pcm([100, 100, 100]), offset=0)
    store.append("acme", "m1", "p2", 0, pcm([1]), offset=0)
    assert store.tracks("acme", "m1") == ["p1", "p2"]
    assert np.allclose(store.read_mix("acme", "m1") * 32768, [101, 100, 100])
    assert store.purge("acme", "m1") and not store.purge("acme", "m1")
    assert store.tracks("acme", "m1") == []


@pytest.mark.parametrize("bad", ["../etc", "a/b", "", ".hidden", "x" * 200])
def test_unsafe_names_are_rejected(tmp_path, bad: str) -> None:
    with pytest.raises(ValueError, match="invalid"):
        AudioStore(tmp_path).meeting_dir("acme", bad)
