#!/usr/bin/env bash
# Prepare the wheels benchmarks/gpu_check.sh needs on a CUDA machine without network.
#
# Run here (with PyPI reachable), from the repository root:   bash benchmarks/gpu_wheels.sh
# It downloads benchmarks/gpu_wheels.txt for CPython 3.12 / manylinux x86_64 into .whl/all/, then
# lays them out in .whl/1, .whl/2, ... of at most PART_MIB (default 58) MiB each, splitting any
# larger wheel into numbered chunks, because one device call carries at most 64 MiB. Each part is
# carried by one call; gpu_check.sh joins the chunks back and checks every wheel's sha256.
set -euo pipefail
cd "$(dirname "$0")/.."
PART_MIB=${PART_MIB:-58}
PY=${PYTHON:-.venv/bin/python}
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || grep -qx '/.whl/' .gitignore || echo /.whl/ >> .git/info/exclude
rm -rf .whl && mkdir -p .whl/all
grep -v '^\s*#' benchmarks/gpu_wheels.txt | grep -v '^\s*$' > .whl/requirements.txt
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64 \
  -d .whl/all -r .whl/requirements.txt
(cd .whl/all && sha256sum ./*.whl > ../SHA256SUMS)
"$PY" - "$PART_MIB" <<'PY'
"""Pack .whl/all/* into .whl/<n>/ folders of at most PART_MIB MiB (large files in chunks)."""
import shutil, sys
from pathlib import Path

limit = int(sys.argv[1]) * 1024 * 1024
pieces = []  # (name, bytes-or-path, size)
for wheel in sorted(Path(".whl/all").glob("*.whl"), key=lambda p: -p.stat().st_size):
    size = wheel.stat().st_size
    if size <= limit:
        pieces.append((wheel.name, wheel, size))
        continue
    data = wheel.read_bytes()
    for i in range(0, size, limit):
        pieces.append((f"{wheel.name}.chunk{i // limit:02d}", data[i : i + limit], len(data[i : i + limit])))
parts: list[list] = []
for piece in sorted(pieces, key=lambda p: -p[2]):  # first-fit decreasing
    for part in parts:
        if sum(p[2] for p in part) + piece[2] <= limit:
            part.append(piece)
            break
    else:
        parts.append([piece])
for n, part in enumerate(parts, 1):
    folder = Path(f".whl/{n}")
    folder.mkdir()
    for name, src, _ in part:
        if isinstance(src, Path):
            shutil.copy2(src, folder / name)
        else:
            (folder / name).write_bytes(src)
shutil.copy2(".whl/SHA256SUMS", Path(f".whl/{len(parts)}") / "SHA256SUMS")
print(f"{len(parts)} parts:")
for n in range(1, len(parts) + 1):
    total = sum(f.stat().st_size for f in Path(f".whl/{n}").iterdir())
    print(f"  .whl/{n}  {total / 2**20:5.1f} MiB")
PY
rm -rf .whl/all
echo "Carry .whl/1 ... .whl/N-1 with 'bash benchmarks/gpu_check.sh stage', then .whl/N with 'bash benchmarks/gpu_check.sh run'."
