"""Timing of code in a fresh Python process (cold imports, no warm caches), shared by the
start-up benchmarks."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def measure(code: str, runs: int) -> tuple[float, float]:
    """Best and median wall seconds of ``python -c code`` over ``runs`` fresh processes."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)
