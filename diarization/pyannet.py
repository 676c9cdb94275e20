"""pyannote segmentation-3.0 (PyanNet) in PyTorch, used only to export the weights to ONNX.

Re-implemented from pyannote.audio 3.x (``pyannote/audio/models/segmentation/PyanNet.py``,
``models/blocks/sincnet.py``, MIT) and asteroid-filterbanks' ``ParamSincFB`` (MIT), inference
path only. Parameter names match the published checkpoint, so its ``state_dict`` loads with
``strict=True``. Input: ``(batch, 1, samples)`` 16 kHz audio (10 s chunks in training); output:
``(batch, frames, 7)`` log-probabilities of the powerset classes — no speaker, speakers 1, 2, 3
alone, pairs {1,2}, {1,3}, {2,3} — one frame every 270 samples (~17 ms), 589 frames per 10 s.

Importing this module needs torch (the ``diarization-export`` extra); the service's run time
never imports it.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

SAMPLE_RATE = 16_000
SINC_FILTERS = 80
SINC_KERNEL = 251
SINC_STRIDE = 10
MIN_LOW_HZ = 50.0
MIN_BAND_HZ = 50.0


class ParamSincFB(nn.Module):
    """Parametrised sinc band-pass filterbank (cosine and sine halves), as asteroid builds it."""

    def __init__(self) -> None:
        super().__init__()
        half = SINC_KERNEL // 2
        cutoff = SINC_FILTERS // 2
        self.low_hz_ = nn.Parameter(torch.zeros(cutoff, 1))
        self.band_hz_ = nn.Parameter(torch.zeros(cutoff, 1))
        self.register_buffer("window_", torch.hamming_window(SINC_KERNEL, periodic=False)[:half])
        n = 2 * math.pi * torch.arange(-half, 0.0).view(1, -1) / SAMPLE_RATE
        self.register_buffer("n_", n)

    def _make(self, low: torch.Tensor, high: torch.Tensor, kind: str) -> torch.Tensor:
        band = (high - low)[:, 0]
        ft_low = low @ self.n_
        ft_high = high @ self.n_
        if kind == "cos":
            left = ((torch.sin(ft_high) - torch.sin(ft_low)) / (self.n_ / 2)) * self.window_
            centre = 2 * band.view(-1, 1)
            right = torch.flip(left, dims=[1])
        else:
            left = ((torch.cos(ft_low) - torch.cos(ft_high)) / (self.n_ / 2)) * self.window_
            centre = torch.zeros_like(band.view(-1, 1))
            right = -torch.flip(left, dims=[1])
        band_pass = torch.cat([left, centre, right], dim=1) / (2 * band[:, None])
        return band_pass.view(SINC_FILTERS // 2, 1, SINC_KERNEL)

    def filters(self) -> torch.Tensor:
        low = MIN_LOW_HZ + torch.abs(self.low_hz_)
        high = torch.clamp(
            low + MIN_BAND_HZ + torch.abs(self.band_hz_), MIN_LOW_HZ, SAMPLE_RATE / 2
        )
        return torch.cat([self._make(low, high, "cos"), self._make(low, high, "sin")], dim=0)


class SincEncoder(nn.Module):
    """asteroid's ``Encoder(ParamSincFB)``: a strided convolution with the sinc filters."""

    def __init__(self) -> None:
        super().__init__()
        self.filterbank = ParamSincFB()

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        return F.conv1d(waveforms, self.filterbank.filters(), stride=SINC_STRIDE)


class SincNet(nn.Module):
    """pyannote's SincNet front end: sinc filters, two convolutions, max-pooling, instance norm."""

    def __init__(self) -> None:
        super().__init__()
        self.wav_norm1d = nn.InstanceNorm1d(1, affine=True)
        self.conv1d = nn.ModuleList(
            [SincEncoder(), nn.Conv1d(SINC_FILTERS, 60, 5), nn.Conv1d(60, 60, 5)]
        )
        self.pool1d = nn.ModuleList([nn.MaxPool1d(3, stride=3) for _ in range(3)])
        self.norm1d = nn.ModuleList(
            [nn.InstanceNorm1d(c, affine=True) for c in (SINC_FILTERS, 60, 60)]
        )

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        out = self.wav_norm1d(waveforms)
        for i, (conv, pool, norm) in enumerate(
            zip(self.conv1d, self.pool1d, self.norm1d, strict=True)
        ):
            out = conv(out)
            if i == 0:
                out = torch.abs(out)
            out = F.leaky_relu(norm(pool(out)))
        return out


class PyanNet(nn.Module):
    """SincNet → 4-layer bidirectional LSTM → two linear layers → powerset log-softmax."""

    def __init__(self, classes: int = 7) -> None:
        super().__init__()
        self.sincnet = SincNet()
        self.lstm = nn.LSTM(60, 128, num_layers=4, bidirectional=True, batch_first=True)
        self.linear = nn.ModuleList([nn.Linear(256, 128), nn.Linear(128, 128)])
        self.classifier = nn.Linear(128, classes)

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        out = self.sincnet(waveforms).transpose(1, 2)
        out, _ = self.lstm(out)
        for linear in self.linear:
            out = F.leaky_relu(linear(out))
        return F.log_softmax(self.classifier(out), dim=-1)


def read_state_dict(path: str) -> dict[str, torch.Tensor]:
    """The tensors of the published Lightning checkpoint, loaded with ``weights_only=True``.

    The checkpoint also pickles three pyannote.audio task descriptors (not needed here): inert
    stand-ins with their names are allow-listed so torch's safe unpickler accepts the file
    without pyannote.audio and without running any code from it.
    """
    from torch.torch_version import TorchVersion

    def stand_in(name: str) -> type:
        cls = type(
            name,
            (),
            {
                "__init__": lambda self, *a, **k: None,
                "__setstate__": lambda self, s: self.__dict__.update(state=s),
            },
        )
        cls.__module__ = "pyannote.audio.core.task"
        cls.__qualname__ = name
        return cls

    allowed = [stand_in(n) for n in ("Specifications", "Problem", "Resolution")]
    with torch.serialization.safe_globals([*allowed, TorchVersion]):
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    return checkpoint["state_dict"]


def load_pyannet(path: str) -> PyanNet:
    """PyanNet in eval mode with the weights of the checkpoint at ``path``."""
    model = PyanNet()
    model.load_state_dict(read_state_dict(path), strict=True)
    return model.eval()
