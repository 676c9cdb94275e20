#!/usr/bin/env bash
# End-to-end check of the production deployment from the chart's RENDERED manifests (make deploy-check):
#   1. build the image offline (deploy/build-image.sh) and a PostgreSQL 15 image (Debian's);
#   2. render the chart's CPU deployment (deploy/podman/values.yaml) with Helm's engine;
#   3. podman kube play: PostgreSQL, the chart's NATS StatefulSet, its migration Job, then its API
#      and worker Deployments (one pod each, containers exactly as rendered: deploy/podman_pods.py);
#   4. from the host: `asr-service simulate` plays the French sample into the bus and waits for
#      `done`; a clerk token made in the API pod downloads the transcript and the minutes.
# Needs root, podman (+ runc), debootstrap; about 10-20 min on 2 cores (the model build is cached).
# Environment: SKIP_BUILD=1 (reuse the images), KEEP=1 (leave the pods running), OUT (log folder).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$ROOT/.venv/bin/python}
OUT=${OUT:-$ROOT/build/deploy-check}
RELEASE=asr-e2e
VALUES=deploy/podman/values.yaml
PG_PASSWORD=${PG_PASSWORD:-asr-e2e-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')}
PG_IMAGE=localhost/asr-postgres:15
if [ -z "${CONTAINERS_CONF:-}" ] && [ -f ../shared/containers/containers.conf ]; then
  export CONTAINERS_CONF=$ROOT/../shared/containers/containers.conf
fi
[ "$(id -u)" = 0 ] || { echo "deploy-check: needs root (rootful podman)" >&2; exit 2; }
command -v podman >/dev/null || { echo "deploy-check: podman not installed (apt-get install podman runc)" >&2; exit 2; }
mkdir -p "$OUT"
step() { printf '\n== %s  [%s]\n' "$*" "$(date -u +%H:%M:%S)"; }
pods=(asr-postgres "$RELEASE-asr-service-nats" "$RELEASE-asr-service-migrate" "$RELEASE-asr-service-api" "$RELEASE-asr-service-worker")

teardown() {
  for pod in "${pods[@]}"; do podman pod rm -f "$pod" >/dev/null 2>&1 || true; done
  for vol in asr-postgres-data "$RELEASE-asr-service-data" "$RELEASE-asr-service-nats-jetstream"; do
    podman volume rm -f "$vol" >/dev/null 2>&1 || true
  done
}
logs() {
  for pod in "${pods[@]}"; do
    for c in $(podman ps -a --filter "pod=$pod" --format '{{.Names}}' 2>/dev/null | grep -v infra); do
      podman logs "$c" > "$OUT/$c.log" 2>&1 || true
    done
  done
}
finish() {
  code=$?
  logs
  if [ "$code" != 0 ]; then
    echo "deploy-check FAILED (exit $code); container logs in $OUT/" >&2
    tail -n 25 "$OUT"/*.log 2>/dev/null | tail -n 120 >&2 || true
  fi
  [ "${KEEP:-0}" = 1 ] || teardown
}
trap finish EXIT

ip_of() { podman inspect "$(podman pod inspect "$1" --format '{{.InfraContainerID}}')" \
            --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}'; }
wait_http() {  # URL SECONDS: until it answers 200
  local deadline=$((SECONDS + $2))
  until "$PY" -c "import sys,urllib.request; sys.exit(urllib.request.urlopen('$1', timeout=5).status != 200)" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "timeout waiting for $1" >&2; return 1; }
    sleep 3
  done
}
play() {  # COMPONENT ALIAS...: render the component as a Pod and play it
  local component=$1; shift
  "$PY" deploy/podman_pods.py --values "$VALUES" --release "$RELEASE" \
    --secret "asr-db.password=$PG_PASSWORD" "$@" "$component" > "$OUT/pod-$component.yaml"
  podman kube play "$OUT/pod-$component.yaml" > /dev/null
}

step "images"
if [ "${SKIP_BUILD:-0}" != 1 ] || ! podman image exists localhost/asr-service:0.1.0; then
  deploy/build-image.sh
fi
if [ "${SKIP_BUILD:-0}" != 1 ] || ! podman image exists "$PG_IMAGE"; then
  nice -n 10 podman build --network=host -f deploy/podman/Containerfile.postgres -t "$PG_IMAGE" .
fi
"$PY" deploy/podman_pods.py --values "$VALUES" --release "$RELEASE" rendered > "$OUT/rendered.yaml"
echo "rendered: $(grep -c '^kind:' "$OUT/rendered.yaml") objects -> $OUT/rendered.yaml"
teardown

step "PostgreSQL 15 (real server, password auth)"
cat > "$OUT/pod-postgres.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata: {name: asr-postgres}
spec:
  containers:
    - name: postgres
      image: $PG_IMAGE
      env:
        - {name: POSTGRES_PASSWORD, value: "$PG_PASSWORD"}
      volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumes:
    - {name: data, persistentVolumeClaim: {claimName: asr-postgres-data}}
EOF
podman kube play "$OUT/pod-postgres.yaml" > /dev/null
PG_IP=$(ip_of asr-postgres)
deadline=$((SECONDS + 120))
until podman exec asr-postgres-postgres pg_isready -h 127.0.0.1 -q; do
  [ $SECONDS -lt $deadline ] || { echo "PostgreSQL did not start" >&2; exit 1; }; sleep 2
done
echo "PostgreSQL at $PG_IP"

step "NATS (the chart's JetStream StatefulSet, non-root)"
play nats
NATS_IP=$(ip_of "$RELEASE-asr-service-nats")
wait_http "http://$NATS_IP:8222/healthz?js-enabled-only=true" 60
echo "NATS at $NATS_IP: $(podman exec "$RELEASE-asr-service-nats-nats" nats-server --version)"
ALIASES=(--alias "asr-postgres=$PG_IP" --alias "$RELEASE-asr-service-nats=$NATS_IP")

step "migrations (the chart's hook Job)"
play migrate "${ALIASES[@]}"
job="$RELEASE-asr-service-migrate-migrate"
code=$(podman wait "$job")
podman logs "$job"
[ "$code" = 0 ] || { echo "migration Job exited $code" >&2; exit 1; }

step "API and worker (the chart's Deployments)"
play api "${ALIASES[@]}"
play worker "${ALIASES[@]}"
API_IP=$(ip_of "$RELEASE-asr-service-api")
WORKER_IP=$(ip_of "$RELEASE-asr-service-worker")
wait_http "http://$API_IP:8000/readyz" 600
wait_http "http://$WORKER_IP:9090/readyz" 600
echo "API ready at $API_IP; worker ready at $WORKER_IP: $("$PY" -c "import urllib.request; print(urllib.request.urlopen('http://$WORKER_IP:9090/readyz').read().decode())")"
"$PY" -c "import urllib.request; print(urllib.request.urlopen('http://$WORKER_IP:9090/metrics').read().decode())" \
  | grep -E '^asr_worker_(ready|live_meetings|max_meetings|nats_connected) '

step "simulate: the French sample into the bus, from the host"
MEETING=e2e-$(date +%s)
TENANT=default
"$ROOT/.venv/bin/asr-service" simulate asr_service/data/sample_meeting_fr.ogg --meeting-id "$MEETING" \
  --tenant "$TENANT" --speed 4 --title "Comité de pilotage (deploy-check)" \
  --nats-url "nats://$NATS_IP:4222" --timeout 1200 | tee "$OUT/simulate.log" | grep -E '^(status|final|minutes)' || true
grep -q "status: done" "$OUT/simulate.log" || { echo "the meeting did not reach done" >&2; exit 1; }

step "download with a clerk token"
TOKEN=$(podman exec "$RELEASE-asr-service-api-api" asr-service tokens create --tenant "$TENANT" --role clerk --name deploy-check | tail -1)
fetch() {  # PATH FILE
  "$PY" - "$API_IP" "$1" "$2" "$TOKEN" <<'PYEOF'
import sys, urllib.request
ip, path, out, token = sys.argv[1:]
req = urllib.request.Request(f"http://{ip}:8000{path}", headers={"Authorization": f"Bearer {token}"})
with urllib.request.urlopen(req, timeout=60) as resp:
    body = resp.read()
open(out, "wb").write(body)
print(f"GET {path}: {resp.status}, {len(body)} bytes")
PYEOF
}
fetch "/api/v1/meetings/$MEETING/transcript?format=txt" "$OUT/transcript.txt"
fetch "/api/v1/meetings/$MEETING/minutes?format=md" "$OUT/minutes.md"
test -s "$OUT/transcript.txt" && test -s "$OUT/minutes.md"
echo "--- transcript (head)"; head -n 8 "$OUT/transcript.txt"
echo "--- minutes (head)"; head -n 12 "$OUT/minutes.md"
step "deploy-check passed"
