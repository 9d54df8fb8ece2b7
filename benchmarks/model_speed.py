"""Speed of one replication of the lab model: wall and CPU time, events/s, peak memory.

Usage: ``.venv/bin/python benchmarks/model_speed.py [--weeks 1 6 26] [--repeat 3] [--seed 0]``.
Uses the reference workbook (``hospital_twin.config.default_config()``). Each measurement
runs in a fresh process so the peak memory (ru_maxrss) is that run's own.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time


def _measure(weeks: float, seed: int, queue: mp.Queue) -> None:
    from hospital_twin.config import default_config
    from hospital_twin.kpis import build_results
    from hospital_twin.model import run_replication

    config = default_config().with_run(seed=seed)
    wall, cpu = time.perf_counter(), time.process_time()
    out = run_replication(config, 0, sim_hours=weeks * 168)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    kpi_start = time.perf_counter()
    build_results([out], config.model_dump(mode="json"), seed)
    kpi_s = time.perf_counter() - kpi_start
    df = out.specimens
    queue.put(
        {
            "weeks": weeks,
            "seed": seed,
            "wall_s": wall,
            "cpu_s": cpu,
            "kpi_s": kpi_s,
            "events": out.events,
            "events_per_cpu_s": out.events / cpu,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "arrived": len(df),
            "completed": int(df["report_end"].notna().sum()),
            "blocks": out.blocks_arrived,
            "slides": out.slides_arrived,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=float, nargs="+", default=[1, 6, 26])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON line per run")
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    for weeks in args.weeks:
        rows = []
        for r in range(args.repeat):
            queue: mp.Queue = ctx.Queue()
            proc = ctx.Process(target=_measure, args=(weeks, args.seed + r, queue))
            proc.start()
            row = queue.get()
            proc.join()
            rows.append(row)
            if args.json:
                print(json.dumps(row))
            else:
                print(
                    f"{weeks:g} wk seed {row['seed']}: wall {row['wall_s']:.2f} s, "
                    f"cpu {row['cpu_s']:.2f} s, KPIs {row['kpi_s']:.2f} s, "
                    f"{row['events']:,} events "
                    f"({row['events_per_cpu_s']:,.0f}/cpu s), peak {row['peak_mb']:.0f} MB, "
                    f"{row['arrived']:,} arrived, {row['blocks']:,} blocks, "
                    f"{row['slides']:,} slides"
                )
        best = min(rows, key=lambda x: x["cpu_s"])
        mean_cpu = sum(x["cpu_s"] for x in rows) / len(rows)
        print(f"== {weeks:g} weeks: best cpu {best['cpu_s']:.2f} s, mean cpu {mean_cpu:.2f} s")


if __name__ == "__main__":
    main()
