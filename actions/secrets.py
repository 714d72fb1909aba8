"""Keeping secrets off the screen, out of plans, logs and the audit log.

Two layers: values the person typed as secrets in this process are remembered
(in memory only) and masked wherever they would appear, e.g. inside an error
message a service echoed back; and text that looks like a credential (PEM
blocks, AWS secret keys, bearer tokens, passwords in URLs) is masked by shape.
"""

from __future__ import annotations

import re
import threading

MASK = "••••••"

_SECRET_NAME = re.compile(
    r"(SECRET|TOKEN|PASSW(OR)?D|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY|PEM|DSN|AUTH)",
    re.IGNORECASE,
)
_SHAPES = (
    # PEM blocks (private keys, certificates): the whole block.
    re.compile(r"-----BEGIN [A-Z ]+-----.*?-----END [A-Z ]+-----", re.DOTALL),
    # user:password@ in URLs.
    re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"),
    # Bearer tokens.
    re.compile(r"(?<=Bearer )[A-Za-z0-9._~+/=-]{8,}"),
    # aws_secret_access_key = ... / "SecretAccessKey": "..."
    re.compile(r"(?i)(?<=secret_access_key[\"'=: ]{1})\s*[\"']?[A-Za-z0-9/+=]{30,}"),
    re.compile(r"(?<=\"SecretAccessKey\": \")[^\"]+"),
    re.compile(r"(?<=\"SecretString\": \")[^\"]+"),
)

_typed: set[str] = set()
_lock = threading.Lock()


def remember_secret(value: str) -> None:
    """Mask ``value`` wherever it appears from now on (kept in memory only).

    Each line of a multi-line value (a PEM) is remembered too: output is read
    a line at a time, so the whole value never appears in one line of it.
    """
    lines = [line.strip() for line in value.splitlines()] if "\n" in value else []
    with _lock:
        if len(value) >= 4:
            _typed.add(value)
        _typed.update(line for line in lines if len(line) >= 8)  # not "" or short words


def looks_secret_name(name: str) -> bool:
    """Whether an env var or key name suggests a secret value (``JWT_PRIVATE_KEY_PEM``)."""
    return bool(_SECRET_NAME.search(name))


def mask_secrets(text: str) -> str:
    """``text`` with remembered secret values and credential-shaped strings masked."""
    with _lock:
        typed = sorted(_typed, key=len, reverse=True)
    for value in typed:
        if value in text:
            text = text.replace(value, MASK)
    for shape in _SHAPES:
        text = shape.sub(MASK, text)
    return text
