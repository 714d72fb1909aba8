"""The world's registry host: Debian's ``docker-registry`` on loopback, mirrored into ECR.

ECR is two things: an API (moto serves it) and a registry host that ``docker
push`` talks to. The world stands in for the host with ``docker-registry``
(started when the binary is on PATH; ``SHIPDECK_WORLD_REGISTRY`` names another
binary, or ``off``):

- ``GetAuthorizationToken`` answers with the registry as ``proxyEndpoint``
  (``http://127.0.0.1:PORT``) and moto's token (``AWS:<password>``); the
  registry has no auth, so any password is accepted, as a login would be;
- the registry notifies the gateway of every manifest pushed or deleted
  (``notifications.endpoints``); the world puts the same manifest into its ECR
  with the registry's digest, and remembers the image's size as ECR counts it
  (the sum of the layers), so ``describe_images`` shows what was pushed and the
  pods waiting on that tag recover.

The registry holds only what was pushed to it: the scenario's images live in
the ECR API alone (their layers are made up), so ``docker pull`` of a seeded
tag is refused, as from a registry whose blobs were never uploaded.

:func:`write_console_config` writes the config file a console on the world
uses: the world's regions and a ``[fallback.nova-ecr-build]`` recipe for
``demo/sample_backend``, so ``shipdeck fallback-build nova-ecr-build --yes``
needs no other flag.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import secrets
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from demo.aws_clients import ClientPool
from demo.ecr_view import EcrView
from demo.gateway import Call, Forward, Reply, Route
from demo.model import Scenario
from demo.profiles import read_only_tables

log = logging.getLogger(__name__)

BINARY_ENV = "SHIPDECK_WORLD_REGISTRY"
EVENTS_PATH = "/_shipdeck/registry-events"
READY_TIMEOUT = 15.0
MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
)
INDEX_TYPES = MANIFEST_TYPES[2:]
_AUTH_TARGET = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"

SAMPLE_BACKEND = Path(__file__).resolve().parent / "sample_backend"
SAMPLE_RECIPE = "nova-ecr-build"
SAMPLE_REPOSITORY = "nova/{service}"
SAMPLE_TAGS = ("latest", "main-{git_sha}")
CONFIG_NAME = "shipdeck.toml"


def registry_binary() -> str | None:
    """The ``docker-registry`` to run: ``SHIPDECK_WORLD_REGISTRY`` (``off``: none), else PATH."""
    chosen = os.environ.get(BINARY_ENV, "").strip()
    if chosen.lower() in ("off", "none", "0", "false"):
        return None
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    return shutil.which("docker-registry")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class StoredManifest:
    """A manifest as the registry stores it: bytes, media type and digest."""

    body: bytes
    media_type: str
    digest: str

    def data(self) -> dict[str, Any]:
        """The parsed manifest ({} when it is not a JSON object)."""
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}


class LocalRegistry:
    """One ``docker-registry serve`` process on 127.0.0.1, its storage in the state dir."""

    def __init__(self, binary: str, state_dir: Path, events_url: str) -> None:
        self.binary = binary
        self.folder = state_dir / "registry"
        self.port = _free_port()
        self.events_url = events_url
        self.process: subprocess.Popen[bytes] | None = None
        self.ready = threading.Event()

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``, the prefix of image references."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, ECR's ``proxyEndpoint`` in the world."""
        return f"http://{self.host}"

    def config_text(self) -> str:
        """The registry's config: loopback, no auth, deletes on, push/delete events to the world."""
        return "\n".join(
            [
                "version: 0.1",
                "log:",
                "  level: warn",
                "  accesslog:",
                "    disabled: true",
                "storage:",
                "  filesystem:",
                f"    rootdirectory: {json.dumps(str(self.folder / 'data'))}",
                "  delete:",
                "    enabled: true",
                "  maintenance:",
                "    uploadpurging:",
                "      enabled: false",
                "http:",
                f"  addr: {self.host}",
                f"  secret: {secrets.token_hex(16)}",
                "notifications:",
                "  endpoints:",
                "    - name: shipdeck-world",
                f"      url: {json.dumps(self.events_url)}",
                "      timeout: 5s",
                "      threshold: 3",
                "      backoff: 250ms",
                "      ignore:",
                "        mediatypes: [application/octet-stream]",
                "        actions: [pull]",
                "",
            ]
        )

    def start(self) -> None:
        """Write the config and start the process (readiness: :meth:`wait_ready`)."""
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        config = self.folder / "config.yml"
        config.write_text(self.config_text(), encoding="utf-8")
        with (self.folder / "registry.log").open("ab") as errors:
            self.process = subprocess.Popen(
                [self.binary, "serve", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> bool:
        """Poll ``/v2/`` until the registry answers; False if it exited or took too long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                urllib.request.urlopen(f"{self.url}/v2/", timeout=1).close()
            except urllib.error.HTTPError:
                pass  # answering: up
            except OSError:
                time.sleep(0.05)
                continue
            self.ready.set()
            return True
        return False

    def last_error(self) -> str:
        """The last line the registry wrote on stderr, for the world's log."""
        try:
            lines = (self.folder / "registry.log").read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return lines[-1] if lines else ""

    def stop(self) -> None:
        """Stop the process (SIGTERM, then kill)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    # --- the registry API, read side ------------------------------------------------------

    def _get(self, path: str, accept: str | None = None) -> tuple[bytes, dict[str, str]] | None:
        request = urllib.request.Request(f"{self.url}/v2/{path}")
        if accept:
            request.add_header("Accept", accept)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.read(), dict(answer.headers.items())
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None
            raise

    def manifest(self, repository: str, reference: str) -> StoredManifest | None:
        """What ``reference`` (tag or digest) points at, None when absent."""
        found = self._get(f"{repository}/manifests/{reference}", ", ".join(MANIFEST_TYPES))
        if found is None:
            return None
        body, headers = found
        media = headers.get("Content-Type", MANIFEST_TYPES[0]).split(";")[0].strip()
        digest = headers.get("Docker-Content-Digest", reference)
        return StoredManifest(body, media, digest)

    def repositories(self) -> list[str]:
        """Every repository holding something (``/v2/_catalog``)."""
        found = self._get("_catalog?n=1000")
        return list(json.loads(found[0]).get("repositories") or ()) if found else []

    def tags(self, repository: str) -> list[str]:
        """The tags of ``repository``."""
        found = self._get(f"{repository}/tags/list?n=1000")
        return list(json.loads(found[0]).get("tags") or ()) if found else []

    def image_size(self, repository: str, manifest: StoredManifest) -> int:
        """The size ECR reports: the layers summed (of each platform image, for an index)."""
        data = manifest.data()
        if manifest.media_type not in INDEX_TYPES and "manifests" not in data:
            return sum(int(layer.get("size", 0)) for layer in data.get("layers") or ())
        total = 0
        for child in data.get("manifests") or ():
            annotations = child.get("annotations") or {}
            if annotations.get("vnd.docker.reference.type") == "attestation-manifest":
                continue  # buildx's provenance: no layers of the image
            found = self.manifest(repository, str(child.get("digest")))
            if found is not None:
                total += self.image_size(repository, found)
        return total


@dataclass(frozen=True)
class RegistryEvent:
    """One notification the world acts on: a manifest pushed under a tag, or deleted."""

    action: str  # push | delete
    repository: str
    digest: str
    tag: str


def parse_events(body: bytes) -> list[RegistryEvent]:
    """The manifest pushes (with a tag) and deletes of a notification envelope."""
    try:
        envelope = json.loads(body)
    except ValueError:
        return []
    listed = envelope.get("events") if isinstance(envelope, dict) else None
    events: list[RegistryEvent] = []
    for event in listed if isinstance(listed, list) else ():
        action = event.get("action")
        target = event.get("target") or {}
        repository, digest = str(target.get("repository", "")), str(target.get("digest", ""))
        if not repository or not digest:
            continue
        if action == "push" and target.get("tag") and target.get("mediaType") in MANIFEST_TYPES:
            events.append(RegistryEvent("push", repository, digest, str(target["tag"])))
        elif action == "delete":
            events.append(RegistryEvent("delete", repository, digest, ""))
    return events


class RegistryMirror:
    """Keeps the world's ECR in step with the registry: pushes and deletes, in order."""

    def __init__(
        self,
        registry: LocalRegistry,
        clients: ClientPool,
        ecr_view: EcrView,
        scenario: Scenario,
        ecr_seeded: threading.Event | None = None,
    ) -> None:
        self.registry = registry
        self._clients = clients
        self._view = ecr_view
        self._seeded = ecr_seeded
        home = scenario.kubernetes.registry_region if scenario.kubernetes else None
        self._home = home or scenario.world.default_region
        self._regions: dict[str, list[str]] = {}
        for repo in scenario.ecr:
            self._regions.setdefault(repo.name, []).append(repo.region)
        self._events: queue.Queue[RegistryEvent | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="registry-mirror", daemon=True)
        self.mirrored = 0

    def routes(self) -> dict[str, Route]:
        """``GetAuthorizationToken`` answered with the registry as ``proxyEndpoint``."""
        return {_AUTH_TARGET: self._authorization_token}

    def _authorization_token(self, call: Call, forward: Forward) -> Reply:
        reply = forward(call)
        if reply.status != 200:
            return reply
        data = reply.data()
        for entry in data.get("authorizationData") or ():
            entry["proxyEndpoint"] = self.registry.url
        return Reply.json(data)

    def hook(self, call: Call) -> Reply | None:
        """The gateway hook taking the registry's notifications (queued, answered at once)."""
        if not call.path.startswith(EVENTS_PATH):
            return None
        if call.method != "POST":
            return Reply(405, b"")
        for event in parse_events(call.body):
            self._events.put(event)
        return Reply(200, b"")

    def start(self) -> None:
        """Start the registry and the thread that mirrors its events into ECR."""
        self.registry.start()
        self._thread.start()

    def stop(self) -> None:
        """Stop mirroring, then the registry."""
        self._events.put(None)
        self.registry.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def region_of(self, repository: str) -> str:
        """The region whose ECR the registry host stands for, for this repository."""
        regions = self._regions.get(repository) or [self._home]
        return self._home if self._home in regions else regions[0]

    def _run(self) -> None:
        if not self.registry.wait_ready():
            log.warning(
                "docker-registry did not start (%s); pushes to the world fail",
                self.registry.last_error() or "no message",
            )
            return
        log.info("registry %s stands for the ECR registry host", self.registry.host)
        if self._seeded is not None:
            self._seeded.wait()
        try:
            self.sync()  # a reused state dir may hold images moto has never seen
        except (ClientError, OSError, ValueError) as err:
            log.warning("registry mirror: the first sync failed: %s", err)
        while True:
            event = self._events.get()
            if event is None:
                return
            try:
                self.apply(event)
            except (ClientError, OSError, ValueError) as err:
                log.warning(
                    "registry mirror: %s %s failed: %s", event.action, event.repository, err
                )

    def sync(self) -> None:
        """Mirror every tag the registry holds (at start)."""
        for repository in self.registry.repositories():
            for tag in self.registry.tags(repository):
                found = self.registry.manifest(repository, tag)
                if found is not None:
                    self.apply(RegistryEvent("push", repository, found.digest, tag))

    def apply(self, event: RegistryEvent) -> None:
        """Put one pushed manifest into ECR under its tag, or delete a deleted one."""
        region = self.region_of(event.repository)
        ecr = self._clients.get("ecr", region)
        if event.action == "delete":
            ecr.batch_delete_image(
                repositoryName=event.repository, imageIds=[{"imageDigest": event.digest}]
            )
            self._view.note_change()
            return
        manifest = self.registry.manifest(event.repository, event.digest)
        if manifest is None:
            return  # deleted since: its delete event follows
        try:
            ecr.put_image(
                repositoryName=event.repository,
                imageManifest=manifest.body.decode("utf-8"),
                imageManifestMediaType=manifest.media_type,
                imageTag=event.tag,
                imageDigest=manifest.digest,
            )
        except ClientError as err:
            code = err.response["Error"]["Code"]
            if code == "ImageAlreadyExistsException":
                return  # the same manifest under the same tag: nothing moved
            if code == "RepositoryNotFoundException":
                log.warning(
                    "pushed %s:%s, but ECR in %s has no such repository; not mirrored",
                    event.repository,
                    event.tag,
                    region,
                )
                return
            raise
        size = self.registry.image_size(event.repository, manifest)
        self._view.remember(region, event.repository, manifest.digest, size, None)
        self._view.note_change()
        self.mirrored += 1
        log.info(
            "pushed %s:%s %s (%d bytes) -> ECR %s",
            event.repository,
            event.tag,
            manifest.digest[:19],
            size,
            region,
        )


def start_registry(
    state_dir: Path,
    gateway_url: str,
    clients: ClientPool,
    ecr_view: EcrView,
    scenario: Scenario,
    ecr_seeded: threading.Event | None = None,
) -> RegistryMirror | None:
    """Start the registry and its mirror, or None (and a log line) without the binary."""
    binary = registry_binary()
    if binary is None:
        chosen = os.environ.get(BINARY_ENV)
        why = f"{BINARY_ENV}={chosen}" if chosen else "docker-registry is not on PATH"
        log.warning(
            "no local registry (%s): GetAuthorizationToken answers as moto does, "
            "and pushes need another registry (shipdeck fallback-build --registry HOST)",
            why,
        )
        return None
    registry = LocalRegistry(binary, state_dir, gateway_url + EVENTS_PATH)
    mirror = RegistryMirror(registry, clients, ecr_view, scenario, ecr_seeded)
    mirror.start()
    return mirror


# --- the console's config for this world ------------------------------------------------


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def sample_services(scenario: Scenario) -> list[str]:
    """The sample backend's services that have a ``nova/<service>`` repository in the world."""
    repositories = {repo.name for repo in scenario.ecr}
    if not SAMPLE_BACKEND.is_dir():
        return []
    return sorted(
        child.name
        for child in SAMPLE_BACKEND.iterdir()
        if (child / "Dockerfile").is_file()
        and SAMPLE_REPOSITORY.format(service=child.name) in repositories
    )


def console_config(scenario: Scenario) -> str:
    """The config file's text: the world's regions, the read-only viewer profile and
    context (``demo.profiles``), and the sample backend's recipe."""
    lines = [
        "# Written by the shipdeck demo world for a console on it (SHIPDECK_CONFIG).",
        f"regions = {_toml_list(scenario.regions)}",
        *read_only_tables(scenario),
    ]
    services = sample_services(scenario)
    if services:
        home = scenario.kubernetes.registry_region if scenario.kubernetes else None
        lines += [
            "",
            "# demo/sample_backend: the Nova services FROM scratch, built with no network.",
            f"[fallback.{SAMPLE_RECIPE}]",
            f"context = {json.dumps(str(SAMPLE_BACKEND))}",
            f"services = {_toml_list(services)}",
            'dockerfile = "{service}/Dockerfile"',
            f"repository = {json.dumps(SAMPLE_REPOSITORY)}",
            'platform = "linux/amd64"',
            f"tags = {_toml_list(SAMPLE_TAGS)}",
            f"region = {json.dumps(home or scenario.world.default_region)}",
        ]
    return "\n".join(lines) + "\n"


def write_console_config(scenario: Scenario, state_dir: Path) -> Path:
    """Write ``shipdeck.toml`` in the state dir and return its path."""
    path = state_dir / CONFIG_NAME
    path.write_text(console_config(scenario), encoding="utf-8")
    return path
