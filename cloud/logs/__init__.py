"""Live logs for the console and ``shipdeck tail``: iterators of LogBatch from CloudWatch or pods.

Start with ``tail_logs`` (CloudWatch groups), ``tail_build`` (a CodeBuild
build), ``ecs_targets`` / ``lambda_target`` (targets for a service) or
``follow_pod`` (a Kubernetes container); ``parse_since`` reads ``--since``.
Importing this package imports neither boto3 nor kubernetes.
"""

from cloud.logs.kube import find_pod, follow_pod
from cloud.logs.limits import SHARED_LIMITERS, Backoff, RegionLimiters, TokenBucket
from cloud.logs.polling import ClientFactory, GroupPoller
from cloud.logs.records import LogBatch, LogEvent, LogStatus, LogTarget, StatusKind, iso_ms
from cloud.logs.since import SinceError, parse_since
from cloud.logs.sources import (
    BuildLogs,
    LogGroupInfo,
    PhaseTracker,
    build_logs,
    ecs_targets,
    find_build,
    group_exists,
    lambda_target,
    list_log_groups,
    tail_build,
)
from cloud.logs.tail import TailMode, tail_logs

__all__ = [
    "SHARED_LIMITERS",
    "Backoff",
    "BuildLogs",
    "ClientFactory",
    "GroupPoller",
    "LogBatch",
    "LogEvent",
    "LogGroupInfo",
    "LogStatus",
    "LogTarget",
    "PhaseTracker",
    "RegionLimiters",
    "SinceError",
    "StatusKind",
    "TailMode",
    "TokenBucket",
    "build_logs",
    "ecs_targets",
    "find_build",
    "find_pod",
    "follow_pod",
    "group_exists",
    "iso_ms",
    "lambda_target",
    "list_log_groups",
    "parse_since",
    "tail_build",
    "tail_logs",
]
