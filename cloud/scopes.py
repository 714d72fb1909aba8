"""Where a console can point: the AWS profiles, regions and kube contexts on offer, and
opening a session on one of them checked as start-up checks it.

The console's ``:profile``, ``:region`` and ``:ctx`` list their choices here and
open the chosen scope with ``open_scope`` on a worker thread: a profile, region
or context that does not exist, or credentials that do not work, is one
readable line (``CloudConfigError``) and nothing is replaced.
"""

from __future__ import annotations

from collections.abc import Sequence

from cloud.errors import classify, recoverable_errors
from cloud.session import CloudConfigError, CloudSession, known_regions, kubeconfig_paths
from cloud.session import read_kube_contexts as _read_kube_contexts
from cloud.sessions import Sessions, check_profiles
from cloud.text import safe_text

__all__ = ["aws_profiles", "kube_contexts", "open_scope", "open_scopes", "region_names"]


def aws_profiles() -> list[str]:
    """The profile names of the AWS config and credentials files, sorted.

    botocore reads them where the AWS CLI does (``AWS_CONFIG_FILE``,
    ``AWS_SHARED_CREDENTIALS_FILE``, else ``~/.aws/config`` and ``~/.aws/credentials``).
    Names come from a file: made safe for the terminal.
    """
    import botocore.session

    names = botocore.session.Session().available_profiles
    return sorted({safe_text(str(name)) for name in names})


def region_names(current: Sequence[str] = ()) -> list[str]:
    """The regions botocore knows in the partitions of ``current`` (the regions shown now;
    none: the commercial one, ``aws``), sorted: a profile's keys work in one partition, so
    China, GovCloud and isolated regions are offered only to a console already in theirs."""
    regions = known_regions()
    partitions = {regions[name] for name in current if name in regions} or {"aws"}
    return sorted(name for name, partition in regions.items() if partition in partitions)


def kube_contexts() -> list[str]:
    """The contexts of the kubeconfig files in effect (``$KUBECONFIG``, else ``~/.kube/config``).

    None found is an empty list; a file that cannot be read is a CloudConfigError.
    """
    existing = [path for path in kubeconfig_paths() if path.exists()]
    if not existing:
        return []
    try:
        names, _current = _read_kube_contexts(existing)
    except (OSError, ValueError) as exc:
        raise CloudConfigError(f"cannot read kubeconfig: {' '.join(str(exc).split())}") from exc
    return [safe_text(name) for name in names]


def open_scope(
    profile: str | None, regions: Sequence[str], context: str | None
) -> tuple[CloudSession, str | None]:
    """A session on ``profile``/``regions``/``context``, checked, and its account id.

    Checked as at start-up (the profile exists, every region is known, the kube
    context is in the kubeconfig), then the credentials with one STS call: a
    profile whose credentials fail is refused here rather than shown as panes of
    errors. Raises CloudConfigError with one line naming what is wrong.
    """
    session = CloudSession(profile=profile, regions=regions, kube_context=context)
    session.validate()
    account = session.account_id()  # read once and kept: the console's header asks again
    if account is not None:
        return session, account
    region = session.regions[0]
    try:  # again, for the reason it failed
        session.client("sts", region).get_caller_identity()
    except recoverable_errors() as exc:
        error = classify(exc, "sts", region)
        who = f"profile {profile!r}" if profile else "the default credentials"
        raise CloudConfigError(f"{who}: {error.kind.value}: {error.message}") from exc
    return session, None  # answered this time: the account id is read again later


def open_scopes(
    profiles: Sequence[str | None], regions: Sequence[str], context: str | None
) -> tuple[Sessions, dict[str, str | None]]:
    """Every one of ``profiles`` opened with ``open_scope``, and each one's account by tag.

    All or nothing: the first profile refused (unknown, given twice, credentials that
    fail, a region or context that is not there) raises its CloudConfigError and
    nothing is opened, so a switch keeps every profile it had or changes to all of them.
    """
    names = list(profiles) or [None]
    if len(names) > 1:
        check_profiles([name or "" for name in names])
    opened = [open_scope(name, regions, context) for name in names]
    sessions = Sessions([session for session, _account in opened])
    return sessions, dict(zip(sessions.tags, (account for _s, account in opened), strict=True))
