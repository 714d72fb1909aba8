"""Build and push with the docker SDK: ``APIClient.build`` streaming, then ``tag`` and ``push``.

Used when the buildx plugin is absent (the classic builder, ``Step n/m``).
The image is built under its image id only; the registry references are
tagged and pushed one by one at the end, each with the ECR credentials passed
as ``auth_config`` (no login file). Every chunk of every stream is checked for
``error``/``errorDetail``: the SDK does not raise when a push is refused.
"""

from __future__ import annotations

import re
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from actions.fallback.job import BuildCancelled, BuildFailed, JobControl, ServiceJob
from actions.fallback.registry import RegistryCredentials
from actions.fallback.status import ServiceState, format_size

if TYPE_CHECKING:
    from docker import APIClient

    from actions.fallback.engine import DockerEngine

STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
# Push progress is one chunk per few kB: tell the listeners at most this often.
PROGRESS_EVERY = 0.5


class Builder(Protocol):
    """Builds one service and pushes its tags; returns the pushed manifest digest."""

    def run(
        self,
        job: ServiceJob,
        control: JobControl,
        credentials: Callable[[], RegistryCredentials],
        before_push: Callable[[], None],
    ) -> str:
        """Build, call ``before_push()``, push; raise BuildFailed or BuildCancelled."""
        ...


class SdkBuilder:
    """The docker SDK path (classic builder), one API client per job."""

    def __init__(self, engine: DockerEngine) -> None:
        self.engine = engine

    def run(
        self,
        job: ServiceJob,
        control: JobControl,
        credentials: Callable[[], RegistryCredentials],
        before_push: Callable[[], None],
    ) -> str:
        """Build, then tag and push each reference."""
        api = self.engine.api()
        responses: list[Any] = []
        # A session-level requests hook hands us each streaming response, so cancel
        # can shut its socket down from another thread and end a blocked read at once.
        api.hooks["response"].append(lambda response, *_a, **_k: responses.append(response))
        tagged: list[str] = []
        # The image is tagged from the moment it exists, with a name of this run's own:
        # another build of the same content on this engine (same image id) untagging its
        # names can then never delete the image between our build and our tags.
        own = f"shipdeck-fallback/{job.service}:{uuid.uuid4().hex[:12]}"
        try:
            image_id = self._build(api, job, control, responses, own)
            tagged.append(own)
            control.check()
            host = credentials().host
            for reference in job.references(host):
                name, _, tag = reference.rpartition(":")
                _api_call(partial(api.tag, image_id, name, tag), f"tag {reference}")
                tagged.append(reference)
            control.update(state=ServiceState.PUSHING, detail="")
            before_push()
            digest = ""
            for reference in tagged[1:]:  # the registry's names, not our own
                control.check()
                digest = self._push(api, reference, control, credentials(), responses) or digest
            return digest
        finally:
            for reference in tagged:
                # The names were only needed to push: the layers stay in the build cache.
                _untag_local(api, reference, control)
            api.close()

    def _build(
        self,
        api: APIClient,
        job: ServiceJob,
        control: JobControl,
        responses: list[Any],
        own: str,
    ) -> str:
        control.update(state=ServiceState.BUILDING, detail="sending the build context")
        control.line(f"building {job.dockerfile} in {job.context} for {job.platform}")
        stream = _api_call(
            lambda: api.build(
                path=str(job.context),
                dockerfile=job.dockerfile,
                platform=job.platform,
                decode=True,
                tag=own,
                rm=True,
                forcerm=True,
            ),
            "build",
        )
        image_id = ""
        text = ""
        with control.streaming(lambda: _abort(responses)):
            for chunk in _chunks(stream, control):
                _raise_on_error(chunk, "build")
                if isinstance(chunk.get("aux"), dict) and chunk["aux"].get("ID"):
                    image_id = str(chunk["aux"]["ID"])
                text += str(chunk.get("stream", ""))
                *complete, text = text.split("\n")
                for line in complete:
                    self._build_line(line, control)
        if text:
            self._build_line(text, control)
        control.check()
        if not image_id:
            raise BuildFailed("the engine ended the build without an image")
        return image_id

    @staticmethod
    def _build_line(line: str, control: JobControl) -> None:
        line = line.rstrip()
        if not line:
            return
        control.line(line)
        step = STEP.match(line)
        if step:
            control.update(
                state=ServiceState.BUILDING,
                step=int(step.group(1)),
                steps=int(step.group(2)),
                detail=step.group(3)[:120],
            )

    def _push(
        self,
        api: APIClient,
        reference: str,
        control: JobControl,
        creds: RegistryCredentials,
        responses: list[Any],
    ) -> str:
        name, _, tag = reference.rpartition(":")
        control.line(f"pushing {reference}")
        stream = _api_call(
            lambda: api.push(
                name, tag=tag, stream=True, decode=True, auth_config=creds.auth_config
            ),
            f"push {reference}",
        )
        digest = ""
        layers: dict[str, tuple[int, int]] = {}
        said: set[tuple[str, str]] = set()
        last_progress = 0.0
        with control.streaming(lambda: _abort(responses)):
            for chunk in _chunks(stream, control):
                _raise_on_error(chunk, f"push {reference}")
                aux = chunk.get("aux")
                if isinstance(aux, dict) and aux.get("Digest"):
                    digest = str(aux["Digest"])
                status, layer = str(chunk.get("status", "")), str(chunk.get("id", ""))
                detail = chunk.get("progressDetail") or {}
                if status == "Pushing" and detail.get("total"):
                    layers[layer] = (int(detail.get("current", 0)), int(detail["total"]))
                    now = time.monotonic()
                    if now - last_progress >= PROGRESS_EVERY:
                        last_progress = now
                        done = sum(min(c, t) for c, t in layers.values())
                        total = sum(t for _, t in layers.values())
                        control.update(detail=f"{tag}: {format_size(done)} of {format_size(total)}")
                elif status and (status, layer) not in said:
                    said.add((status, layer))
                    control.line(f"{layer}: {status}" if layer else status)
        control.check()
        if not digest:
            raise BuildFailed(f"push {reference}: the engine did not report a digest")
        return digest


def _chunks(stream: Iterable[Any], control: JobControl) -> Iterator[dict[str, Any]]:
    """The decoded chunks of a stream; a cut connection is a cancel if one was asked for."""
    from docker.errors import DockerException
    from requests.exceptions import RequestException
    from urllib3.exceptions import HTTPError as Urllib3Error

    try:
        for chunk in stream:
            if isinstance(chunk, dict):
                yield chunk
            else:
                control.line(str(chunk))
    except (RequestException, Urllib3Error, DockerException, OSError, ValueError) as exc:
        if control.cancelled:
            raise BuildCancelled(control.service) from exc
        raise BuildFailed(f"lost the Docker engine: {_one_line(exc)}") from exc


def _raise_on_error(chunk: dict[str, Any], what: str) -> None:
    detail = chunk.get("errorDetail")
    message = chunk.get("error") or (detail.get("message") if isinstance(detail, dict) else None)
    if message is None and set(chunk) == {"message"}:
        message = chunk["message"]  # an error answer the engine sent as the stream body
    if message:
        raise BuildFailed(f"{what}: {_one_line(message)}")


def _api_call(call: Callable[[], Any], what: str) -> Any:
    from docker.errors import DockerException
    from requests.exceptions import RequestException

    try:
        return call()
    except (DockerException, RequestException, OSError) as exc:
        explanation = getattr(exc, "explanation", None) or exc
        raise BuildFailed(f"{what}: {_one_line(explanation)}") from exc


def _abort(responses: list[Any]) -> None:
    """Cut the stream being read: shut its socket down (the engine stops that build or push)."""
    if not responses:
        return
    response = responses[-1]
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
            return
        except OSError:
            pass  # already closed: closing the response below is all that is left to do
    elif sock is not None:
        sock.close()  # the ssh transport: ends the ssh process, which ends the read
        return
    response.close()


def _untag_local(api: APIClient, reference: str, control: JobControl) -> None:
    from docker.errors import DockerException
    from requests.exceptions import RequestException

    try:
        api.remove_image(reference, noprune=True)
    except (DockerException, RequestException) as exc:
        control.line(f"could not remove the local tag {reference}: {_one_line(exc)}")


def _one_line(value: object) -> str:
    text = " ".join(str(value).split())
    return text[:300] or type(value).__name__
