"""The sizing report's quality line says which way our WER differs from plain faster-whisper."""

from __future__ import annotations

from benchmarks.sizing.report import wer_change


def test_more_errors_than_plain_read_as_worse_with_a_plus_sign():
    # the figures of issue 17: ours 23.0 % vs plain 20.4 % was printed "-13 % relative"
    assert wer_change({"base_wer": 0.204, "our_wer": 0.230}) == "+13% relative WER, worse"


def test_fewer_errors_than_plain_read_as_better_with_a_minus_sign():
    assert wer_change({"base_wer": 0.501, "our_wer": 0.406}) == "-19% relative WER, better"


def test_equal_and_zero_baselines():
    assert wer_change({"base_wer": 0.2, "our_wer": 0.2}) == "+0% relative WER, same"
    assert wer_change({"base_wer": 0.0, "our_wer": 0.0}) == "both without errors"
    assert wer_change({"base_wer": 0.0, "our_wer": 0.1}) == "plain has no errors"
