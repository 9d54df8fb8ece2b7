"""How each machine spends its scheduled time: running, held, idle (results ``machine_time``).

Utilisation (11.C21) counts a machine as busy while it holds a finished batch that waits for
staff to unload it, often overnight. That makes an idle-but-blocked machine look like the
bottleneck. Here the same busy time is split:

* ``running`` — loading, the programme itself and unloading: ∫min(busy, cap) − held;
* ``held`` — the batch has finished and waits for staff to unload it: ∫min(held, cap);
* ``idle`` — the rest of the scheduled capacity;

each divided by ∫capacity over ``[warm-up, run end]``, so the three sum to 1 and
``running + held`` equals the utilisation.
"""

from __future__ import annotations

from hospital_twin.kpis import timeweighted as tw
from hospital_twin.model.output import ReplicationOutput


def machine_time(out: ReplicationOutput) -> dict[str, dict[str, float]]:
    """``{machine: {"running", "held", "idle"}}`` shares for every machine with a held log."""
    window = (out.warmup_hours, out.sim_hours)
    result = {}
    for name in out.capacity:
        if name not in out.held:
            continue
        cap = out.capacity[name]
        cap_w = tw.integral(cap, *window)
        if cap_w <= 0:
            result[name] = {"running": 0.0, "held": 0.0, "idle": 1.0}
            continue
        used, _ = tw.utilisation_series(out.busy[name], cap)
        held_in, _ = tw.utilisation_series(out.held[name], cap)
        used_w, held_w = tw.integral(used, *window), tw.integral(held_in, *window)
        held = min(max(held_w / cap_w, 0.0), 1.0)
        running = min(max((used_w - held_w) / cap_w, 0.0), 1.0 - held)
        result[name] = {"running": running, "held": held, "idle": 1.0 - running - held}
    return result
