"""The dashboards' poller: a task on a running event loop, a daemon thread otherwise."""

from __future__ import annotations

import asyncio
import threading
import time

from hospital_twin.dashboards.polling import Poller


def test_without_a_loop_it_refreshes_in_a_thread_until_stopped() -> None:
    calls: list[str] = []
    poller = Poller(lambda: calls.append(threading.current_thread().name), 0.01, "t-poll")
    poller.start()
    poller.start()  # idempotent: still one thread
    deadline = time.monotonic() + 5
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    poller.stop()
    time.sleep(0.05)
    stopped_at = len(calls)
    time.sleep(0.05)
    assert stopped_at >= 3 and set(calls) == {"t-poll"}
    assert len(calls) == stopped_at and not poller.running


def test_on_a_running_loop_it_refreshes_on_the_loop_thread() -> None:
    calls: list[int] = []

    async def main() -> Poller:
        poller = Poller(lambda: calls.append(threading.get_ident()), 0.01, "loop-poll")
        poller.start()
        assert poller.running
        await asyncio.sleep(0.1)
        poller.stop()
        await asyncio.sleep(0.02)
        return poller

    poller = asyncio.run(main())
    assert len(calls) >= 3 and set(calls) == {threading.get_ident()}
    assert not poller.running
