"""The read side's facade: every fetcher the console calls from its thread workers.

Each ``fetch_*`` returns a ``Fetched`` and never raises for AWS or Kubernetes
errors: a failing region or service becomes a ``FetchError`` next to the
records that could be read. ``fetch_pod_log_tail`` is the exception (it raises).
"""

from __future__ import annotations

from cloud.codebuild import fetch_builds, fetch_projects
from cloud.ecr import fetch_images, fetch_repositories
from cloud.ecs import fetch_ecs_service_detail
from cloud.kube import fetch_deployment_detail, fetch_pod_log_tail
from cloud.service_quotas import fetch_quotas
from cloud.services import fetch_services

__all__ = [
    "fetch_builds",
    "fetch_deployment_detail",
    "fetch_ecs_service_detail",
    "fetch_images",
    "fetch_pod_log_tail",
    "fetch_projects",
    "fetch_quotas",
    "fetch_repositories",
    "fetch_services",
]
