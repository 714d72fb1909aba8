"""The services pane: ECS services, Lambda functions and Kubernetes deployments together.

The repositories pane needs the same reads (to know which workloads deploy
which image), so both go through one shared read on the session.
"""

from __future__ import annotations

from functools import partial

from cloud.ecs import region_ecs_services
from cloud.fanout import Job, gather
from cloud.kube import KUBE_SERVICE, cluster_deployments
from cloud.lambdas import region_functions
from cloud.records import Fetched, ServiceRecord
from cloud.session import CloudSession

SERVICES_KEY = "services"
WORKLOAD_IMAGES_MAX_AGE = 10.0  # seconds a services read is reused for workload images


def fetch_services(session: CloudSession) -> Fetched[ServiceRecord]:
    """ECS services (all clusters), Lambda functions and Kubernetes deployments, flagged.

    Always a fresh read, except that a read already under way (for the
    repositories pane) is joined rather than repeated.
    """
    return session.shared(SERVICES_KEY, partial(_read_services, session), max_age=0.0)


def recent_services(session: CloudSession) -> Fetched[ServiceRecord]:
    """The services as read within the last few seconds (or now), for workload images."""
    return session.shared(
        SERVICES_KEY, partial(_read_services, session), max_age=WORKLOAD_IMAGES_MAX_AGE
    )


def _read_services(session: CloudSession) -> Fetched[ServiceRecord]:
    jobs: list[Job[ServiceRecord]] = []
    for region in session.regions:
        jobs.append(
            Job[ServiceRecord]("ecs", region, partial(region_ecs_services, session, region))
        )
        jobs.append(
            Job[ServiceRecord]("lambda", region, partial(region_functions, session, region))
        )
    context = session.kube_context
    if context is not None:
        jobs.append(
            Job[ServiceRecord](KUBE_SERVICE, context, partial(cluster_deployments, session))
        )
    return gather(jobs)
