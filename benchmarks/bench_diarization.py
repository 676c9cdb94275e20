"""DER, speaker-count error and real-time factor of our diarizer vs the pyannote.audio pipeline.

Files: every multi-speaker clip of the shared evaluation set that has an RTTM (French mixes and
dialogues, English ``en_fallback``). Scoring: pyannote.metrics DER inside the UEM, overlap
scored, with a 0.25 s collar and without collar; the overall figure is time-weighted (sum of
errors over sum of reference speech).

Ours: :class:`diarization.Diarizer` (CAM++ ONNX on onnxruntime, own VAD), in this process.

Comparison (optional): pyannote.audio 4's ``SpeakerDiarization`` pipeline with the *same local
weights* (segmentation-3.0 from our model cache, CAM++ as its embedding, agglomerative
clustering since the VBx/PLDA weights are not available offline). It needs torch + torchaudio +
pyannote.audio, which do not fit the service's environment (see benchmarks/README.md), so it
runs in a separate interpreter given by ``--pyannote-python``; this script starts itself there
with ``--pyannote-worker`` and reads the turns back as JSON.

Ours runs with each ``--methods`` (``windows+segmentation``, the default: 1 s windows for who,
segmentation-3.0 for speech and overlap; ``windows+overlap``: the former default, segmentation-3.0
for overlap only; ``windows``; ``segmentation``: the pyannote 3.x recipe on ONNX). ``--variants``
adds the harder versions of :mod:`benchmarks.variants` (written to a temporary folder for the
pyannote worker); ``--split`` picks the tuning or held-out files of ``bench_asr.TUNE``.

    python -m benchmarks.bench_diarization [--pyannote-python /tmp/pa/bin/python] [--json F]
    python -m benchmarks.bench_diarization --split heldout --variants clean,levels,babble,phone
    python -m benchmarks.bench_diarization --long 30 --methods windows+segmentation  # chunked
    python -m benchmarks.bench_diarization --methods windows+segmentation:eigengap,windows+segmentation:silhouette
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from diarization import DiarizationOptions

ROOT = Path(__file__).resolve().parent.parent
# pyannote pipeline hyper-parameters for CAM++ embeddings (cosine distance threshold tuned on
# this set, like ours: centroid linkage, as in pyannote's own 3.x recipe)
PYANNOTE_PARAMS = {
    "segmentation": {"min_duration_off": 0.0},
    "clustering": {"method": "centroid", "min_cluster_size": 12, "threshold": 0.6},
}


# -- the pyannote.audio worker (runs in the comparison interpreter) -----------------------------
def pyannote_worker(paths: list[str], segmentation: str, campplus: str) -> None:
    """Diarize ``paths`` with pyannote.audio + CAM++; one JSON line per file on stdout."""
    import importlib.util

    import numpy as np
    import torch
    import torchaudio.compliance.kaldi as kaldi
    from pyannote.audio import Model
    from pyannote.audio.pipelines import speaker_diarization as sd

    torch.set_num_threads(os.cpu_count() or 1)
    # CAM++ from the project's own port, loaded by file path (the package imports service deps)
    spec = importlib.util.spec_from_file_location("campplus", ROOT / "diarization" / "campplus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cam = module.load_campplus(campplus)

    class CamPlusEmbedding:
        """pyannote's embedding interface around CAM++ (fbank + mean norm, masked frames)."""

        sample_rate, dimension, metric, min_num_samples = 16_000, 192, "cosine", 640

        def to(self, device):
            return self

        def __call__(self, waveforms, masks=None):
            out = np.full((len(waveforms), 192), np.nan, dtype=np.float32)
            for i, wav in enumerate(waveforms):
                signal = wav[0]
                if masks is not None:
                    keep = torch.nn.functional.interpolate(
                        masks[i][None, None].float(), size=signal.shape[0], mode="nearest"
                    )[0, 0]
                    signal = signal[keep > 0.5]
                if signal.shape[0] < self.min_num_samples:
                    continue
                feats = kaldi.fbank(signal[None] * 1.0, num_mel_bins=80, dither=0.0)
                feats = feats - feats.mean(0, keepdim=True)
                with torch.no_grad():
                    out[i] = cam(feats[None]).numpy()[0]
            return out

    sd.PretrainedSpeakerEmbedding = lambda *a, **k: CamPlusEmbedding()
    sd.get_plda = lambda *a, **k: None  # no PLDA offline: agglomerative clustering needs none
    pipeline = sd.SpeakerDiarization(
        segmentation=Model.from_pretrained(segmentation),
        embedding="local/campplus",
        clustering="AgglomerativeClustering",
        plda=None,
        embedding_exclude_overlap=True,
        embedding_batch_size=16,
        segmentation_batch_size=16,
    )
    pipeline.instantiate(PYANNOTE_PARAMS)
    for path in paths:
        import wave

        with wave.open(path) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        audio = torch.from_numpy(pcm.astype(np.float32) / 32768.0)[None]
        t0 = time.perf_counter()
        output = pipeline({"waveform": audio, "sample_rate": 16_000})
        elapsed = time.perf_counter() - t0
        annotation = getattr(output, "speaker_diarization", output)
        turns = [(s.start, s.end, str(label)) for s, _, label in annotation.itertracks(True)]
        print(json.dumps({"path": path, "seconds": elapsed, "turns": turns}), flush=True)


# -- the benchmark (runs in the service's environment) -----------------------------------------
def run_pyannote_paths(python: str, paths: list[str], store) -> dict[str, dict]:
    """Run the comparison worker in ``python``; ``{path: {"seconds", "turns"}}``."""
    seg = store.ensure("pyannote-segmentation-3.0") / "pytorch_model.bin"
    cam = store.ensure("campplus-cn-en") / "campplus_cn_en_common.pt"
    cmd = [python, str(Path(__file__).resolve()), "--pyannote-worker", str(seg), str(cam), *paths]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"pyannote.audio worker failed:\n{proc.stderr[-3000:]}")
    by_path = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            by_path[row["path"]] = row
    return by_path


def long_meeting(minutes: float, method: str) -> None:
    """Diarize the French mixes repeated end to end to ``minutes``: time, memory, DER.

    Speakers come back in every repetition, so past 2,000 windows (chunked clustering) this
    checks that chunks are linked into one label per speaker, and that memory stays bounded.
    """
    import resource

    import numpy as np

    from asr_service.audio import decode_audio
    from benchmarks.eval_data import load_clips
    from diarization import Diarizer, SpeakerTurn
    from diarization.scoring import der, read_rttm

    mixes = [c for c in load_clips() if "mixes" in str(c.audio)]
    audio_parts, reference, offset = [], [], 0.0
    while offset < minutes * 60:
        for clip in mixes:
            audio = decode_audio(clip.audio)
            audio_parts.append(audio)
            for t in read_rttm(clip.rttm):
                reference.append(SpeakerTurn(t.start + offset, t.end + offset, t.speaker))
            offset += len(audio) / 16_000
    audio = np.concatenate(audio_parts)
    diarizer = Diarizer(options=method_options(method))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    turns = diarizer.diarize(audio)
    elapsed = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    score = der(reference, turns, [(0.0, offset)], collar=0.25)
    print(
        f"long meeting {offset / 60:.1f} min, {method}: DER(0.25) {100 * score['der']:.1f} %, "
        f"speakers {len({t.speaker for t in turns})}/{len({t.speaker for t in reference})}, "
        f"RTF {elapsed / offset:.3f}, peak RSS {rss0:.0f} -> {rss1:.0f} MB"
    )


COUNT_RULES = {"eigengap": 1, "silhouette": 2}  # method suffix -> count_candidates


def method_options(spec: str) -> DiarizationOptions:
    """Diarizer options of a ``--methods`` entry: a method name, optionally followed by the
    speaker-count rule, ``:eigengap`` (the largest eigengap alone) or ``:silhouette`` (the
    two largest gaps' counts compared by silhouette); default: the package's."""
    from diarization import DiarizationOptions
    from diarization.clustering import ClusteringOptions

    method, _, rule = spec.partition(":")
    if rule and rule not in COUNT_RULES:
        raise typer.BadParameter(
            f"unknown count rule {rule!r} in {spec!r} ({', '.join(COUNT_RULES)})"
        )
    clustering = ClusteringOptions(count_candidates=COUNT_RULES[rule]) if rule else None
    return DiarizationOptions(method=method, clustering=clustering or ClusteringOptions())


def group_of(clip) -> str:
    if clip.lang == "en":
        return "en_fallback"
    return "fr/mixes" if "mixes" in str(clip.audio) else "fr/multispk"


def lang_of(group: str) -> str:
    """``fr`` or ``en``: the language rows of the summary (the targets are about French)."""
    return "en" if group == "en_fallback" else "fr"


def summary_groups(group: str, variant: str) -> list[str]:
    """Summary rows a file's figures count in: its group (clean only), its language and all,
    per variant, over the harder variants (every one but clean) and over everything."""
    lang = lang_of(group)
    out = [group] if variant == "clean" else []
    out += [f"{lang} {variant}", f"variant {variant}", f"{lang} all", "all"]
    if variant != "clean":
        out += [f"{lang} harder", "harder"]
    return out


def group_order(variants: list[str]) -> list[str]:
    """Summary rows in print order: clean groups, then French / English / both per variant."""
    rows = ["fr/mixes", "fr/multispk", "en_fallback"]
    for v in [*variants, "harder", "all"]:
        rows += [
            f"fr {v}",
            f"en {v}",
            "all" if v == "all" else v if v == "harder" else f"variant {v}",
        ]
    return rows


def main(
    methods: str = typer.Option(
        "windows+segmentation,windows+overlap",
        help="our diarizer's methods to run (comma-separated; a suffix ':eigengap' or "
        "':silhouette' picks the speaker-count rule)",
    ),
    split: str = typer.Option("all", help="files: tune | heldout | all (see bench_asr.TUNE)"),
    variants: str = typer.Option("clean", help="comma-separated variants (benchmarks.variants)"),
    pyannote_python: str | None = typer.Option(
        None, help="interpreter with pyannote.audio: same-run baseline on the same weights"
    ),
    json_path: Path | None = typer.Option(None, "--json", help="write per-file figures here"),
    limit: int = typer.Option(0, help="first N files only"),
    draws: int = typer.Option(
        1, help="random draws of each non-clean variant (figures averaged over them)"
    ),
    long: float = typer.Option(0, help="instead: one meeting of N minutes (chunked clustering)"),
    files: bool = typer.Option(
        True, help="print per-file rows (--no-files: summary rows only, e.g. on held-out files)"
    ),
) -> None:
    """DER (collar 0.25 s and 0, overlap scored) and RTF per file, variant and method."""
    import tempfile

    from rich.console import Console
    from rich.table import Table

    from asr_service.audio import decode_audio, write_wav
    from benchmarks.bench_asr import multi_clips
    from benchmarks.eval_data import default_eval_dir
    from benchmarks.variants import (
        RANDOM_VARIANTS,
        VARIANTS,
        babble_source,
        make_variant,
        stretch_uem,
        variant_key,
    )
    from diarization import Diarizer
    from diarization.scoring import der, read_rttm, read_uem
    from diarization.turns import SpeakerTurn
    from models import ModelStore

    if long:
        for method in (m.strip() for m in methods.split(",") if m.strip()):
            long_meeting(long, method)
        return
    chosen = [v.strip() for v in variants.split(",") if v.strip()]
    unknown = sorted(set(chosen) - set(VARIANTS))
    if unknown:
        raise typer.BadParameter(f"unknown variants {unknown}; choose among {VARIANTS}")
    eval_dir = default_eval_dir()
    clips = multi_clips(eval_dir, split)
    if limit:
        clips = clips[:limit]
    store = ModelStore()
    diarizers = {
        f"ours {m}": Diarizer(store, options=method_options(m))
        for m in (x.strip() for x in methods.split(",") if x.strip())
    }
    for diarizer in diarizers.values():  # warm-up
        diarizer.diarize(decode_audio(clips[0].audio)[: 16_000 * 5])
    voices = babble_source(eval_dir) if "babble" in chosen else None
    items = []  # (key, clip, variant, audio, reference, uem, duration)
    tmp = Path(tempfile.mkdtemp(prefix="bench-diar-"))
    for clip in clips:
        audio0 = decode_audio(clip.audio)
        ref0 = read_rttm(clip.rttm)
        uem0 = read_uem(clip.uem) if clip.uem else None
        for variant, draw in itertools.product(chosen, range(max(1, draws))):
            if draw and variant not in RANDOM_VARIANTS:
                continue  # nothing random to draw again
            audio, ref = make_variant(variant, clip.clip_id, audio0, ref0, voices=voices, draw=draw)
            uem = stretch_uem(uem0, len(audio0) / 16_000, len(audio) / 16_000)
            key = variant_key(clip.clip_id, variant, draw)
            path = clip.audio if variant == "clean" else tmp / f"{key.replace('/', '.')}.wav"
            if variant != "clean":
                write_wav(path, audio)
            items.append((key, clip, variant, audio, ref, uem, len(audio) / 16_000, path))
    systems: dict[str, dict[str, dict]] = {name: {} for name in diarizers}
    for key, _clip, _variant, audio, *_rest in items:
        for name, diarizer in diarizers.items():
            t0 = time.perf_counter()
            turns = diarizer.diarize(audio)
            systems[name][key] = {
                "seconds": time.perf_counter() - t0,
                "turns": [(t.start, t.end, t.speaker) for t in turns],
            }
        print(key, flush=True)
    if pyannote_python:
        by_path = run_pyannote_paths(pyannote_python, [str(i[7]) for i in items], store)
        systems["pyannote.audio"] = {i[0]: by_path[str(i[7])] for i in items}

    rows = []
    totals: dict[tuple[str, str], dict[str, float]] = {}
    for key, clip, variant, _audio, reference, uem, duration, _path in items:
        n_ref = len({t.speaker for t in reference})
        row = {"file": key, "group": group_of(clip), "variant": variant, "duration": duration}
        for name, results in systems.items():
            hyp = [SpeakerTurn(*t) for t in results[key]["turns"]]
            d25, d0 = der(reference, hyp, uem, collar=0.25), der(reference, hyp, uem, collar=0.0)
            n_hyp = len({t.speaker for t in hyp})
            row[name] = {
                "der25": d25["der"],
                "der0": d0["der"],
                "missed": d25["missed"] / (d25["total"] or 1),
                "false_alarm": d25["false_alarm"] / (d25["total"] or 1),
                "confusion": d25["confusion"] / (d25["total"] or 1),
                "speakers": n_hyp,
                "rtf": results[key]["seconds"] / duration,
            }
            for group in summary_groups(row["group"], variant):
                acc = totals.setdefault((name, group), {})
                for suffix, detail in (("25", d25), ("0", d0)):
                    acc["err" + suffix] = (
                        acc.get("err" + suffix, 0.0) + detail["der"] * detail["total"]
                    )
                    acc["tot" + suffix] = acc.get("tot" + suffix, 0.0) + detail["total"]
                acc["seconds"] = acc.get("seconds", 0.0) + results[key]["seconds"]
                acc["audio"] = acc.get("audio", 0.0) + duration
                acc["abs_count"] = acc.get("abs_count", 0.0) + abs(n_hyp - n_ref)
                acc["files"] = acc.get("files", 0.0) + 1
        row["ref_speakers"] = n_ref
        rows.append(row)

    table = Table(
        title=f"Diarization ({split}): DER % (collar 0.25 / 0, overlap scored), speakers found/true, RTF"
    )
    table.add_column("file")
    table.add_column("dur s", justify="right")
    for name in systems:
        table.add_column(f"{name} DER", justify="right")
        table.add_column("spk", justify="right")
        table.add_column("RTF", justify="right")
    for row in rows if files else []:
        cells = [row["file"], f"{row['duration']:.0f}"]
        for name in systems:
            r = row[name]
            cells += [
                f"{100 * r['der25']:.1f} / {100 * r['der0']:.1f}",
                f"{r['speakers']}/{row['ref_speakers']}",
                f"{r['rtf']:.3f}",
            ]
        table.add_row(*cells)
    groups = group_order(chosen)
    summary = {}
    for group in groups:
        if not any((name, group) in totals for name in systems):
            continue
        cells = [f"[bold]{group}[/]", ""]
        for name in systems:
            acc = totals.get((name, group))
            if not acc:
                cells += ["", "", ""]
                continue
            summary.setdefault(group, {})[name] = {
                "der25": acc["err25"] / acc["tot25"],
                "der0": acc["err0"] / acc["tot0"],
                "rtf": acc["seconds"] / acc["audio"],
                "count_error": acc["abs_count"] / acc["files"],
            }
            cells += [
                f"{100 * acc['err25'] / acc['tot25']:.1f} / {100 * acc['err0'] / acc['tot0']:.1f}",
                f"±{acc['abs_count'] / acc['files']:.1f}",
                f"{acc['seconds'] / acc['audio']:.3f}",
            ]
        table.add_row(*cells)
    console = Console(width=200)
    console.print(table)
    console.print("'spk' in group rows: mean absolute speaker-count error per file")
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps({"files": rows, "summary": summary}, indent=2))


if __name__ == "__main__":
    if "--pyannote-worker" in sys.argv:
        i = sys.argv.index("--pyannote-worker")
        pyannote_worker(sys.argv[i + 3 :], sys.argv[i + 1], sys.argv[i + 2])
    else:
        typer.run(main)
