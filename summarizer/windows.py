"""Cut a long transcript into time windows that fit the LLM context (the "map" of map-reduce).

A 2 h meeting is ~25k tokens; the embedded model gets an 8k context, so each window carries about
``budget`` tokens of transcript plus the prompt and the answer. Consecutive windows overlap by a
few turns so an item spoken across a boundary is seen whole at least once; the merge step removes
the duplicates that overlap creates.
"""

from __future__ import annotations

from collections.abc import Iterator

from asr_service.transcript import Segment

# French with a Qwen/Llama-style BPE: ~3 characters per token, plus the line prefix.
CHARS_PER_TOKEN = 3.0
LINE_OVERHEAD_TOKENS = 12


def estimate_tokens(segment: Segment) -> int:
    """Rough token count of one formatted transcript line (errs on the high side)."""
    return int(len(segment.text) / CHARS_PER_TOKEN) + LINE_OVERHEAD_TOKENS


def split_windows(
    segments: list[Segment], budget: int, overlap: int = 3
) -> Iterator[list[Segment]]:
    """Yield consecutive windows of segments, each within ``budget`` tokens when possible.

    A single segment longer than the budget forms its own window. ``overlap`` segments of the
    previous window are repeated at the start of the next one (never the whole window).
    """
    if budget <= 0:
        raise ValueError("budget must be positive")
    start = 0
    n = len(segments)
    while start < n:
        used = 0
        end = start
        while end < n and (end == start or used + estimate_tokens(segments[end]) <= budget):
            used += estimate_tokens(segments[end])
            end += 1
        yield segments[start:end]
        if end >= n:
            return
        start = max(end - overlap, start + 1)
