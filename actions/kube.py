"""Kubernetes remediations: restart, set image, scale, delete a pod, wire a secret into env.

Patches send whole container lists (with whole env lists), so a strategic
merge on a real API server and a plain merge give the same result.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from typing import Any

from actions.bounds import KUBE_REPLICAS
from actions.model import (
    Action,
    ActionError,
    Change,
    Check,
    Choices,
    Danger,
    Outcome,
    Param,
    Plan,
)
from actions.secrets import remember_secret
from cloud.classify import missing_env_name, unready_reason
from cloud.model.ref import ResourceRef
from cloud.records import PodRecord
from cloud.text import human


def _split(action: Action) -> tuple[str, str]:
    namespace, slash, name = action.target.partition("/")
    if not slash or not namespace or not name:
        raise ActionError(f"{action.name}: target must be k8s:NAMESPACE/DEPLOYMENT")
    return namespace, name


def _apps(action: Action) -> Any:
    from kubernetes import client

    api = action.session.kube_api()
    if api is None:
        raise ActionError(f"{action.name}: no Kubernetes context is configured")
    return client.AppsV1Api(api)


def _core(action: Action) -> Any:
    from kubernetes import client

    api = action.session.kube_api()
    if api is None:
        raise ActionError(f"{action.name}: no Kubernetes context is configured")
    return client.CoreV1Api(api)


def _deployment(action: Action) -> dict[str, Any]:
    from kubernetes.client.exceptions import ApiException

    namespace, name = _split(action)
    try:
        raw = _apps(action).read_namespaced_deployment(name, namespace)
    except ApiException as exc:
        raise ActionError(f"{action.name}: deployment {action.target}: {exc.reason}") from exc
    answer: dict[str, Any] = action.session.kube_api().sanitize_for_serialization(raw)
    return answer


def _containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    return containers


def _kubectl(action: Action) -> str:
    namespace, name = _split(action)
    return f"kubectl -n {namespace} {{}} deployment/{name}"


def _ready(pod: PodRecord) -> str:
    ready = sum(1 for c in pod.containers if c.ready)
    return f"{ready}/{len(pod.containers)} ready"


class RestartRollout(Action):
    """Restart every pod of a deployment (``kubectl rollout restart``)."""

    name = "restart-rollout"
    title = "Restart a deployment's pods"
    danger = Danger.RISKY
    target_kind = "k8s"

    def _plan(self) -> Plan:
        deployment = _deployment(self)
        generation = str(deployment["metadata"].get("generation", ""))
        return self._new_plan(
            f"restart the pods of {self.target}",
            checks=(Check("deployment exists", True, self.target),),
            changes=(Change(self.target, "pods", "current", "replaced, one by one"),),
            commands=(_kubectl(self).format("rollout restart"),),
            fingerprint=(("generation", generation),),
        )

    def _apply(self, plan: Plan) -> Outcome:
        namespace, name = _split(self)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        patch = {
            "spec": {
                "template": {
                    "metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}
                }
            }
        }
        _apps(self).patch_namespaced_deployment(name, namespace, patch)
        return Outcome(True, f"{self.target} restarted at {now}")


class SetImage(Action):
    """Point a deployment's container at another tag or digest."""

    name = "set-image"
    title = "Set a container's image"
    danger = Danger.RISKY
    target_kind = "k8s"
    params = (
        Param(
            "image", "a full image reference, or :TAG / @DIGEST of the current one", required=True
        ),
        Param("container", "the container (default: the first)"),
    )

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """The image the deployment runs now."""
        return {"image": record.images[0] if record.images else ""}

    def _plan(self) -> Plan:
        deployment = _deployment(self)
        containers = _containers(deployment)
        wanted = self.values.get("container") or containers[0]["name"]
        container = next((c for c in containers if c["name"] == wanted), None)
        if container is None:
            raise ActionError(f"{self.name}: no container {wanted!r} in {self.target}")
        current = str(container.get("image", ""))
        image = self.values["image"]
        if image.startswith((":", "@")):
            repo = current.split("@", 1)[0]
            last = repo.rsplit("/", 1)[-1]
            repo = repo.rsplit(":", 1)[0] if ":" in last else repo
            image = repo + image
        changes = (
            ()
            if image == current
            else (Change(f"{self.target}/{wanted}", "image", current, image),)
        )
        return self._new_plan(
            f"run {image} in {self.target}",
            checks=(Check("container exists", True, wanted),),
            changes=changes,
            commands=(_kubectl(self).format("set image") + f" {wanted}={shlex.quote(image)}",),
            fingerprint=(("image", current),),
            internals={"container": wanted, "image": image},
        )

    def _apply(self, plan: Plan) -> Outcome:
        if plan.changes_nothing:
            return Outcome(True, "the container already runs that image")
        namespace, name = _split(self)
        containers = _containers(_deployment(self))
        for container in containers:
            if container["name"] == plan.internals["container"]:
                container["image"] = plan.internals["image"]
        patch = {"spec": {"template": {"spec": {"containers": containers}}}}
        _apps(self).patch_namespaced_deployment(name, namespace, patch)
        return Outcome(True, f"{self.target} runs {plan.internals['image']}")


class ScaleDeployment(Action):
    """Change a deployment's replica count."""

    name = "scale-deployment"
    title = "Scale a deployment"
    danger = Danger.RISKY
    target_kind = "k8s"
    params = (Param("count", "the number of replicas", required=True, bounds=KUBE_REPLICAS),)

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """The replicas wanted now."""
        return {"count": str(record.desired)}

    def _plan(self) -> Plan:
        count = self.values["count"]
        if not count.isdigit():
            raise ActionError(f"{self.name}: count must be a whole number, got {count!r}")
        replicas = int(_deployment(self)["spec"].get("replicas", 1))
        changes = (
            ()
            if replicas == int(count)
            else (Change(self.target, "replicas", str(replicas), count),)
        )
        return self._new_plan(
            f"scale {self.target} from {replicas} to {count}",
            checks=(Check("deployment exists", True, self.target),),
            changes=changes,
            commands=(_kubectl(self).format("scale") + f" --replicas={count}",),
            fingerprint=(("replicas", str(replicas)),),
        )

    def _apply(self, plan: Plan) -> Outcome:
        namespace, name = _split(self)
        patch = {"spec": {"replicas": int(self.values["count"])}}
        _apps(self).patch_namespaced_deployment(name, namespace, patch)
        return Outcome(True, f"{self.target} scaled to {self.values['count']}")


class DeletePod(Action):
    """Delete one pod of a deployment so that it is recreated.

    Risky, not destructive: the deployment makes the pod again, so the preview asks for
    ``a`` (Cancel focused), not for the pod's name to be typed.
    """

    name = "delete-pod"
    title = "Delete a pod"
    danger = Danger.RISKY
    target_kind = "k8s"
    params = (Param("pod", "the pod's name", required=True),)

    @classmethod
    def applies_to(cls, record: Any, selected: object = None) -> bool:
        """A deployment with pods."""
        return bool(record.pods)

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """The pod selected in the detail, else a not-ready one, else the first."""
        if isinstance(selected, PodRecord):
            return {"pod": selected.name}
        unready = [p for p in record.pods if unready_reason(p) is not None]
        return {"pod": (unready or list(record.pods))[0].name}

    @classmethod
    def choices(cls, session: Any, ref: ResourceRef, record: Any) -> Choices:
        """The deployment's pods, not-ready ones first, each with its readiness and why."""
        pods = sorted(record.pods, key=lambda p: unready_reason(p) is None) if record else []
        return {
            "pod": tuple(
                (f"{p.name}  {_ready(p)}  {unready_reason(p) or p.phase}", p.name) for p in pods
            )
        }

    def _plan(self) -> Plan:
        from kubernetes.client.exceptions import ApiException

        namespace, _ = _split(self)
        pod = self.values["pod"]
        try:
            found = _core(self).read_namespaced_pod(pod, namespace)
            phase = human(found.status.phase if found.status else None, "phase unknown")
        except ApiException:
            phase = ""
        return self._new_plan(
            f"delete pod {namespace}/{pod}",
            checks=(Check("pod exists", bool(phase), f"{namespace}/{pod} {phase}"),),
            changes=(Change(f"{namespace}/{pod}", "pod", phase, "(deleted)"),),
            commands=(f"kubectl -n {namespace} delete pod {pod}",),
            fingerprint=(("phase", phase),),
        )

    def _apply(self, plan: Plan) -> Outcome:
        namespace, _ = _split(self)
        _core(self).delete_namespaced_pod(self.values["pod"], namespace)
        return Outcome(True, f"pod {namespace}/{self.values['pod']} deleted")


class WireSecretEnv(Action):
    """Create or update a secret and reference it from a deployment's env (``secretKeyRef``)."""

    name = "wire-secret-env"
    title = "Put a secret into a deployment's environment"
    danger = Danger.RISKY
    target_kind = "k8s"
    params = (
        Param("name", "the environment variable, e.g. CLICKHOUSE_URL", required=True),
        Param("secret", "the secret's name (default: DEPLOYMENT-secrets)"),
        Param("key", "the key in the secret (default: the variable, lower-case, dashes)"),
        Param("container", "the container (default: the first)"),
        Param("value", "the secret value (typed, never shown)", secret=True),
    )

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """The variable a crashing container's last words name (the finding's fix names it
        too, from the pod's log, and wins)."""
        said = "\n".join(
            c.last_message or "" for pod in record.pods for c in pod.containers if c.last_message
        )
        return {"name": missing_env_name(said) or "", "secret": "", "key": "", "value": ""}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        value = self.values.get("value")
        if value:
            remember_secret(value)

    def _names(self) -> tuple[str, str, str]:
        _, deployment = _split(self)
        var = self.values["name"]
        secret = self.values.get("secret") or f"{deployment}-secrets"
        key = self.values.get("key") or var.lower().replace("_", "-")
        return var, secret, key

    def _plan(self) -> Plan:
        from kubernetes.client.exceptions import ApiException

        namespace, _ = _split(self)
        var, secret, key = self._names()
        deployment = _deployment(self)
        containers = _containers(deployment)
        wanted = self.values.get("container") or containers[0]["name"]
        container = next((c for c in containers if c["name"] == wanted), None)
        if container is None:
            raise ActionError(f"{self.name}: no container {wanted!r} in {self.target}")
        try:
            existing = _core(self).read_namespaced_secret(secret, namespace)
            keys = sorted((existing.data or {}).keys())
            secret_state = "exists" + (f" (keys: {', '.join(keys)})" if keys else "")
        except ApiException:
            secret_state = "(absent)"
        env = {e["name"]: e for e in container.get("env") or []}
        ref = {"secretKeyRef": {"name": secret, "key": key}}
        wired = env.get(var, {}).get("valueFrom") == ref
        changes = [Change(f"secret {namespace}/{secret}", key, secret_state, "value set (hidden)")]
        if not wired:
            before = "(missing)" if var not in env else "set another way"
            changes.append(
                Change(
                    f"{self.target}/{wanted}", f"env {var}", before, f"secretKeyRef {secret}/{key}"
                )
            )
        return self._new_plan(
            f"{var} of {self.target} from secret {secret} (key {key})",
            checks=(
                Check("container exists", True, wanted),
                Check("a value was given", bool(self.values.get("value")), "typed, never shown"),
            ),
            changes=tuple(changes),
            commands=(
                f"kubectl -n {namespace} create secret generic {secret} "
                f'--from-literal={key}="$VALUE" --dry-run=client -o yaml | kubectl apply -f -',
                _kubectl(self).format("set env")
                + f" -c {wanted} --from=secret/{secret} --keys={key}  # then rename to {var}",
            ),
            fingerprint=(("secret", secret_state), ("wired", str(wired))),
            internals={"container": wanted},
        )

    def _apply(self, plan: Plan) -> Outcome:
        import base64

        from kubernetes.client.exceptions import ApiException

        namespace, name = _split(self)
        var, secret, key = self._names()
        value = self.values.get("value", "")
        encoded = base64.b64encode(value.encode()).decode()
        core = _core(self)
        body = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": secret, "namespace": namespace},
            "type": "Opaque",
            "data": {key: encoded},
        }
        try:
            core.read_namespaced_secret(secret, namespace)
            core.patch_namespaced_secret(secret, namespace, {"data": {key: encoded}})
        except ApiException as exc:
            if exc.status != 404:
                raise ActionError(f"{self.name}: secret {secret}: {exc.reason}") from exc
            core.create_namespaced_secret(namespace, body)
        containers = _containers(_deployment(self))
        for container in containers:
            if container["name"] != plan.internals["container"]:
                continue
            env = [e for e in container.get("env") or [] if e.get("name") != var]
            env.append({"name": var, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}})
            container["env"] = env
        patch = {"spec": {"template": {"spec": {"containers": containers}}}}
        _apps(self).patch_namespaced_deployment(name, namespace, patch)
        return Outcome(True, f"{var} of {self.target} now comes from secret {secret}")
