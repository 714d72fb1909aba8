"""Finding the Docker engine the builds run on, and whether the buildx plugin is there.

The engine is the one the docker CLI would use: ``DOCKER_HOST`` (``unix://``,
``tcp://`` with ``DOCKER_TLS_VERIFY``/``DOCKER_CERT_PATH``, ``ssh://`` through
the ssh client), else the current docker context, else the default socket.
When none answers, :class:`EngineUnreachable` says in one line where it looked.
The docker SDK is imported only here and only when a build is about to run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from actions.model import ActionError

if TYPE_CHECKING:
    from docker import APIClient

DEFAULT_SOCKET = "unix:///var/run/docker.sock"
PING_TIMEOUT = 10
# Build and push streams can be silent for a long time (a long RUN step, a big layer).
STREAM_TIMEOUT = 3600


class EngineUnreachable(ActionError):
    """No Docker engine answers; ``str()`` says where shipdeck looked."""


@dataclass(frozen=True)
class DockerEngine:
    """A Docker engine that answered, and how to open more connections to it."""

    base_url: str
    where: str  # how base_url was chosen, for messages: "DOCKER_HOST", "docker context x"
    api_version: str
    server_version: str
    buildx: bool  # `docker buildx version` works with this environment
    params: Mapping[str, Any] = field(default_factory=dict, repr=False)  # tls settings

    @property
    def uses_ssh(self) -> bool:
        """Whether the engine is reached through ``ssh://``."""
        return self.base_url.startswith("ssh://")

    def api(self, timeout: int = STREAM_TIMEOUT) -> APIClient:
        """A new low-level client (one per build worker: its stream can be aborted alone)."""
        from docker import APIClient

        return APIClient(
            base_url=self.base_url,
            version=self.api_version,
            timeout=timeout,
            use_ssh_client=self.uses_ssh,
            **dict(self.params),
        )


def engine_params(environment: Mapping[str, str] | None = None) -> tuple[str, str, dict[str, Any]]:
    """(base_url, where it came from, other client settings) as the docker CLI would pick them."""
    from docker.errors import DockerException
    from docker.utils import kwargs_from_env

    env = dict(os.environ if environment is None else environment)
    params: dict[str, Any] = dict(kwargs_from_env(environment=env))
    if "base_url" in params:
        return str(params.pop("base_url")), "DOCKER_HOST", params
    try:
        from docker.context import ContextAPI

        from_context = dict(ContextAPI.kwargs_from_context(environment=env))
    except (ImportError, AttributeError, TypeError):
        from_context = {}
    except DockerException as exc:  # a broken context store
        raise EngineUnreachable(f"cannot read the current docker context: {exc}") from exc
    base_url = from_context.pop("base_url", None)
    if base_url and base_url != DEFAULT_SOCKET and "docker.sock" not in str(base_url):
        name = env.get("DOCKER_CONTEXT") or "current"
        params.update(from_context)
        return str(base_url), f"docker context {name}", params
    return DEFAULT_SOCKET, "the default socket; DOCKER_HOST is not set", params


def connect_engine(
    environment: Mapping[str, str] | None = None, *, use_buildx: bool | None = None
) -> DockerEngine:
    """The engine that answers, or EngineUnreachable naming where it looked.

    ``use_buildx``: None detects the plugin, False forces the SDK's build API.
    """
    from docker import APIClient
    from docker.errors import DockerException
    from requests.exceptions import RequestException

    base_url, where, params = engine_params(environment)
    try:
        client = APIClient(
            base_url=base_url,
            version="auto",
            timeout=PING_TIMEOUT,
            use_ssh_client=base_url.startswith("ssh://"),
            **params,
        )
        try:
            server = client.version()
        finally:
            client.close()
    except (DockerException, RequestException, OSError) as exc:
        raise EngineUnreachable(
            f"no Docker engine is reachable at {base_url} ({where}): {_first_line(exc)}"
        ) from exc
    buildx = buildx_available(environment) if use_buildx is None else use_buildx
    return DockerEngine(
        base_url=base_url,
        where=where,
        api_version=str(server.get("ApiVersion", client.api_version)),
        server_version=str(server.get("Version", "?")),
        buildx=buildx,
        params=params,
    )


def buildx_available(environment: Mapping[str, str] | None = None) -> bool:
    """Whether ``docker buildx version`` works (the docker CLI and its buildx plugin)."""
    docker_cli = shutil.which("docker")
    if docker_cli is None:
        return False
    env = dict(os.environ if environment is None else environment)
    try:
        done = subprocess.run(
            [docker_cli, "buildx", "version"],
            env=env,
            capture_output=True,
            timeout=15,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _first_line(exc: BaseException) -> str:
    """The innermost telling reason: an OS error's text if there is one in the chain."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        current = pending.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
        pending += [current.__cause__, current.__context__, *current.args]
    text = " ".join(str(exc).split())
    return text.replace("Error while fetching server API version: ", "")[:200] or type(exc).__name__
