"""How long ``import smallcaps`` takes, against importing pandas alone (same run).

Goal: ``import smallcaps`` (and touching ``smallcaps.data``) under 0.5 s: the heavy
libraries (statsmodels, scipy, mplfinance, papermill, matplotlib) load lazily. Each
measurement is a fresh interpreter; the best of N runs is reported.
"""

from __future__ import annotations

from _fresh import measure  # benchmarks/ is on the path when a script runs

RUNS = 7
CASES = {
    "python (empty)": "pass",
    "import pandas": "import pandas",
    "import smallcaps": "import smallcaps",
    "import smallcaps; smallcaps.data": "import smallcaps; smallcaps.data",
}


def main() -> None:
    results = {name: measure(code, RUNS) for name, code in CASES.items()}
    base = results["python (empty)"][0]
    pandas_cost = results["import pandas"][0] - base
    print(f"{'case':<36}{'best s':>9}{'median s':>10}{'net s':>8}{'vs pandas':>11}")
    for name, (best, med) in results.items():
        net = best - base
        ratio = net / pandas_cost if pandas_cost > 0 else float("nan")
        print(f"{name:<36}{best:>9.3f}{med:>10.3f}{net:>8.3f}{ratio:>10.2f}x")
    net = results["import smallcaps; smallcaps.data"][0] - base
    print(f"\nimport smallcaps + data: {net:.3f} s net of interpreter start-up "
          f"(goal < 0.5 s: {'met' if net < 0.5 else 'NOT met'})")


if __name__ == "__main__":
    main()
