"""Saving a log view's lines to a private file, in a worker, with the notice after it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.widget import Widget

from widgets.log_buffer import LogBuffer, LogEntry, save_path, write_saved
from widgets.log_save import LogSaved, LogSaveFailed, saved_notice


class LogSaving(Widget):
    """What a log view saves (``S``, and ``ctrl+s``'s buffer): its lines, off the UI thread."""

    buffer: LogBuffer
    source: str
    save_dir: Path | None
    _shown: Callable[[str], str] | None

    def _total_lines(self) -> int:
        return self.buffer.line_count + len(self.buffer.held)

    def action_save_all(self) -> None:
        """Write every buffered line, and any held, to a file; say where."""
        self._save(list(self.buffer.everything()), "all")

    def _save(self, entries: list[LogEntry], what: str) -> None:
        folder = self.save_dir if self.save_dir is not None else Path.cwd()
        self._write_file(save_path(folder, self.source), entries, what, self._total_lines())

    @work(thread=True, group="log-save", exit_on_error=False, description="save log")
    def _write_file(self, path: Path, entries: list[LogEntry], what: str, total: int) -> None:
        """Worker thread: write the snapshot; report back with a message."""
        try:
            write_saved(path, entries, self._shown, own_folder=self.save_dir is not None)
        except OSError as exc:
            self.post_message(LogSaveFailed(path, str(exc)))
            return
        self.post_message(LogSaved(path, len(entries), what, total))

    @on(LogSaved)
    def _saved(self, message: LogSaved) -> None:
        text = saved_notice(message, self._key_of("save_all"))
        self.notify(text, title="log saved", timeout=8, markup=False)

    def _key_of(self, action: str) -> str | None:
        """The key that runs ``action`` here now (after any keymap), as the footer shows it."""
        for active in self.screen.active_bindings.values():
            if active.node is self and active.binding.action == action:
                return self.app.get_key_display(active.binding)
        return None

    @on(LogSaveFailed)
    def _save_failed(self, message: LogSaveFailed) -> None:
        title = f"could not save {message.path}"
        self.notify(message.error, title=title, severity="error", markup=False)
