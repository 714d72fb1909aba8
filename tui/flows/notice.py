"""A notice that lasts while something is under way ("planning…"), withdrawn when it ends.

Textual's ``notify`` cannot take a toast back; a "planning…" toast left over
the preview it announced hides the preview's buttons for seconds. This posts
the same ``Notify`` message and keeps the notification, so the flow can
withdraw it the moment the preview is on screen.
"""

from __future__ import annotations

import contextlib
from typing import Any

from textual.app import App
from textual.notifications import Notification, Notify


def under_way(app: App[Any], message: str, *, title: str, timeout: float = 30.0) -> Notification:
    """Show ``message`` (plain text, never markup) until ``done`` or ``timeout``."""
    notification = Notification(message, title, "information", timeout, markup=False)
    app.post_message(Notify(notification))
    return notification


def done(app: App[Any], notification: Notification) -> None:
    """Take the notice back (it may have timed out or been dismissed already)."""
    with contextlib.suppress(KeyError):
        app._unnotify(notification)  # Textual has no public "withdraw this toast"
