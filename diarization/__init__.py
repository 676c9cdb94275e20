"""Speaker diarization: who spoke when, and who said which words of a transcript.

Torch-free at run time: CAM++ speaker embeddings and pyannote segmentation-3.0 (overlapped
speech) run on onnxruntime from ONNX exports made once by ``asr-service models install`` (see
:mod:`diarization.export`), on kaldi-native-fbank features.

Entry points:

- :class:`Diarizer` (``Diarizer(store).diarize(audio) -> list[SpeakerTurn]``), with enrolment
  (:meth:`Diarizer.enrol`, :meth:`Diarizer.identify`);
- :func:`attribute_speakers` (turns -> speaker-attributed :class:`Transcript`);
- :func:`diarize_tracks` (one audio track per participant) and :func:`map_clusters_to_names`
  (per-participant voice-activity timings from a meeting backend).
"""

from diarization.attribution import attribute_speakers, diarize_tracks, map_clusters_to_names
from diarization.diarizer import Diarization, DiarizationOptions, Diarizer
from diarization.export import (
    export_campplus,
    export_segmentation,
    is_exported,
    locate_onnx,
    locate_segmentation_onnx,
)
from diarization.segmentation import SegmentationOptions
from diarization.turns import SpeakerTurn

__all__ = [
    "Diarization",
    "DiarizationOptions",
    "Diarizer",
    "SegmentationOptions",
    "SpeakerTurn",
    "attribute_speakers",
    "diarize_tracks",
    "export_campplus",
    "export_segmentation",
    "is_exported",
    "locate_onnx",
    "locate_segmentation_onnx",
    "map_clusters_to_names",
]
