"""botocore's models for what a log reader reads, loaded when this module is imported.

The log readers' fork server imports it (multiprocessing's preload takes module
names), so every reader forked from the server makes its clients without
reading a model file. Nothing else should import it.
"""

from __future__ import annotations

from cloud.session import preload_models

READER_SERVICES = ("logs", "codebuild", "ecs", "lambda")
"""The services the log sources call (``cloud.logs.sources``)."""

preload_models(READER_SERVICES)
