"""Lambda's ``LastModified`` as the scenario tells it, and as AWS moves it.

moto stamps ``LastModified`` when CreateFunction runs (the world's start) and keeps
it through UpdateFunctionCode and UpdateFunctionConfiguration; AWS reports the time
of the function's last change. The seeded time is set on moto's function itself
(see ``demo.moto_state``), and so is the time of each update, so GetFunction,
GetFunctionConfiguration and ListFunctions all report it, in Lambda's
``2025-11-11T04:39:26.000+0000`` format.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from demo.gateway import Call, Forward, Reply
from demo.moto_state import set_function_last_modified

# UpdateFunctionCode and UpdateFunctionConfiguration (REST: PUT on the function's path).
UPDATE_PATH = r"/2015-03-31/functions/[^/?]+/(code|configuration)(\?|$)"


def function_updated(call: Call, forward: Forward) -> Reply:
    """Forward an update; on success the function's ``LastModified`` becomes now, as in AWS."""
    reply = forward(call)
    data = reply.data() if reply.status == 200 else {}
    arn = data.get("FunctionArn")
    if not isinstance(arn, str) or arn.count(":") < 6:
        return reply
    data["LastModified"] = set_function_last_modified(arn, datetime.now(UTC))
    return Reply(reply.status, json.dumps(data).encode(), reply.headers)
