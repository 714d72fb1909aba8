"""The read side's facade for details and forms: fetchers of one resource or one list.

The panes and the findings read the snapshot (``cloud.model.builder``); a detail
screen reads its one resource again here, fresh. Each ``fetch_*`` returns a
``Fetched`` and never raises for AWS or Kubernetes errors: a failing region or
service becomes a ``FetchError`` next to the records that could be read.
``fetch_pod_log_tail`` is the exception (it raises).
"""

from __future__ import annotations

from cloud.codebuild import fetch_builds
from cloud.ecr import fetch_images
from cloud.ecs import fetch_ecs_service_detail
from cloud.kube import fetch_deployment_detail, fetch_pod_log_tail

__all__ = [
    "fetch_builds",
    "fetch_deployment_detail",
    "fetch_ecs_service_detail",
    "fetch_images",
    "fetch_pod_log_tail",
]
