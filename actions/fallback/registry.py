"""The registry side of a fallback build: ECR login, and undoing tags a cancelled push left.

:class:`EcrLogin` turns ``get_authorization_token`` into credentials for the
push (``AWS`` + password, the ``proxyEndpoint`` host), refreshed well before
the 12 h ``expiresAt``; nothing is written to disk and the password is masked
wherever it might be echoed. A registry override (tests, a mirror, the demo
world before it answers with its own registry) replaces only the host.

:class:`RegistryApi` speaks the registry HTTP API v2 (which ECR serves too,
with basic auth) to read what a tag points at, put a manifest back, or delete
one. :class:`TagGuard` uses it: before a push it notes what each tag points
at; if the push is cancelled or fails after a tag may have landed, it puts
the old manifest back, or removes the tag that was new.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from actions.model import ActionError
from actions.secrets import remember_secret

MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
)
# Refresh the token this long before ECR says it expires (tokens last 12 h).
REFRESH_MARGIN = timedelta(minutes=30)


class RegistryError(ActionError):
    """The registry refused or could not be reached; ``str()`` is one line."""


@dataclass(frozen=True)
class RegistryCredentials:
    """Where to push and as whom; the password is never printed (``repr`` hides it)."""

    endpoint: str  # scheme://host[:port], as ECR's proxyEndpoint
    username: str
    password: str = field(repr=False)
    expires: datetime | None = None

    @property
    def host(self) -> str:
        """``host[:port]``, the prefix of every image reference."""
        return urlsplit(self.endpoint).netloc

    @property
    def auth_config(self) -> dict[str, str]:
        """The docker SDK's per-push ``auth_config`` (no login file)."""
        return {"username": self.username, "password": self.password}

    @property
    def basic_auth(self) -> str:
        """The ``Authorization`` header value for the registry API and ``config.json``."""
        raw = f"{self.username}:{self.password}".encode()
        return base64.b64encode(raw).decode("ascii")


def endpoint_url(text: str) -> str:
    """``host:port`` or ``scheme://host:port`` -> ``scheme://host:port`` (loopback: http)."""
    raw = text.strip().rstrip("/")
    if "://" in raw:
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RegistryError(f"registry {text!r}: expected HOST[:PORT] or http(s)://HOST[:PORT]")
        return f"{parts.scheme}://{parts.netloc}"
    host = urlsplit(f"//{raw}").hostname or ""
    if not host:
        raise RegistryError(f"registry {text!r}: expected HOST[:PORT] or http(s)://HOST[:PORT]")
    return f"{'http' if _loopback(host) else 'https'}://{raw}"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_ecr_host(host: str) -> bool:
    """Whether ``host`` is a real ECR registry (``<account>.dkr.ecr.<region>.amazonaws.com``)."""
    name = host.split(":", 1)[0]
    return ".dkr.ecr." in name and (name.endswith(".amazonaws.com") or name.endswith(".com.cn"))


class EcrLogin:
    """ECR credentials for pushes, from ``get_authorization_token``, refreshed before expiry."""

    def __init__(self, ecr_client: Any, *, registry_override: str | None = None) -> None:
        self._client = ecr_client
        self._override = endpoint_url(registry_override) if registry_override else None
        self._lock = threading.Lock()
        self._cached: RegistryCredentials | None = None

    def credentials(self) -> RegistryCredentials:
        """Valid credentials: the cached ones, or fresh ones when they expire within 30 min."""
        with self._lock:
            cached = self._cached
            if cached is not None and not _expiring(cached.expires):
                return cached
            self._cached = self._fetch()
            return self._cached

    def _fetch(self) -> RegistryCredentials:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self._client.get_authorization_token()
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise RegistryError(
                f"ECR login failed: {error.get('Code', 'error')}: {error.get('Message', exc)}"
            ) from exc
        except BotoCoreError as exc:
            raise RegistryError(f"ECR login failed: {exc}") from exc
        data = (answer.get("authorizationData") or [{}])[0]
        token = data.get("authorizationToken")
        endpoint = data.get("proxyEndpoint")
        if not token or not endpoint:
            raise RegistryError("ECR login failed: the answer has no authorization token")
        try:
            username, _, password = base64.b64decode(token).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError) as exc:
            raise RegistryError("ECR login failed: the token is not base64 USER:PASSWORD") from exc
        remember_secret(password)
        expires = data.get("expiresAt")
        return RegistryCredentials(
            endpoint=self._override or endpoint_url(str(endpoint)),
            username=username,
            password=password,
            expires=expires if isinstance(expires, datetime) else None,
        )


def _expiring(expires: datetime | None) -> bool:
    if expires is None:
        return False
    when = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    return when - datetime.now(UTC) < REFRESH_MARGIN


@dataclass(frozen=True)
class Manifest:
    """What a tag points at: the manifest bytes as stored, their type and digest."""

    digest: str
    media_type: str
    body: bytes = field(repr=False)

    @property
    def image_size(self) -> int:
        """Config plus layers in bytes (what ECR reports as the image size)."""
        try:
            data = json.loads(self.body)
        except ValueError:
            return 0
        parts = [
            data.get("config") or {},
            *(data.get("layers") or ()),
            *(data.get("manifests") or ()),
        ]
        return sum(int(p.get("size", 0)) for p in parts if isinstance(p, dict))


class RegistryApi:
    """A small client of the registry HTTP API v2 with basic auth (ECR and distribution)."""

    def __init__(
        self, credentials: Callable[[], RegistryCredentials], timeout: float = 30.0
    ) -> None:
        self._credentials = credentials
        self._timeout = timeout

    def manifest(self, repository: str, reference: str) -> Manifest | None:
        """What ``reference`` (a tag or digest) points at, None when it does not exist."""
        status, headers, body = self._call(
            "GET", repository, reference, {"Accept": ", ".join(MANIFEST_TYPES)}
        )
        if status == 404:
            return None
        digest = (
            headers.get("Docker-Content-Digest") or "sha256:" + hashlib.sha256(body).hexdigest()
        )
        media = headers.get("Content-Type", MANIFEST_TYPES[0]).split(";")[0]
        return Manifest(digest=digest, media_type=media, body=body)

    def put_manifest(self, repository: str, tag: str, manifest: Manifest) -> None:
        """Point ``tag`` at ``manifest`` (puts a previous image back)."""
        status, _, _ = self._call(
            "PUT", repository, tag, {"Content-Type": manifest.media_type}, manifest.body
        )
        if status == 404:
            raise RegistryError(f"{repository}:{tag}: the registry refused the manifest (404)")

    def delete_manifest(self, repository: str, digest: str) -> None:
        """Delete the manifest ``digest`` (and with it every tag pointing at it)."""
        self._call("DELETE", repository, digest, {})

    def tags(self, repository: str) -> list[str]:
        """The tags of ``repository`` (first page, enough to check a handful)."""
        status, _, body = self._call("GET", repository, "", {}, path="tags/list?n=1000")
        if status == 404:
            return []
        return list(json.loads(body).get("tags") or ())

    def _call(
        self,
        method: str,
        repository: str,
        reference: str,
        headers: Mapping[str, str],
        data: bytes | None = None,
        path: str | None = None,
    ) -> tuple[int, Mapping[str, str], bytes]:
        creds = self._credentials()
        url = f"{creds.endpoint}/v2/{repository}/{path or 'manifests/' + reference}"
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
        request.add_header("Authorization", f"Basic {creds.basic_auth}")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as answer:
                return answer.status, dict(answer.headers.items()), answer.read()
        except urllib.error.HTTPError as exc:
            body = exc.read()
            if exc.code == 404 and method in ("GET", "HEAD"):
                return 404, dict(exc.headers.items()), body
            what = f"{method} {repository} {reference or path}"
            message = _registry_message(exc.code, body)
            raise RegistryError(f"{creds.host}: {what}: {message}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RegistryError(f"{creds.host}: registry unreachable: {reason}") from exc


def _registry_message(code: int, body: bytes) -> str:
    try:
        errors = json.loads(body).get("errors") or []
        message = "; ".join(f"{e.get('code', '')}: {e.get('message', '')}" for e in errors)
    except (ValueError, AttributeError):
        message = ""
    return f"HTTP {code}" + (f" {message}" if message else "")


Snapshot = dict[str, Manifest | None]


class TagGuard:
    """Notes what a service's tags point at before a push, and undoes the push on demand."""

    def __init__(self, api: RegistryApi, ecr_client: Any | None = None) -> None:
        self.api = api
        self._ecr = ecr_client

    def snapshot(self, repository: str, tags: Sequence[str]) -> Snapshot:
        """What each tag points at now (None: the tag does not exist yet)."""
        return {tag: self.api.manifest(repository, tag) for tag in tags}

    def landed(self, repository: str, before: Snapshot) -> dict[str, Manifest]:
        """The tags that now point somewhere else than in ``before``."""
        moved: dict[str, Manifest] = {}
        for tag, old in before.items():
            now = self.api.manifest(repository, tag)
            if now is not None and (old is None or now.digest != old.digest):
                moved[tag] = now
        return moved

    def undo(self, repository: str, host: str, before: Snapshot) -> list[str]:
        """Put every tag back as ``before`` had it; returns what was undone, one phrase each."""
        undone: list[str] = []
        moved = self.landed(repository, before)
        restore = {t: m for t, m in moved.items() if before[t] is not None}
        remove = {t: m for t, m in moved.items() if before[t] is None}
        for tag in restore:
            old = before[tag]
            assert old is not None  # restore only holds tags that existed before
            self.api.put_manifest(repository, tag, old)
            undone.append(f"{tag} put back to {old.digest[:19]}")
        if remove and self._ecr is not None and is_ecr_host(host):
            # ECR deletes by tag: exact, whatever else points at the same image.
            self._ecr.batch_delete_image(
                repositoryName=repository, imageIds=[{"imageTag": t} for t in remove]
            )
            undone.extend(f"{t} removed" for t in remove)
        elif remove:
            undone.extend(self._delete_by_digest(repository, before, remove))
        return undone

    def _delete_by_digest(
        self, repository: str, before: Snapshot, remove: Mapping[str, Manifest]
    ) -> list[str]:
        # The v2 API deletes manifests, not tags: only safe when no other tag shares the digest.
        done: list[str] = []
        for digest in sorted({m.digest for m in remove.values()}):
            tags = [t for t, m in remove.items() if m.digest == digest]
            for other in self.api.tags(repository):
                if other in remove:
                    continue
                found = self.api.manifest(repository, other)
                if found is not None and found.digest == digest:
                    raise RegistryError(
                        f"{repository}: cannot remove {', '.join(tags)} without removing "
                        f"{other} (same image {digest[:19]})"
                    )
            self.api.delete_manifest(repository, digest)
            done.extend(f"{t} removed" for t in tags)
        return done
