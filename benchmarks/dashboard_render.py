"""Benchmark: first render of the simulation dashboard in headless Chromium.

Starts a private redis-server and ``hospital-twin dashboards`` (Voilà, ``--pool-size``
pre-heated kernels, default 1 as deployed) on a fresh database, then loads the page
``--loads`` times (default 20), each in a new browser context at 1280×800, waiting for the
dashboard's marker element, with ``--pause`` seconds between loads (a visitor rarely
arrives right behind another; the pool refills meanwhile). For each load it prints

* ``page``: seconds from navigation to the drawn dashboard — what a visitor waits;
* ``after kernel``: seconds from the kernel process's start to the drawn dashboard (with
  a pre-heated kernel that start was before the visit, so this is only telling with
  ``--pool-size 0``);
* ``after code``: seconds from the first line of dashboard code running in the kernel (kernel
  booted and executing the notebook) to the drawn dashboard;
* ``build``: seconds from kernel process start to the end of ``build()``.

The requirement is a first render within 3 s of the kernel starting. With pre-heated
kernels the kernel has started before the visitor arrives, so the benchmark holds the
stricter ``page`` figure to 3 s; with ``--pool-size 0`` it holds ``after kernel``. A load
that does not render within ``--timeout`` seconds counts as a hang; the exit status is 1 if
any load hung or the median exceeds 3 s.

Usage: ``.venv/bin/python benchmarks/dashboard_render.py [--loads 20] [--pool-size 1]
[--pause 8]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright

from hospital_twin.services.redis_server import RedisServer, free_port

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MARKER = ".ht-dashboard .ht-run-tab"
LIMIT_S = 3.0


def _start_voila(tmp: Path, redis_url: str, pool_size: int = 1
                 ) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ) | {"HOSPITAL_TWIN_REDIS_URL": redis_url,
                              "HOSPITAL_TWIN_VAR_DIR": str(tmp / "var"),
                              "HOSPITAL_TWIN_QUEUE_NAME": f"bench-{uuid.uuid4().hex[:8]}"}
    exe = str(Path(sys.executable).parent / "hospital-twin")
    log = open(tmp / "voila.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([exe, "dashboards", "--port", str(port), "--cull-idle", "30",
                             "--pool-size", str(pool_size)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, process_group=0)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return proc, f"http://127.0.0.1:{port}/voila/render/histopathology.ipynb"
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("voila did not start: " + (tmp / "voila.log").read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a hang")
    parser.add_argument("--pool-size", type=int, default=1,
                        help="pre-heated kernels (0: a kernel starts per visit)")
    parser.add_argument("--pause", type=float, default=8.0,
                        help="seconds between loads (the pool refills meanwhile)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    tmp = Path(tempfile.mkdtemp(prefix="ht-dash-bench-"))
    page_s, after_kernel_s, after_code_s, build_s, hangs = [], [], [], [], 0
    with RedisServer() as redis:
        voila, url = _start_voila(tmp, redis.url, args.pool_size)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for i in range(1, args.loads + 1):
                    time.sleep(args.pause)  # the first pause lets the pool fill
                    context = browser.new_context(viewport={"width": 1280, "height": 800})
                    page = context.new_page()
                    start = time.time()
                    page.goto(url, wait_until="commit")
                    try:
                        page.wait_for_selector(MARKER, state="visible",
                                               timeout=args.timeout * 1000)
                    except Exception:  # noqa: BLE001 - a timeout is a hang
                        hangs += 1
                        print(f"load {i:2d}: HANG (no dashboard after {args.timeout:g} s)")
                        context.close()
                        continue
                    drawn = time.time()
                    marker = page.locator(".ht-ready")
                    kernel = float(marker.get_attribute("data-kernel-start") or "nan")
                    built = float(marker.get_attribute("data-built") or "nan")
                    code = float(marker.get_attribute("data-code-start") or "nan")
                    after_code_s.append(drawn - code)
                    page_s.append(drawn - start)
                    after_kernel_s.append(drawn - kernel)
                    build_s.append(built - kernel)
                    print(f"load {i:2d}: page {page_s[-1]:5.2f} s   after kernel "
                          f"{after_kernel_s[-1]:5.2f} s   after code {after_code_s[-1]:5.2f} s   "
                          f"build {build_s[-1]:5.2f} s",
                          flush=True)
                    context.close()
                browser.close()
        finally:
            voila.terminate()
            try:
                voila.wait(20)
            except subprocess.TimeoutExpired:
                voila.kill()
    ok = len(page_s)
    print(f"\n{ok}/{args.loads} loads rendered, {hangs} hung")
    if ok:
        for name, values in (("page", page_s), ("after kernel", after_kernel_s),
                             ("after code", after_code_s), ("build", build_s)):
            print(f"{name:>12}: median {statistics.median(values):.2f} s, "
                  f"max {max(values):.2f} s, min {min(values):.2f} s")
    held, figure = (page_s, "page") if args.pool_size > 0 else (after_kernel_s, "after kernel")
    slow = not ok or statistics.median(held) > LIMIT_S
    if ok:
        print(f"target: median {figure} <= {LIMIT_S:g} s: {'met' if not slow else 'NOT met'}")
    return 1 if hangs or slow else 0


if __name__ == "__main__":
    sys.exit(main())
