"""Findings: from the incident model's snapshot to root causes, row flags and the fixing actions.

``cloud.model.builder.read_snapshot(session)`` reads the snapshot;
``diagnose(snapshot)`` is pure and returns the findings (critical first) and the
flags they put on rows. The console and ``shipdeck doctor`` both do exactly this.
"""

from cloud.findings.model import FALLBACK_BUILD, Finding, Fix, Mark
from cloud.findings.rules import Diagnosis, diagnose, find

__all__ = ["FALLBACK_BUILD", "Diagnosis", "Finding", "Fix", "Mark", "diagnose", "find"]
