"""One cloud session: an AWS profile, its regions and a kube context, with shared clients.

Nothing heavy is imported at module import: botocore and kubernetes are loaded the
first time a client is asked for, so the console can draw before they are ready.
Clients are created once per (service, region) under a lock (a botocore session is
not thread-safe; its clients are) and then shared by every worker thread. The
clients are botocore's, as boto3 would hand out: boto3 adds resources and S3
transfers, which shipdeck does not use, and 70 ms of imports.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cloud.answers import watch_answers
from cloud.reuse import ReadCache

if TYPE_CHECKING:
    import botocore.session
    from kubernetes.client import ApiClient

T = TypeVar("T")

DEFAULT_REGION = "us-east-1"
CONNECT_TIMEOUT = 3.0  # seconds
READ_TIMEOUT = 10.0  # seconds an answer may take; a slower one is retried, then "unreachable"


_LOADERS: dict[str | None, Any] = {}  # botocore data loaders by data path, shared
_LOADERS_LOCK = threading.Lock()


def _shared_loader(data_path: str | None) -> Any:
    """The process's botocore data loader for ``data_path``.

    botocore gives each session a loader of its own, which reads the model files
    again; the files do not change, so every session here shares one.
    """
    with _LOADERS_LOCK:
        loader = _LOADERS.get(data_path)
        if loader is None:
            import botocore.loaders

            loader = _LOADERS[data_path] = botocore.loaders.create_loader(data_path)
        return loader


def preload_models(services: Sequence[str]) -> None:
    """Read botocore's data for ``services`` now, into the loader sessions share.

    A fork server calls this once, so every reader forked from it makes its
    clients in milliseconds instead of reading and parsing the model files.
    """
    loader = _shared_loader(os.environ.get("AWS_DATA_PATH"))
    loader.load_data_with_path("endpoints")
    loader.load_data_with_path("partitions")
    loader.load_data_with_path("sdk-default-configuration")
    for service in services:
        for kind in ("service-2", "endpoint-rule-set-1"):
            loader.load_service_model(service, kind, api_version=None)


class CloudConfigError(Exception):
    """The profile, a region or the kube context cannot be used; ``str()`` is one line."""


def kubeconfig_paths() -> tuple[Path, ...]:
    """The kubeconfig files in effect: ``$KUBECONFIG`` (path list) or ``~/.kube/config``."""
    raw = os.environ.get("KUBECONFIG", "")
    parts = [p for p in raw.split(os.pathsep) if p] if raw else ["~/.kube/config"]
    return tuple(Path(p).expanduser() for p in parts)


def known_regions() -> dict[str, str]:
    """Every region botocore knows, mapped to its partition (``"ap-northeast-1": "aws"``)."""
    import botocore.loaders

    data = botocore.loaders.create_loader().load_data("partitions")
    regions: dict[str, str] = {}
    for partition in data["partitions"]:
        for name in partition.get("regions", {}):
            if not name.endswith("-global"):
                regions[name] = partition["id"]
    return regions


def read_kube_contexts(paths: Sequence[Path]) -> tuple[list[str], str | None]:
    """Context names and the current context of kubeconfig files, merged as kubectl does.

    The first file that names a context or a current-context wins. Raises
    ValueError for a file that is not a kubeconfig.
    """
    import yaml

    names: list[str] = []
    current: str | None = None
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML: {_one_line(exc)}") from exc
        if not isinstance(data, dict):
            raise ValueError(f"{path}: not a kubeconfig (expected a mapping)")
        for entry in data.get("contexts") or []:
            name = entry.get("name") if isinstance(entry, dict) else None
            if isinstance(name, str) and name not in names:
                names.append(name)
        if current is None and isinstance(data.get("current-context"), str):
            current = data["current-context"] or None
    return names, current


class CloudSession:
    """Credentials, regions and Kubernetes access for one console, shared across threads."""

    def __init__(
        self,
        profile: str | None = None,
        regions: Sequence[str] = (),
        kube_context: str | None = None,
    ) -> None:
        self._profile = profile
        self._requested_regions = tuple(regions)
        self._requested_context = kube_context
        self._lock = threading.Lock()  # guards the boto3 session and client creation
        self._kube_lock = threading.Lock()
        self._boto: botocore.session.Session | None = None
        self._clients: dict[tuple[str, str], Any] = {}
        self._regions: tuple[str, ...] | None = None
        self._context_resolved = False
        self._context: str | None = None
        self._kube_api: ApiClient | None = None
        self._kube_api_made = False
        self._account: str | None = None
        self._account_read = False
        self.reads = ReadCache()
        """Reads shared between panes (workload images, project lists) while fresh."""

    # --- identity -----------------------------------------------------------

    @property
    def profile(self) -> str | None:
        """The AWS profile name, or None for the default credential chain."""
        return self._profile

    @property
    def endpoint_url(self) -> str | None:
        """The AWS endpoint override (``AWS_ENDPOINT_URL``), shown in the header when set."""
        return os.environ.get("AWS_ENDPOINT_URL") or None

    @property
    def regions(self) -> tuple[str, ...]:
        """The regions to read: the requested ones, else the profile's default, else us-east-1."""
        if self._regions is None:
            if self._requested_regions:
                self._regions = self._requested_regions
            else:
                self._regions = (self._default_region(),)
        return self._regions

    def _default_region(self) -> str:
        try:
            region = self._boto_session().get_config_variable("region")
        except CloudConfigError:
            region = None
        return region or DEFAULT_REGION

    @property
    def kube_context(self) -> str | None:
        """The kube context in use: the requested one, else the current one, else None."""
        if not self._context_resolved:
            with self._kube_lock:
                if not self._context_resolved:
                    try:
                        self._context = self._resolve_context()
                    except CloudConfigError:
                        self._context = None
                    self._context_resolved = True
        return self._context

    # --- validation ---------------------------------------------------------

    def validate(self) -> None:
        """Check profile, regions and kube context; raise CloudConfigError naming the problem."""
        self._boto_session()
        regions = known_regions()
        for region in self.regions:
            if region not in regions:
                examples = ", ".join(r for r in ("us-east-1", "ap-northeast-1", "eu-west-1"))
                raise CloudConfigError(
                    f"unknown AWS region {region!r} (not in botocore's partitions; e.g. {examples})"
                )
        context = self._resolve_context()
        with self._kube_lock:
            self._context = context
            self._context_resolved = True

    def adopt_checked(self, regions: Sequence[str], kube_context: str | None) -> None:
        """Take the regions and kube context that another process checked for these settings.

        The console's reader process validates the session (which imports boto3); the
        console then needs no boto3 to draw its header.
        """
        self._regions = tuple(regions)
        with self._kube_lock:
            self._context = kube_context
            self._context_resolved = True

    def _resolve_context(self) -> str | None:
        paths = kubeconfig_paths()
        shown = os.pathsep.join(str(p) for p in paths)
        existing = [p for p in paths if p.exists()]
        if not existing:
            if self._requested_context is not None:
                raise CloudConfigError(
                    f"kube context {self._requested_context!r} requested but no kubeconfig "
                    f"at {shown}"
                )
            return None
        for path in existing:
            if not os.access(path, os.R_OK) or not path.is_file():
                raise CloudConfigError(f"cannot read kubeconfig {path}: not a readable file")
        # Read the contexts with PyYAML alone: importing the kubernetes package costs
        # hundreds of milliseconds, and the header needs the context at start-up.
        try:
            contexts, active = read_kube_contexts(existing)
        except (OSError, ValueError) as exc:
            raise CloudConfigError(f"cannot read kubeconfig {shown}: {_one_line(exc)}") from exc
        names = list(contexts)
        if self._requested_context is None:
            return active if active in names else None
        if self._requested_context not in names:
            raise CloudConfigError(
                f"kube context {self._requested_context!r} not found in {shown} "
                f"(known: {', '.join(names) or 'none'})"
            )
        return self._requested_context

    # --- AWS clients --------------------------------------------------------

    def _boto_session(self) -> botocore.session.Session:
        with self._lock:
            return self._boto_session_locked()

    def _boto_session_locked(self) -> botocore.session.Session:
        if self._boto is None:
            import botocore.exceptions
            import botocore.session

            session = botocore.session.Session(profile=self._profile)
            try:
                session.get_scoped_config()  # an unknown profile raises here
            except botocore.exceptions.ProfileNotFound as exc:
                known = ", ".join(sorted(botocore.session.Session().available_profiles))
                raise CloudConfigError(
                    f"unknown AWS profile {self._profile!r} (known: {known or 'none'})"
                ) from exc
            loader = _shared_loader(session.get_config_variable("data_path"))
            session.register_component("data_loader", loader)
            self._boto = session
        return self._boto

    def client(self, service: str, region: str) -> Any:
        """The shared botocore client for ``service`` in ``region`` (standard retries, timeouts)."""
        key = (service, region)
        found = self._clients.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                from botocore.config import Config

                config = Config(
                    retries={"mode": "standard", "max_attempts": 4},
                    max_pool_connections=32,
                    connect_timeout=CONNECT_TIMEOUT,
                    read_timeout=READ_TIMEOUT,
                    # botocore prefixes some hosts (StartLiveTail: "stream-"); a custom
                    # endpoint such as LocalStack or the demo world has no such host.
                    inject_host_prefix=self.endpoint_url is None,
                )
                found = self._boto_session_locked().create_client(
                    service, region_name=region, config=config
                )
                # Garbage, cut-short and HTML answers, and pages without their list, are errors.
                watch_answers(found, self._boto_session_locked().get_component("data_loader"))
                self._clients[key] = found
        return found

    def account_id(self) -> str | None:
        """The AWS account id (STS GetCallerIdentity, read once), None when it cannot be read."""
        if not self._account_read:
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                answer = self.client("sts", self.regions[0]).get_caller_identity()
                self._account = str(answer["Account"])
            except (BotoCoreError, ClientError, CloudConfigError):
                self._account = None
            self._account_read = True
        return self._account

    # --- Kubernetes ---------------------------------------------------------

    def kube_api(self) -> ApiClient | None:
        """A Kubernetes API client for the kube context, or None when there is no kubeconfig."""
        context = self.kube_context
        if context is None:
            return None
        with self._kube_lock:
            if not self._kube_api_made:
                from kubernetes.config import new_client_from_config

                shown = os.pathsep.join(str(p) for p in kubeconfig_paths())
                self._kube_api = new_client_from_config(  # type: ignore[no-untyped-call]
                    config_file=shown, context=context, persist_config=False
                )
                self._kube_api_made = True
            return self._kube_api

    def shared(self, key: str, load: Callable[[], T], max_age: float) -> T:
        """Run ``load`` once for all callers asking for ``key`` at the same time; see ReadCache."""
        return self.reads.get(key, load, max_age)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
