"""Findings: from the incident model's snapshot to root causes, row flags and the fixing actions.

``cloud.model.builder.read_snapshot(session)`` reads the snapshot;
``diagnose(snapshot)`` is pure and returns the findings (critical first) and the
flags they put on rows. The console and ``shipdeck doctor`` both do exactly this
(the console, until every kind is read, makes only the links: ``links_only``).
"""

from cloud.findings.model import FALLBACK_BUILD, Finding, Fix, Mark
from cloud.findings.rules import Diagnosis, diagnose, find, links_only

__all__ = [
    "FALLBACK_BUILD",
    "Diagnosis",
    "Finding",
    "Fix",
    "Mark",
    "diagnose",
    "find",
    "links_only",
]
