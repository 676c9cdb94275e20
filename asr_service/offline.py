"""Run-time guards that keep every library off the network.

The service runs on sovereign, air-gapped machines: weights come from installed packages or
operator paths only. These variables make Hugging Face and friends fail fast instead of trying a
download if some code path ever asks for a model by hub name.
"""

from __future__ import annotations

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
}


def enforce_offline() -> None:
    """Set the offline variables (an operator may not switch them back on: we overwrite)."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
