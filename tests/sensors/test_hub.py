"""WebSocket fan-out: per-client queues are bounded, filters apply, slow clients lose oldest."""

from __future__ import annotations

import asyncio
import json

from hospital_twin.sensors.hub import Hub


def _msg(acp_id: str, i: int) -> dict:
    return {"acp_id": acp_id, "acp_ts": float(i), "payload": {"co2": i}}


def test_slow_client_keeps_only_the_newest_messages() -> None:
    async def scenario() -> tuple:
        hub = Hub(queue_size=100)
        hub.bind(asyncio.get_running_loop())
        slow = hub.subscribe(None)
        chosen = hub.subscribe(frozenset({"elsys-co2-058ae0"}))
        for start in range(0, 5000, 500):  # ten batches from the writer thread's side
            batch = [_msg("elsys-co2-058ae0" if i % 2 else "enl-iaqc-3a1f02", i)
                     for i in range(start, start + 500)]
            await asyncio.to_thread(hub.publish, batch)
        await asyncio.sleep(0.05)  # let the loop run the scheduled fan-outs
        first = json.loads(slow.queue.get_nowait())
        return hub.stats(), slow, chosen, first

    stats, slow, chosen, first = asyncio.run(scenario())
    assert slow.queue.qsize() == 99 and slow.dropped == 4900
    assert first["acp_ts"] == 4900.0  # oldest kept is the 100th newest
    assert chosen.dropped == 2400 and chosen.queue.qsize() == 100
    assert {json.loads(chosen.queue.get_nowait())["acp_id"] for _ in range(100)} == {
        "elsys-co2-058ae0"}
    assert stats == {"clients": 2, "dropped": 7300, "queue_size": 100}
