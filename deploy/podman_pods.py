"""Turn the chart's rendered manifests into Pods that ``podman kube play`` runs (deploy-check).

``podman kube play`` runs Pods (and simple Deployments) but has no Services, no DNS between pods,
no ConfigMap/Secret objects for ``envFrom`` in the podman version Debian ships, and no Jobs. So this
keeps every container exactly as the chart rendered it (image, command/args, env, volumes,
securityContext, probes, init containers) and only resolves what a cluster would provide:

- ``envFrom`` ConfigMap/Secret and ``secretKeyRef`` become literal ``env`` entries, from the
  rendered ConfigMap/Secret objects or from ``--secret NAME.KEY=VALUE`` (the operator's Secrets);
- Service names become ``hostAliases`` to the IPs of pods already started (``--alias name=ip``),
  and ``ports`` are dropped (podman 4 would publish them on the host; pods are reached by IP);
- a Deployment, StatefulSet or Job becomes one Pod named after it (one replica);
  ``volumeClaimTemplates`` become named volumes; ConfigMaps mounted as volumes go in the same
  YAML stream.

Usage::

    python deploy/podman_pods.py --values deploy/podman/values.yaml --release asr-e2e \
        --secret asr-db.password=... --alias asr-postgres=10.88.0.5 COMPONENT > pod.yaml

COMPONENT is ``nats``, ``migrate``, ``api``, ``worker`` or ``rendered`` (the whole rendered
stream, for the record).
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import Any

import yaml

CHART = Path(__file__).resolve().parents[1] / "helm" / "asr-service"


def render(values: dict[str, Any], release: str, namespace: str) -> list[dict[str, Any]]:
    """The chart rendered by Helm's engine (helm-python-sdk), values checked by its schema."""
    from helm_python.chart import Chart

    with Chart.load(str(CHART)) as chart:
        manifests = chart.render(values=values, name=release, namespace=namespace)
    docs: list[dict[str, Any]] = []
    for path, text in sorted(manifests.items()):
        if path.endswith((".yaml", ".yml")):
            docs += [d for d in yaml.safe_load_all(text) if d]
    return docs


def _env_from(
    container: dict[str, Any], objects: dict[tuple[str, str], dict], secrets: dict[str, dict]
) -> None:
    """Resolve envFrom and valueFrom into literal env entries (explicit env wins, as in k8s)."""
    env: dict[str, str] = {}
    for source in container.pop("envFrom", []):
        if "configMapRef" in source:
            data = objects[("ConfigMap", source["configMapRef"]["name"])].get("data") or {}
        else:
            name = source["secretRef"]["name"]
            secret = objects.get(("Secret", name))
            data = (secret.get("stringData") or {}) if secret else secrets.get(name, {})
        env.update({k: str(v) for k, v in data.items()})
    for entry in container.get("env", []):
        if "valueFrom" in entry:
            ref = entry["valueFrom"]["secretKeyRef"]
            secret = objects.get(("Secret", ref["name"]))
            data = (secret.get("stringData") or {}) if secret else secrets.get(ref["name"], {})
            if ref["key"] not in data:
                raise SystemExit(f"secret {ref['name']}.{ref['key']} not given (--secret)")
            env[entry["name"]] = str(data[ref["key"]])
        else:
            env[entry["name"]] = str(entry.get("value", ""))
    container["env"] = [{"name": k, "value": v} for k, v in env.items()]


def _unpublish(container: dict[str, Any]) -> None:
    """Drop ``ports`` (podman 4 publishes every containerPort on the host, where 4222 or 8000 may
    be taken; the pods are reached on their own IPs) and number the probes' named ports."""
    named = {p["name"]: p["containerPort"] for p in container.pop("ports", []) if "name" in p}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        action = container.get(probe, {}).get("httpGet")
        if action and isinstance(action.get("port"), str):
            action["port"] = named[action["port"]]


def to_pod(
    obj: dict[str, Any],
    objects: dict[tuple[str, str], dict],
    secrets: dict[str, dict],
    aliases: dict[str, str],
) -> dict[str, Any]:
    """One Pod running ``obj``'s pod template as rendered."""
    template = copy.deepcopy(obj["spec"]["template"])
    spec = template["spec"]
    for container in spec.get("initContainers", []) + spec["containers"]:
        _env_from(container, objects, secrets)
        _unpublish(container)
    for claim in obj["spec"].get("volumeClaimTemplates", []):
        name = claim["metadata"]["name"]
        spec.setdefault("volumes", []).append(
            {
                "name": name,
                "persistentVolumeClaim": {"claimName": f"{obj['metadata']['name']}-{name}"},
            }
        )
    # Job: once. Deployment/StatefulSet: Always in Kubernetes, but podman applies the pod's policy
    # to its init containers as well and would rerun them forever: OnFailure still restarts a
    # crashed service container.
    spec["restartPolicy"] = "Never" if obj["kind"] == "Job" else "OnFailure"
    if aliases:
        by_ip: dict[str, list[str]] = {}
        for host, ip in aliases.items():
            by_ip.setdefault(ip, []).append(host)
        spec["hostAliases"] = [{"ip": ip, "hostnames": names} for ip, names in by_ip.items()]
    metadata = {"name": obj["metadata"]["name"], "labels": template["metadata"].get("labels", {})}
    if spec.get("initContainers"):
        # podman 4.3 removes "once" init containers right after starting them and fails when one
        # is still running (the models copy takes a while): "always" ones are kept, and still
        # run to completion before the main containers start, as in Kubernetes.
        metadata["annotations"] = {"io.podman.annotations.init.container.type": "always"}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("component", choices=["nats", "migrate", "api", "worker", "rendered"])
    parser.add_argument("--values", type=Path, required=True)
    parser.add_argument("--release", default="asr-e2e")
    parser.add_argument("--namespace", default="asr")
    parser.add_argument("--secret", action="append", default=[], help="NAME.KEY=VALUE")
    parser.add_argument("--alias", action="append", default=[], help="HOSTNAME=IP")
    args = parser.parse_args()

    values = yaml.safe_load(args.values.read_text()) or {}
    docs = render(values, args.release, args.namespace)
    if args.component == "rendered":
        yaml.safe_dump_all(docs, sys.stdout, sort_keys=False)
        return
    secrets: dict[str, dict] = {}
    for item in args.secret:
        ref, value = item.split("=", 1)
        name, key = ref.rsplit(".", 1)
        secrets.setdefault(name, {})[key] = value
    aliases = dict(item.split("=", 1) for item in args.alias)
    objects = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    kinds = {"nats": "StatefulSet", "migrate": "Job", "api": "Deployment", "worker": "Deployment"}
    wanted = [
        d
        for d in docs
        if d["kind"] == kinds[args.component]
        and d["metadata"]["labels"].get("app.kubernetes.io/component") == args.component
    ]
    if len(wanted) != 1:
        raise SystemExit(
            f"{args.component}: expected one {kinds[args.component]}, got {len(wanted)}"
        )
    pod = to_pod(wanted[0], objects, secrets, aliases)
    # ConfigMaps mounted as volumes travel in the same YAML stream (kube play reads them there)
    maps = [
        objects[("ConfigMap", v["configMap"]["name"])]
        for v in pod["spec"].get("volumes", [])
        if "configMap" in v
    ]
    yaml.safe_dump_all([*maps, pod], sys.stdout, sort_keys=False)


if __name__ == "__main__":
    main()
