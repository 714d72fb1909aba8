"""Whether a live stream's incident still goes on: what its function or service runs now.

Read from moto's objects in this process (``demo.moto_state``), so a live stream can
check before each line it writes, without an HTTP call.
"""

from __future__ import annotations

from typing import Any

from demo import moto_state
from demo.model import StreamCondition


class RunningState:
    """Answers ``StreamCondition``s for one account of the world."""

    def __init__(self, account: str) -> None:
        self._account = account

    def holds(self, condition: StreamCondition) -> bool:
        """True while the function runs as the condition says, or a task of the service does."""
        if condition.kind == "lambda":
            function = moto_state.lambda_function(self._account, condition.region, condition.name)
            return function is not None and self._function_matches(function, condition)
        cluster, _, name = condition.name.partition("/")
        service = moto_state.ecs_service(self._account, condition.region, cluster, name)
        if service is None:
            return False
        return any(
            self._task_matches(task, condition)
            for task in moto_state.running_service_tasks(service)
        )

    @staticmethod
    def _function_matches(function: Any, condition: StreamCondition) -> bool:
        if condition.image is not None and moto_state.function_image(function) != condition.image:
            return False
        memory = int(getattr(function, "memory_size", 0) or 0)
        return condition.memory_below is None or memory < condition.memory_below

    def _task_matches(self, task: Any, condition: StreamCondition) -> bool:
        definition = moto_state.ecs_task_definition(
            self._account, condition.region, task.task_definition_arn
        )
        if definition is None:
            return False
        if condition.task_definition is not None and condition.task_definition != (
            f"{definition.family}:{definition.revision}"
        ):
            return False
        if condition.image is not None and condition.image not in (
            moto_state.task_definition_images(definition)
        ):
            return False
        memory = moto_state.task_definition_memory(definition)
        return condition.memory_below is None or (
            memory is not None and memory < condition.memory_below
        )
