"""The Helm chart renders to valid Kubernetes objects: with ``helm`` when installed, else Go's own
template engine with the Sprig functions (py-go-template) plus Helm's ``include``.

Checks the objects the deployment relies on: API and worker Deployments with probes on
/healthz and /readyz, resources, the data PVC, ConfigMap/Secret wiring, and the embedded NATS
(off by default, on when asked).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

CHART = Path(__file__).resolve().parents[2] / "helm" / "asr-service"
HELM = shutil.which("helm")
INCLUDE = re.compile(r'include "([\w.-]+)" \.')


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = (
            deep_merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def render_with_go_template(overrides: dict[str, Any]) -> list[dict[str, Any]]:
    """Render every template as ``helm template`` would, with Go text/template + Sprig.

    ``include "x" .`` (a Helm addition) is replaced by the rendered helper as a string literal;
    helpers themselves only use the standard ``template`` action, so this is exact.
    """
    go_template = pytest.importorskip("go_template", reason="py-go-template not installed")
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    values = deep_merge(yaml.safe_load((CHART / "values.yaml").read_text()), overrides)
    context = {
        "Values": values,
        "Release": {"Name": "cr", "Namespace": "asr", "Service": "Helm"},
        "Chart": {
            "Name": chart["name"],
            "Version": chart["version"],
            "AppVersion": chart["appVersion"],
        },
    }
    helpers = (CHART / "templates" / "_helpers.tpl").read_text()
    names = re.findall(r'define "([\w.-]+)"', helpers)

    def render(source: str) -> str:
        with tempfile.NamedTemporaryFile("w", suffix=".tmpl", delete=False) as fh:
            fh.write(source)
        try:
            out = go_template.render(Path(fh.name), context).decode()
        finally:
            Path(fh.name).unlink()
        if out.startswith("render template failed"):
            raise AssertionError(out)
        return out

    rendered_helpers = {n: render(helpers + f'{{{{ template "{n}" . }}}}') for n in names}
    documents: list[dict[str, Any]] = []
    for path in sorted((CHART / "templates").glob("*.yaml")):
        source = INCLUDE.sub(lambda m: json.dumps(rendered_helpers[m.group(1)]), path.read_text())
        documents += [d for d in yaml.safe_load_all(render(helpers + source)) if d]
    return documents


def render_chart(overrides: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    overrides = overrides or {}
    if HELM:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
            yaml.safe_dump(overrides, fh)
        subprocess.run([HELM, "lint", str(CHART), "-f", fh.name], check=True, capture_output=True)
        out = subprocess.run(
            [HELM, "template", "cr", str(CHART), "-n", "asr", "-f", fh.name],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        return [d for d in yaml.safe_load_all(out) if d]
    return render_with_go_template(overrides)


def by_kind(documents: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["kind"], d["metadata"]["name"]): d for d in documents}


def test_default_release() -> None:
    objects = by_kind(render_chart())
    assert set(objects) == {
        ("ConfigMap", "cr-asr-service-config"),
        ("Secret", "cr-asr-service-secrets"),
        ("PersistentVolumeClaim", "cr-asr-service-data"),
        ("Deployment", "cr-asr-service-api"),
        ("Deployment", "cr-asr-service-worker"),
        ("Service", "cr-asr-service"),
    }  # no embedded NATS by default
    api = objects[("Deployment", "cr-asr-service-api")]
    pod = api["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["args"] == ["api"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["resources"]["limits"] == {"cpu": "4", "memory": "8Gi"}
    assert container["image"] == "registry.example.invalid/asr-service:0.1.0"
    assert {"configMapRef": {"name": "cr-asr-service-config"}} in container["envFrom"]
    assert {"secretRef": {"name": "cr-asr-service-secrets"}} in container["envFrom"]
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == "cr-asr-service-data"
    selector = api["spec"]["selector"]["matchLabels"]
    assert selector.items() <= api["spec"]["template"]["metadata"]["labels"].items()
    service = objects[("Service", "cr-asr-service")]
    assert service["spec"]["selector"] == selector

    worker = objects[("Deployment", "cr-asr-service-worker")]["spec"]["template"]["spec"]
    assert worker["containers"][0]["args"] == ["worker"]
    config = objects[("ConfigMap", "cr-asr-service-config")]["data"]
    assert config["ASR_NATS_URL"] == "nats://nats.nats.svc:4222"
    assert config["ASR_DATA_DIR"] == "/data" and config["ASR_UPLOAD_MAX_MB"] == "2048"
    assert all(isinstance(v, str) for v in config.values())  # env values must be strings
    assert not objects[("Secret", "cr-asr-service-secrets")].get("stringData")  # empty: SQLite


def test_embedded_nats_postgres_and_existing_claim() -> None:
    objects = by_kind(
        render_chart(
            {
                "nats": {"embedded": {"enabled": True}},
                "secrets": {"ASR_DATABASE_URL": "postgresql://asr@db/asr"},
                "persistence": {"existingClaim": "shared-rwx"},
                "worker": {"replicas": 3},
            }
        )
    )
    nats = objects[("StatefulSet", "cr-asr-service-nats")]["spec"]
    assert nats["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "30Gi"
    assert "-c" in nats["template"]["spec"]["containers"][0]["args"]
    nats_conf = objects[("ConfigMap", "cr-asr-service-nats-config")]["data"]["nats.conf"]
    assert nats_conf.strip() == "max_payload: 5242880"  # above ASR_IN's 4 MiB message bound
    assert ("PersistentVolumeClaim", "cr-asr-service-data") not in objects
    config = objects[("ConfigMap", "cr-asr-service-config")]["data"]
    assert config["ASR_NATS_URL"] == "nats://cr-asr-service-nats:4222"
    secret = objects[("Secret", "cr-asr-service-secrets")]["stringData"]
    assert secret == {"ASR_DATABASE_URL": "postgresql://asr@db/asr"}
    worker = objects[("Deployment", "cr-asr-service-worker")]
    assert worker["spec"]["replicas"] == 3
    claim = worker["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]
    assert claim["claimName"] == "shared-rwx"
