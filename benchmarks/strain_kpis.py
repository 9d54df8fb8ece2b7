"""CPU cost of the issue-13 KPIs (stability, Kaplan–Meier TAT, machine-time split, clipping).

Usage: ``.venv/bin/python benchmarks/strain_kpis.py [--weeks 6] [--repeat 3] [--layout 2023]``.
One replication plus its results JSON, in a fresh process per measurement, twice per repeat:
*before* with the new parts switched off (``tat_km``, weekly WIP, ``machine_time``,
``stability``, interval clipping and the machines' held-time log patched to no-ops) and
*after* with everything on, interleaved. Prints the CPU seconds of each and the relative
increase of the best (minimum) model and KPI times; the budget is +10 %. On a loaded
machine single runs vary by ±30 %; use ``--repeat`` ≥ 5.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time


def _switch_off_new_kpis() -> None:
    from hospital_twin.kpis import replication, report
    from hospital_twin.model.lab import Lab

    replication.tat_km_kpis = lambda *a, **k: None
    replication.weekly_means = lambda *a, **k: []
    replication.machine_time = lambda *a, **k: {}
    report.strain_results = lambda *a, **k: {}
    report.clip_intervals = lambda results: results
    Lab.log_held = lambda self, machine, change: None


def _measure(weeks: float, layout: str, new: bool, queue: mp.Queue) -> None:
    from hospital_twin.config import read_workbook, template_path
    from hospital_twin.kpis import build_results
    from hospital_twin.model import run_replication

    if not new:
        _switch_off_new_kpis()
    config = read_workbook(template_path(layout))
    cpu = time.process_time()
    out = run_replication(config, 0, sim_hours=weeks * 168)
    model_cpu = time.process_time() - cpu
    results = build_results([out], None, 0)
    total = time.process_time() - cpu
    queue.put({"model": model_cpu, "kpis": total - model_cpu, "total": total,
               "has_new": "tat_km" in results})


def _run(weeks: float, layout: str, new: bool) -> dict:
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    proc = ctx.Process(target=_measure, args=(weeks, layout, new, queue))
    proc.start()
    row = queue.get()
    proc.join()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=float, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--layout", default="2023")
    args = parser.parse_args()
    rows: dict[bool, list[dict]] = {False: [], True: []}
    for _ in range(args.repeat):
        for new in (False, True):
            row = _run(args.weeks, args.layout, new)
            assert row["has_new"] is new
            rows[new].append(row)
            print(f"{'after ' if new else 'before'}: model {row['model']:.2f} s + KPIs "
                  f"{row['kpis']:.2f} s = {row['total']:.2f} s CPU")
    # Best (minimum) of each part: on a shared machine the minimum is the least disturbed.
    best = {new: {part: min(r[part] for r in rows[new]) for part in ("model", "kpis")}
            for new in rows}
    before = best[False]["model"] + best[False]["kpis"]
    after = best[True]["model"] + best[True]["kpis"]
    print(f"== {args.weeks:g}-week replication ({args.layout}), best of {args.repeat} per part: "
          f"model {best[False]['model']:.2f} -> {best[True]['model']:.2f} s, KPIs "
          f"{best[False]['kpis']:.3f} -> {best[True]['kpis']:.3f} s; before {before:.2f} s, "
          f"after {after:.2f} s CPU, {100 * (after - before) / before:+.1f} % (budget +10 %)")


if __name__ == "__main__":
    main()
