"""Make the cluster follow the world: pods recover when their cause is fixed.

A pod stuck in ImagePullBackOff starts once its ``repo:tag`` exists in ECR; a pod in
CrashLoopBackOff starts once every env var its deployment ``requires_env`` is set on
the deployment's container (a value, or a secretKeyRef/envFrom to an existing key).
Deployment status follows the pods, and deployments get pods back up to
``spec.replicas`` (a deleted pod is replaced, as the ReplicaSet would); a new pod
starts in ContainerCreating and reaches its state on a later tick. A restart (a new
pod template annotation) rolls the pods to a new ReplicaSet (demo/k8s_rollout.py).
Reads and writes go over HTTP with the kubernetes client's ApiClient (raw JSON, cheap).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from demo import k8s_objects as objs
from demo.ecr_view import EcrView
from demo.k8s_rollout import Rollouts, is_ready, new_pods_allowed, template_hash_of
from demo.kube import KubeWorld
from demo.kube_http import KubeHttp
from demo.model import Deployment

SETTLE_TICKS = 2  # a fixed pod turns Running on the second tick that sees it fixed
FULL_CHECK_EVERY = 20  # ticks; otherwise a step runs only when the cluster or ECR changed


class Reconciler:
    """One ``step`` per clock tick."""

    def __init__(self, kube: KubeWorld, ecr: EcrView) -> None:
        self._kube = kube
        self._ecr = ecr
        self._http = KubeHttp(kube.url, "shipdeck-demo-token")
        self._rollouts = Rollouts(kube, self._http)
        self._pending: dict[tuple[str, str], int] = {}
        self._containers: dict[tuple[str, str], dict[str, Any]] = {}
        self._seen: tuple[tuple[int, int], int] | None = None
        self._idle_ticks = 0

    def close(self) -> None:
        """Release the HTTP pool."""
        self._http.close()

    # -- facts of the world --------------------------------------------------------------------
    def image_exists(self, reference: str) -> bool:
        """Whether an ECR image reference resolves (cached until ECR changes)."""
        return self._ecr.image_exists(reference)

    @staticmethod
    def env_satisfied(
        container: dict[str, Any],
        name: str,
        namespace: str,
        secrets: dict[tuple[str, str], set[str]],
    ) -> bool:
        """Whether ``name`` is set on the container, directly or from an existing secret key."""
        for entry in container.get("env") or []:
            if entry.get("name") != name:
                continue
            if entry.get("value"):
                return True
            ref = (entry.get("valueFrom") or {}).get("secretKeyRef") or {}
            if ref.get("key") in secrets.get((namespace, str(ref.get("name"))), set()):
                return True
        for source in container.get("envFrom") or []:
            ref = source.get("secretRef") or {}
            if name in secrets.get((namespace, str(ref.get("name"))), set()):
                return True
        return False

    # -- the step ------------------------------------------------------------------------------
    def step(self, now: float) -> None:
        """Compare pods with the world and move the ones whose cause is gone.

        Skipped while nothing changed (the world runs beside the console on 2 cores).
        """
        state = (self._kube.fingerprint(), self._ecr.generation)
        self._idle_ticks += 1
        if state == self._seen and not self._pending and self._idle_ticks < FULL_CHECK_EVERY:
            return
        self._idle_ticks = 0
        self._reconcile(now)
        # The state from before this step: a change made while it ran (a restart patched
        # mid-step) is seen by the next tick, not taken for one of the step's own writes.
        # The step's own writes cost one more step, which then finds nothing to do.
        self._seen = state

    def _reconcile(self, now: float) -> None:
        pods = self._http.items("/api/v1/pods")
        deployments = {
            (d["metadata"]["namespace"], d["metadata"]["name"]): d
            for d in self._http.items("/apis/apps/v1/deployments")
        }
        secrets: dict[tuple[str, str], set[str]] = {}
        for s in self._http.items("/api/v1/secrets"):
            keys = set((s.get("data") or {}).keys()) | set((s.get("stringData") or {}).keys())
            secrets[(s["metadata"]["namespace"], s["metadata"]["name"])] = keys
        moment = datetime.fromtimestamp(now, UTC)
        owned: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for pod in pods:
            meta = pod.get("metadata", {})
            key = (meta.get("namespace", ""), meta.get("labels", {}).get("app", ""))
            if key in self._kube.deployments and key in deployments:
                owned.setdefault(key, []).append(pod)
        for key, obj in deployments.items():
            scenario = self._kube.deployments.get(key)
            if scenario is None:
                continue
            self._repair_template(key, obj)
            rs_hash = self._rollouts.current_hash(key, obj, scenario)
            mine = owned.get(key, [])
            current = [p for p in mine if template_hash_of(p) == rs_hash]
            for pod in current:
                self._follow(pod, obj, scenario, secrets, moment)
            wanted = int(obj.get("spec", {}).get("replicas", 0) or 0)
            old = [p for p in mine if template_hash_of(p) != rs_hash]
            old = self._rollouts.retire(key, wanted, current, old)
            current = self._scale(obj, scenario, rs_hash, current, len(old), secrets, moment)
            self._report(key, obj, rs_hash, current, old)

    def _repair_template(self, key: tuple[str, str], obj: dict[str, Any]) -> None:
        """kmock replaces lists on PATCH, so a strategic-merge patch of one container field
        (``kubectl set env``) drops the others; merge them back from the last full copy."""
        containers = obj["spec"]["template"]["spec"].get("containers") or [{}]
        container = containers[0]
        known = self._containers.get(key)
        if container.get("image") and container.get("name"):
            self._containers[key] = dict(container)
            return
        if known is None:
            return
        merged = {**known, **container}
        obj["spec"]["template"]["spec"]["containers"] = [merged, *containers[1:]]
        self._containers[key] = merged
        self._http.request(
            "PATCH",
            f"/apis/apps/v1/namespaces/{key[0]}/deployments/{key[1]}",
            {"spec": {"template": {"spec": {"containers": [merged, *containers[1:]]}}}},
        )

    def _target(
        self,
        obj: dict[str, Any],
        scenario: Deployment,
        secrets: dict[tuple[str, str], set[str]],
        pod_image: str | None = None,
    ) -> tuple[str, str]:
        """The state a pod should be in, and its image.

        A waiting pod keeps its own image until the person changes the deployment's image
        (then the rollout would replace it with a pod of the new image).
        """
        container = obj["spec"]["template"]["spec"]["containers"][0]
        image = str(container.get("image", ""))
        seeded = objs.full_image(
            scenario.image, self._kube.account, self._kube.cluster.registry_region
        )
        if pod_image and image == seeded:
            image = pod_image
        if not self.image_exists(image):
            return "ImagePullBackOff", image
        namespace = obj["metadata"]["namespace"]
        if all(self.env_satisfied(container, n, namespace, secrets) for n in scenario.requires_env):
            return "Running", image
        return "CrashLoopBackOff", image

    def _follow(
        self,
        pod: dict[str, Any],
        obj: dict[str, Any],
        scenario: Deployment,
        secrets: dict[tuple[str, str], set[str]],
        now: datetime,
    ) -> None:
        statuses = pod.get("status", {}).get("containerStatuses") or [{}]
        current = statuses[0].get("state", {}).get("waiting", {}).get("reason")
        if current not in ("ImagePullBackOff", "CrashLoopBackOff", "ContainerCreating"):
            return  # running pods keep running: their image is already on the node
        target, image = self._target(
            obj, scenario, secrets, pod["spec"]["containers"][0].get("image")
        )
        name = pod["metadata"]["name"]
        key = (pod["metadata"]["namespace"], name)
        if target == current and pod["spec"]["containers"][0].get("image") == image:
            self._pending.pop(key, None)
            return
        self._pending[key] = self._pending.get(key, 0) + 1
        if self._pending[key] < SETTLE_TICKS:
            return
        del self._pending[key]
        self._write_pod(
            pod, obj, scenario, target, image, now, int(statuses[0].get("restartCount", 0))
        )

    def _write_pod(
        self,
        pod: dict[str, Any],
        obj: dict[str, Any],
        scenario: Deployment,
        state: str,
        image: str,
        now: datetime,
        restarts: int,
    ) -> None:
        name, namespace = pod["metadata"]["name"], pod["metadata"]["namespace"]
        containers = [dict(c) for c in pod["spec"]["containers"]]
        template = obj["spec"]["template"]["spec"]["containers"][0]
        containers[0].update(
            image=image, env=template.get("env", []), envFrom=template.get("envFrom", [])
        )
        status = objs.pod_status(
            state,
            scenario.name,
            image,
            name,
            now,
            restarts,
            "\n".join(scenario.crash_log[-3:]),
            scenario.exit_code,
            objs.pull_failure(image),
        )
        self._http.request(
            "PATCH",
            f"/api/v1/namespaces/{namespace}/pods/{name}",
            {"spec": {"containers": containers}, "status": status},
        )
        pod["spec"]["containers"], pod["status"] = containers, status
        for event in objs.pod_events(state, pod, scenario.name, now, restarts)[1:]:
            self._http.request("POST", f"/api/v1/namespaces/{namespace}/events", event)

    def _scale(
        self,
        obj: dict[str, Any],
        scenario: Deployment,
        rs_hash: str,
        pods: list[dict[str, Any]],
        old: int,
        secrets: dict[tuple[str, str], set[str]],
        now: datetime,
    ) -> list[dict[str, Any]]:
        """Bring the current ReplicaSet's pods to ``spec.replicas``; the pods it then has.

        While ``old`` pods of an earlier ReplicaSet remain, only as many as maxSurge allows.
        """
        namespace, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
        wanted = int(obj.get("spec", {}).get("replicas", 0) or 0)
        live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        if len(live) < wanted:
            _, image = self._target(obj, scenario, secrets)
            rs_name = f"{name}-{rs_hash}"
            template = obj["spec"]["template"]["spec"]["containers"][0]
            for index in range(new_pods_allowed(wanted, len(live), old)):
                pod_name = f"{rs_name}-{objs.pod_suffix(f'{rs_name}{now}{index}')}"
                pod = self._kube.pod_object(scenario, pod_name, rs_name, image, now)
                pod["spec"]["containers"][0].update(
                    env=template.get("env", []), envFrom=template.get("envFrom", [])
                )
                pod["status"] = objs.pod_status(
                    "ContainerCreating", name, image, pod_name, now, 0, "", 0, ""
                )
                self._http.request("POST", f"/api/v1/namespaces/{namespace}/pods", pod)
                scheduled = objs.pod_events("ContainerCreating", pod, name, now, 0)[0]
                self._http.request("POST", f"/api/v1/namespaces/{namespace}/events", scheduled)
                live.append(pod)
        elif len(live) > wanted:
            newest_first = sorted(
                live, key=lambda p: p["metadata"].get("creationTimestamp", ""), reverse=True
            )
            for pod in newest_first[: len(live) - wanted]:
                self._http.request(
                    "DELETE", f"/api/v1/namespaces/{namespace}/pods/{pod['metadata']['name']}"
                )
                live.remove(pod)
        return live

    def _report(
        self,
        key: tuple[str, str],
        obj: dict[str, Any],
        rs_hash: str,
        current: list[dict[str, Any]],
        old: list[dict[str, Any]],
    ) -> None:
        """Deployment (and current ReplicaSet) status from the pods, when it changed."""
        wanted = int(obj.get("spec", {}).get("replicas", 0) or 0)
        ready = sum(1 for p in [*current, *old] if is_ready(p))
        generation = int(obj["metadata"].get("generation", 1))
        status = obj.get("status", {})
        seen = (
            status.get("readyReplicas"),
            status.get("replicas"),
            status.get("updatedReplicas"),
            status.get("observedGeneration"),
        )
        if seen == (ready, len(current) + len(old), len(current), generation):
            return
        self._http.request(
            "PATCH",
            f"/apis/apps/v1/namespaces/{key[0]}/deployments/{key[1]}/status",
            {
                "status": objs.deployment_status(
                    wanted, ready, generation, updated=len(current), pods=len(current) + len(old)
                )
            },
        )
        self._rollouts.record_status(key, rs_hash, current)
