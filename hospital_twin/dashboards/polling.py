"""Periodic refresh of dashboard widgets, on the kernel's event loop when there is one.

ipywidgets is not thread-safe: widget updates sent from a background thread can race the
kernel's own messages (a button handler's, say), and a page may then miss some of them. In
a kernel (Voilà, JupyterLab) the refresh therefore runs as an asyncio task on the kernel's
loop, so every update goes out in order between the handling of the page's messages. Plain
Python (scripts, tests) has no running loop, so there a daemon thread refreshes instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable


class Poller:
    """Calls ``refresh()`` now and then every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, refresh: Callable[[], None], interval: float, name: str) -> None:
        self.refresh = refresh
        self.interval = interval
        self.name = name
        self._stop = threading.Event()
        self._task: asyncio.Task | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while a refresh task or thread is alive."""
        if self._task is not None:
            return not self._task.done()
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start refreshing (idempotent)."""
        if self.running:
            return
        self._stop.clear()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            self._task = loop.create_task(self._on_loop(), name=self.name)
        else:
            self._thread = threading.Thread(target=self._in_thread, name=self.name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop after the refresh in progress, if any."""
        self._stop.set()
        if self._task is not None:
            self._task.cancel()

    async def _on_loop(self) -> None:
        while not self._stop.is_set():
            self.refresh()
            await asyncio.sleep(self.interval)

    def _in_thread(self) -> None:
        while not self._stop.is_set():
            self.refresh()
            self._stop.wait(self.interval)
