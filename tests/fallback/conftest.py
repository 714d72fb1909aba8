"""Real pieces for fallback builds: the Docker engine, Debian's registry, a moto ECR endpoint.

- ``engine``: the Docker engine of this machine (tests skip, with the reason, without one);
- ``start_registry``: ``docker-registry serve`` on a free loopback port with its
  storage in tmp, optionally with htpasswd auth (bcrypt from Python's ``bcrypt``
  or apache2-utils' ``htpasswd``) or read-only;
- ``ecr``: a ThreadedMotoServer, so ``get_authorization_token`` and
  ``describe_repositories`` are real HTTP; its proxyEndpoint is not our
  registry, so tests push with the action's registry override.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from base64 import b64decode, b64encode
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from actions.fallback import DockerEngine, EngineUnreachable, connect_engine
from cloud.session import CloudSession
from tests.support import until

REGION = "ap-northeast-1"
REGISTRY_BINARY = shutil.which("docker-registry") or "/usr/bin/docker-registry"
SAMPLE_BACKEND = Path(__file__).parents[2] / "demo" / "sample_backend"
MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.oci.image.manifest.v1+json"
)
_names = itertools.count()


@pytest.fixture(scope="session")
def engine() -> DockerEngine:
    """The Docker engine here (the SDK path), or skip with where it was looked for."""
    try:
        return connect_engine(use_buildx=False)
    except EngineUnreachable as exc:
        pytest.skip(f"needs a Docker engine: {exc}")


@dataclass
class Registry:
    """A running ``docker-registry`` on loopback and a way to read it without our code."""

    url: str
    process: subprocess.Popen[bytes]
    user: str | None = None
    password: str | None = None

    @property
    def host(self) -> str:
        return self.url.split("://", 1)[1]

    def digest(self, repository: str, tag: str) -> str | None:
        """The digest ``tag`` points at (GET /v2/<name>/manifests/<tag>), None if absent."""
        request = urllib.request.Request(
            f"{self.url}/v2/{repository}/manifests/{tag}", headers={"Accept": MANIFEST_TYPES}
        )
        if self.user and self.password:
            token = b64encode(f"{self.user}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return str(answer.headers["Docker-Content-Digest"])
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _htpasswd_line(user: str, password: str) -> str:
    try:
        import bcrypt
    except ImportError:
        tool = shutil.which("htpasswd")
        if tool is None:
            pytest.skip("registry auth needs Python's bcrypt or apache2-utils' htpasswd")
        done = subprocess.run(
            [tool, "-nbB", user, password], capture_output=True, text=True, check=True
        )
        return done.stdout.strip()
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=5)).decode()
    return f"{user}:{hashed}"


def _answers(url: str) -> bool:
    """Whether the registry at ``url`` answers ``/v2/`` (a 401 asking for credentials too)."""
    try:
        urllib.request.urlopen(f"{url}/v2/", timeout=1).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


@pytest.fixture
def start_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Registry]]:
    """Start registries for this test: ``start_registry(password=..., read_only=...)``.

    Their storage is outside the test's ``tmp_path``: tests build contexts there, and a
    context holding a registry's uploads changes under the engine while it is sent.
    """
    if not os.access(REGISTRY_BINARY, os.X_OK):
        pytest.skip(f"needs Debian's docker-registry ({REGISTRY_BINARY} not found)")
    running: list[Registry] = []

    def start(password: str | None = None, read_only: bool = False) -> Registry:
        folder = tmp_path_factory.mktemp(f"registry-{next(_names)}")
        (folder / "data").mkdir(parents=True)
        port = _free_port()
        lines = [
            "version: 0.1",
            "log:",
            "  level: error",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {folder / 'data'}",
            "  delete:",
            "    enabled: true",
            "  maintenance:",
            "    uploadpurging:",
            "      enabled: false",
            "    readonly:",
            f"      enabled: {'true' if read_only else 'false'}",
            "http:",
            f"  addr: 127.0.0.1:{port}",
        ]
        if password is not None:
            (folder / "htpasswd").write_text(_htpasswd_line("AWS", password) + "\n")
            lines += ["auth:", "  htpasswd:", "    realm: shipdeck-tests"]
            lines += [f"    path: {folder / 'htpasswd'}"]
        (folder / "config.yml").write_text("\n".join(lines) + "\n")
        with (folder / "registry.log").open("wb") as log:
            process = subprocess.Popen(
                [REGISTRY_BINARY, "serve", str(folder / "config.yml")],
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        registry = Registry(f"http://127.0.0.1:{port}", process, "AWS", password)
        running.append(registry)
        # A program starting on its own has no event to wait on: the tests' one poll.
        if not until(lambda: _answers(registry.url) or process.poll() is not None, 10):
            pytest.fail("docker-registry did not answer within 10 s")
        if process.poll() is not None:
            text = (folder / "registry.log").read_text(errors="replace")
            pytest.fail(f"docker-registry exited: {text[-500:]}")
        return registry

    yield start
    for registry in running:
        registry.process.terminate()
        registry.process.wait(10)


@pytest.fixture(scope="session")
def ecr_url() -> Iterator[str]:
    """A plain moto server on loopback: ECR over real HTTP."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(ecr_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point boto3 (ours and the test's) at the moto server."""
    env = {
        "AWS_ENDPOINT_URL": ecr_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return env


@pytest.fixture
def ecr(aws_env: dict[str, str]) -> Any:
    """A plain boto3 ECR client on the moto server (to set up and read back)."""
    return boto3.client("ecr", region_name=REGION, endpoint_url=aws_env["AWS_ENDPOINT_URL"])


@pytest.fixture
def ecr_password(ecr: Any) -> str:
    """The password moto's get_authorization_token hands out (the registry is set to it)."""
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    return b64decode(token).decode().partition(":")[2]


@pytest.fixture
def session(aws_env: dict[str, str]) -> CloudSession:
    return CloudSession(regions=(REGION,))


@pytest.fixture
def repositories(ecr: Any) -> Callable[..., list[str]]:
    """Create ECR repositories (idempotent); returns their names."""

    def create(*names: str) -> list[str]:
        for name in names:
            with contextlib.suppress(ecr.exceptions.RepositoryAlreadyExistsException):
                ecr.create_repository(repositoryName=name)
        return list(names)

    return create


def write_service(
    context: Path, service: str, *, steps: int = 2, big: int = 0, broken: bool = False
) -> None:
    """A ``FROM scratch`` service: ``steps`` COPY steps, optionally a ``big`` random file."""
    folder = context / service
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app").write_text(f"#!/bin/false\n# {service} {time.time_ns()}\n")
    lines = ["FROM scratch"] + [f"COPY {service}/app /app/{i}" for i in range(steps)]
    if big:
        with (folder / "blob").open("wb") as handle:
            for _ in range(big // (1 << 20)):
                handle.write(os.urandom(1 << 20))
        lines.append(f"COPY {service}/blob /blob")
    if broken:
        lines.append(f"COPY {service}/no-such-file /nowhere")
    (folder / "Dockerfile").write_text("\n".join(lines) + "\n")
