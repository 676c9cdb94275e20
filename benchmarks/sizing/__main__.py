"""``python -m benchmarks.sizing``: the ``asr-service bench`` command without the service's CLI.

Used by ``benchmarks/gpu_check.sh`` on a bare CUDA machine, where only the bench's own
dependencies are installed (not the HTTP API's).
"""

import typer

from benchmarks.sizing.command import bench_command

typer.run(bench_command)
