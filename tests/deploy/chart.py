"""Render the Helm chart with Helm's own engine, offline (``helm-python-sdk``: Helm v4 as a library,
so no ``helm`` binary is needed), and the value sets the deployment tests and ``deploy-check`` use.

Rendering also validates the values against ``values.schema.json``, exactly as ``helm install``
and ``helm template`` do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CHART = Path(__file__).resolve().parents[2] / "helm" / "asr-service"
RELEASE = "cr"
NAMESPACE = "asr"

POSTGRES = {"database": {"url": "postgresql://asr:secret@postgres.db.svc:5432/asr"}}
"""The one value the chart requires: where PostgreSQL is (the multi-replica default)."""

VALUE_SETS: dict[str, dict[str, Any]] = {
    # the chart's defaults, plus the database it refuses to guess
    "defaults": POSTGRES,
    # PostgreSQL by host/user/password Secret; the operator's NATS with credentials, nkey and TLS
    "postgres-external-nats": {
        "database": {
            "host": "pg.db.svc",
            "user": "asr",
            "name": "asr",
            "sslmode": "require",
            "passwordSecret": {"name": "asr-db", "key": "password"},
        },
        "nats": {
            "url": "tls://nats.nats.svc:4222",
            "credentialsSecret": {"name": "asr-nats", "key": "asr.creds"},
            "nkeySecret": {"name": "asr-nkey", "key": "seed"},
            "tls": {"enabled": True, "secretName": "asr-nats-tls"},
        },
    },
    # GPU workers beside the CPU ones, both scaled by KEDA on the JetStream lag
    "gpu-keda": {
        **POSTGRES,
        "worker": {"autoscaling": {"keda": {"enabled": True}}},
        "gpuWorker": {
            "enabled": True,
            "gpus": 1,
            "image": {"repository": "localhost/asr-service-cuda", "tag": "0.1.0"},
            "config": {
                "ASR_MODEL": "/operator-models/whisper-large-v3-turbo",
                "ASR_DEVICE": "cuda",
            },
            "autoscaling": {"keda": {"enabled": True}},
        },
        "models": {
            "operator": [
                {
                    "name": "whisper-large-v3-turbo",
                    "claimName": "asr-models",
                    "subPath": "whisper-large-v3-turbo",
                }
            ]
        },
    },
    # every optional object on
    "everything": {
        "database": {"urlSecret": {"name": "asr-db-url", "key": "url"}},
        "nats": {
            "embedded": {"enabled": True},
            "passwordSecret": {"name": "asr-nats", "key": "password"},
            "user": "asr",
        },
        "worker": {"autoscaling": {"hpa": {"enabled": True}}},
        "gpuWorker": {"enabled": True, "autoscaling": {"keda": {"enabled": True}}},
        "ingress": {
            "enabled": True,
            "className": "nginx",
            "tls": {"enabled": True, "secretName": "t"},
        },
        "metrics": {"serviceMonitor": {"enabled": True}},
        "models": {
            "existingClaim": "asr-models",
            "operator": [{"name": "qwen-7b", "claimName": "llm", "mountPath": "/models/llm"}],
        },
        "existingSecret": "asr-extra",
        "secrets": {"ASR_NATS_TOKEN": "s3cret"},
        "api": {"forwardedAllowIps": ["10.244.0.0/16", "fd00::/8"]},
        "oidc": {
            "enabled": True,
            "issuerUrl": "https://auth.agentconnect.gouv.fr/api/v2",
            "clientId": "asr-mairie-lyon",
            "clientSecretRef": {"name": "asr-oidc", "key": "client-secret"},
            "tenants": {"21690123100019": "mairie-lyon"},
            "roleClaim": "groups",
            "roles": {"greffe-admin": "admin"},
            "tokenSignIn": False,
            "egress": [{"ipBlock": {"cidr": "203.0.113.0/24"}}],
        },
    },
}


def render(
    values: dict[str, Any], *, name: str = RELEASE, namespace: str = NAMESPACE
) -> list[dict]:
    """Every Kubernetes object the chart renders for ``values`` (hooks and tests included).

    Raises ``helm_python.errors.HelmError`` subclasses on schema violations or template errors.
    """
    from helm_python.chart import Chart

    with Chart.load(str(CHART)) as chart:
        manifests = chart.render(values=values, name=name, namespace=namespace)
    objects: list[dict] = []
    for path, text in sorted(manifests.items()):
        if not path.endswith((".yaml", ".yml")):
            continue
        objects += [doc for doc in yaml.safe_load_all(text) if doc]
    return objects


def render_yaml(values: dict[str, Any], **kwargs: Any) -> str:
    """The rendered objects as one multi-document YAML stream (what ``helm template`` prints)."""
    return yaml.safe_dump_all(render(values, **kwargs), sort_keys=False)


def pod_specs(obj: dict) -> list[dict]:
    """The pod spec(s) an object creates (Deployment, StatefulSet, Job, CronJob, Pod)."""
    kind = obj["kind"]
    if kind == "Pod":
        return [obj["spec"]]
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return [obj["spec"]["template"]["spec"]]
    if kind == "CronJob":
        return [obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]]
    return []
