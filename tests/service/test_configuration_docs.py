"""docs/configuration.md lists every setting the service reads (regenerate with the command below)."""

from __future__ import annotations

from pathlib import Path

from asr_service.config import Settings, settings_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_configuration_reference_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == settings_reference(), (
        "docs/configuration.md is stale: run `asr-service config --markdown > docs/configuration.md`"
    )


def test_every_setting_is_documented():
    undocumented = [n for n, f in Settings.model_fields.items() if not f.description]
    assert undocumented == [], f"settings without a description: {undocumented}"
