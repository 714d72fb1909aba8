"""What every command checks first: the config file and the cloud session.

Bad input never ends in a traceback: a wrong profile, region, kube context,
config or scenario file is raised as ``BadInput``, which ``cli.main`` prints as
one line naming what is wrong, with exit code 2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloud.session import CloudSession
    from cloud.sessions import Sessions
    from cloud.settings import Settings

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """Input the person must fix; ``str()`` is the one line to show."""


def checked_settings() -> Settings:
    """The config file's settings; a file that exists but is wrong is bad input."""
    from cloud.settings import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise BadInput(str(exc)) from exc


def _validate(session: CloudSession) -> None:
    from cloud.session import CloudConfigError

    try:
        session.validate()
    except CloudConfigError as exc:
        raise BadInput(str(exc)) from exc


def _session(profile: str | None, regions: Sequence[str], context: str | None) -> CloudSession:
    from cloud.session import CloudSession

    session = CloudSession(profile=profile, regions=regions, kube_context=context)
    _validate(session)
    return session


def cloud_session(options: Mapping[str, Any]) -> CloudSession:
    """The checked session for a subcommand: its global options over the config file.

    A subcommand that acts (or tails) works in one profile: several are refused.
    """
    if len(options.get("profiles") or ()) > 1:
        raise BadInput("this command works in one AWS profile: give --profile once")
    settings = checked_settings()
    return _session(
        options.get("profile") or settings.profile,
        options.get("regions") or settings.regions,
        options.get("context") or settings.context,
    )


def cloud_sessions(options: Mapping[str, Any]) -> Sessions:
    """The checked sessions of ``--profile a --profile b`` (or the config file's
    ``profile = ["a", "b"]``); one profile gives one session, as ``cloud_session`` does."""
    from cloud.session import CloudConfigError
    from cloud.sessions import Sessions

    settings = checked_settings()
    profiles: list[str | None] = list(options.get("profiles") or settings.profiles or [None])
    regions = options.get("regions") or settings.regions
    context = options.get("context") or settings.context
    try:
        sessions = Sessions.of(profiles, regions, context)
        sessions.validate()
    except CloudConfigError as exc:
        raise BadInput(str(exc)) from exc
    return sessions
