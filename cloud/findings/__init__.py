"""Findings: from the records the panes fetch, to root causes and the actions that fix them.

``read_snapshot(session)`` fetches (the four panes in parallel, then the few
extras the rules use); ``find(snapshot)`` is pure and returns the findings,
critical first. Both run in a worker thread in the console.
"""

from cloud.findings.model import FALLBACK_BUILD, Finding, Fix, LogLine, Snapshot
from cloud.findings.rules import find
from cloud.findings.snapshot import read_snapshot

__all__ = ["FALLBACK_BUILD", "Finding", "Fix", "LogLine", "Snapshot", "find", "read_snapshot"]
