"""Speaker diarization: who spoke when, and who said which words of a transcript.

Torch-free at run time: CAM++ speaker embeddings run on onnxruntime from an ONNX export made once
by ``asr-service models install`` (see :mod:`diarization.export`), on a numpy Kaldi fbank.

Entry points:

- :class:`Diarizer` (``Diarizer(store).diarize(audio) -> list[SpeakerTurn]``), with enrolment
  (:meth:`Diarizer.enrol`, :meth:`Diarizer.identify`);
- :func:`attribute_speakers` (turns -> speaker-attributed :class:`Transcript`);
- :func:`diarize_tracks` (one audio track per participant) and :func:`map_clusters_to_names`
  (per-participant voice-activity timings from a meeting backend).
"""

from diarization.attribution import attribute_speakers, diarize_tracks, map_clusters_to_names
from diarization.diarizer import Diarization, DiarizationOptions, Diarizer
from diarization.export import export_campplus, is_exported, locate_onnx
from diarization.turns import SpeakerTurn

__all__ = [
    "Diarization",
    "DiarizationOptions",
    "Diarizer",
    "SpeakerTurn",
    "attribute_speakers",
    "diarize_tracks",
    "export_campplus",
    "is_exported",
    "locate_onnx",
    "map_clusters_to_names",
]
