"""Which remediation each kind's rows offer, on which key: declared once, per kind.

Panes take the keys of their kinds, detail screens the keys of theirs, the help
screen and the keymap read them all, and the command palette offers whatever is
enabled. An action whose key is on a kind's rows may target another kind (``Q``
on a blocked project asks for the quota that blocks it): the action's
``fix_for`` says what it acts on.
"""

from __future__ import annotations

from collections.abc import Mapping

from tui.flows.remediation import RemediationKey

KIND_KEYS: Mapping[str, tuple[RemediationKey, ...]] = {
    "ecr": (
        RemediationKey("retag-latest", "t", "Retag"),
        RemediationKey("delete-tag", "D", "Delete tag"),
        RemediationKey("put-lifecycle-policy", "L", "Lifecycle"),
        RemediationKey("enable-scan-on-push", "S", "Scan on push"),
        RemediationKey("scan-image", "x", "Scan"),
    ),
    "codebuild": (
        RemediationKey("start-build", "s", "Start"),
        RemediationKey("remove-build-limit", "u", "Unlimit"),
        RemediationKey("request-quota-increase", "Q", "Quota"),
        RemediationKey("draft-support-case", "c", "Case"),
        RemediationKey("stop-build", "X", "Stop"),
        RemediationKey("retry-build", "R", "Retry"),
        RemediationKey("fallback-build", "b", "Build here"),
    ),
    "ecs": (
        RemediationKey("force-deploy", "F", "Redeploy"),
        RemediationKey("rollback-service", "B", "Rollback"),
        RemediationKey("scale-service", "plus,equals_sign", "Scale"),
        RemediationKey("resize-task", "M", "Resize"),
    ),
    "lambda": (RemediationKey("rollback-lambda", "B", "Rollback"),),
    "k8s": (
        RemediationKey("restart-rollout", "R", "Restart"),
        RemediationKey("set-image", "I", "Image"),
        RemediationKey("scale-deployment", "plus,equals_sign", "Scale"),
        RemediationKey("wire-secret-env", "W", "Secret"),
        RemediationKey("delete-pod", "P", "Del pod"),
    ),
    "quota": (RemediationKey("request-quota-increase", "Q", "Increase"),),
    "alarm": (),
}
