"""The parameter sweep: every notebook over a matrix of questions, in one kernel each.

The matrix is built from each notebook's own parameter spec
(:func:`smallcaps.notebook_params.read`), so a new notebook joins without any
change here:

- the first ``symbol`` parameter takes every catalog price series it allows;
- a ``start``/``end`` pair (or ``end``/``as_of`` alone) takes: a two-month window,
  a window before 2000, the 2008 and the 2020 crashes, an end in the past, the
  smallest window the notebook's own check accepts and the largest (all history);
- one run on synthetic demo data (no snapshot, ``SMALLCAPS_DEMO=1``).

Cost by design: one kernel per notebook runs every parameter set (the parameters
cell with the set injected, then the notebook's code cells in order), data loads
are memoised in the kernel (``sc.data.load`` returns a copy of the first load of the
same request), and figures are built but not rasterised (Agg backend; drawing PNGs is
about 40% of a notebook's time and is covered by the default notebook tests). The
kernel runs with ``SMALLCAPS_STRICT=1``, so a section that hits a bug raises.

A run on demo data must say SYNTHETIC DEMO DATA. A set the notebook's parameter check
refuses (``sc.params.ParameterError`` in the
check cell, e.g. a window too short for the model) counts as answered: the user gets
one sentence naming the parameter and the rule. Any other error, a traceback, or an
"Empty DataFrame" in the output fails the sweep.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

import smallcaps as sc
from smallcaps import notebook_params

WINDOWS: dict[str, tuple[str, str]] = {
    "two months": ("2024-03-01", "2024-04-30"),
    "before 2000": ("1990-01-01", "1999-12-31"),
    "2008 crash": ("2007-06-01", "2009-06-30"),
    "2020 crash": ("2019-10-01", "2020-12-31"),
}
PAST_END = "2015-06-30"
# candidate windows, shortest first, for "the smallest the notebook accepts"
SMALLEST = [("2024-05-01", "2024-05-01"), ("2024-05-01", "2024-05-31"),
            ("2022-05-01", "2025-05-31"), ("2015-05-01", "2025-05-31")]
# cases reported in the issues, by notebook name prefix
REPORTED: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "01_breakout_ranges": [
        ("NDX Feb-Mar 2021", {"symbol": "NDX", "start": "2021-02-01", "end": "2021-03-26"}),
        ("RUT as of 2025-05-23", {"symbol": "RUT", "start": "2024-06-01", "end": "2025-05-23"}),
    ],
    "04_sentiment_positioning": [
        ("2022-01-01 to 2025-03-18", {"start": "2022-01-01", "end": "2025-03-18"}),
    ],
}
# parameters that only set how hard a model works, lowered for the sweep (their
# default is exercised by the notebook's own tests)
LIGHT = {"n_starts": 1}

_PRELUDE = r"""
import copy as _copy, os as _os
import matplotlib as _mpl
_mpl.use("Agg")
import matplotlib.pyplot as _plt
import smallcaps as _sc
import smallcaps.data as _scd
_sweep_load, _sweep_memo = _scd.load, {}
def _sweep_cached_load(name, *args, **kw):
    key = (repr(name), repr(args), repr(sorted(kw.items())), _os.environ.get("SMALLCAPS_DEMO"),
           _os.environ.get("SMALLCAPS_SNAPSHOT"))
    if key not in _sweep_memo:
        _sweep_memo[key] = _sweep_load(name, *args, **kw)
    obj = _sweep_memo[key]
    out = obj.copy()
    out.attrs = _copy.deepcopy(obj.attrs)
    return out
_scd.load = _sweep_cached_load
"""


@dataclass
class Case:
    """One parameter set of the sweep."""

    label: str
    params: dict[str, Any]
    env: dict[str, str | None] = field(default_factory=dict)
    # alternatives tried in order until the notebook's check accepts one (smallest window)
    candidates: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Outcome:
    case: Case
    status: str  # "ok", "refused" or "failed"
    seconds: float
    detail: str = ""
    text: str = ""  # every text output of the run


def cases(notebook: Path) -> list[Case]:
    """The sweep's parameter sets for ``notebook``, from its parameter spec."""
    spec = notebook_params.read(notebook)
    names = spec.names()
    out: list[Case] = [Case("defaults", {})]
    symbol = next((p for p in spec if p.validator == "symbol"), None)
    if symbol is not None:
        allow = symbol.validator_args.get("allow")
        prices = [n for n, s in sc.data.CATALOG.items() if s.kind == "prices"]
        for name in allow or prices:
            if name != symbol.default:
                extra = {}
                # a second symbol that must differ (a ratio's denominator)
                other = next((p for p in spec if p.validator == "symbol" and p is not symbol), None)
                if other is not None and other.default == name:
                    extra[other.name] = symbol.default
                out.append(Case(f"{symbol.name}={name}", {symbol.name: name, **extra}))
    if "start" in names and "end" in names:
        for label, (a, b) in WINDOWS.items():
            out.append(Case(label, {"start": a, "end": b}))
        out.append(Case("end in the past", {"start": "", "end": PAST_END}))
        out.append(Case("largest window", {"start": "", "end": ""}))
        out.append(Case("smallest window", {},
                        candidates=[{"start": a, "end": b} for a, b in SMALLEST]))
    else:
        for date_name in ("as_of", "end"):
            if date_name in names:
                for label, (_, b) in WINDOWS.items():
                    out.append(Case(f"{date_name} {label}", {date_name: b}))
                out.append(Case(f"{date_name} in the past", {date_name: PAST_END}))
                break
    for label, params in REPORTED.get(notebook.stem, []):
        out.append(Case(label, params))
    out.append(Case("demo data", {}, env={"SMALLCAPS_SNAPSHOT": None, "SMALLCAPS_DEMO": "1"}))
    light = {k: v for k, v in LIGHT.items() if k in names}
    for c in out:  # the full defaults run in the notebook's own tests
        c.params = {**light, **c.params}
    return out


def _assign(params: dict[str, Any]) -> str:
    return "\n".join(f"{k} = {v!r}" for k, v in params.items())


class Kernel:
    """One kernel that runs code and returns its text output or its error."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        from jupyter_client.manager import start_new_kernel

        from smallcaps.runner import kernel_name

        self.km, self.kc = start_new_kernel(kernel_name=kernel_name(), cwd=str(cwd), env=env)

    def run(self, code: str, timeout: float = 600) -> tuple[str, dict | None]:
        chunks: list[str] = []
        error: dict | None = None

        def hook(msg: dict) -> None:
            nonlocal error
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                chunks.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                data = content.get("data", {})
                chunks.append(data.get("text/plain", ""))
                chunks.append(data.get("text/html", ""))
            elif kind == "error":
                error = content

        self.kc.execute_interactive(code, output_hook=hook, timeout=timeout, stop_on_error=True)
        return "".join(chunks), error

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def _code_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def run(notebook: Path, env: dict[str, str], selected: list[Case] | None = None) -> list[Outcome]:
    """Run every case of ``notebook`` in one kernel; one Outcome per case."""
    nb = nbformat.read(notebook, as_version=4)
    cells = _code_cells(nb)
    param_cell, check_cell, rest = cells[0], cells[1], cells[2:]
    todo = selected if selected is not None else cases(notebook)
    kernel = Kernel(notebook.parent, env)
    outcomes = []
    try:
        _, err = kernel.run(_PRELUDE)
        if err:
            raise RuntimeError(f"sweep prelude failed: {err['ename']}: {err['evalue']}")
        for case in todo:
            t0 = time.perf_counter()
            setenv = "\n".join(
                f"_os.environ.pop({k!r}, None)" if v is None else f"_os.environ[{k!r}] = {v!r}"
                for k, v in case.env.items())
            saved = json.dumps({k: env.get(k) for k in case.env})
            kernel.run(f"_plt.close('all')\n{setenv}")
            status, detail = "ok", ""
            texts = []
            for alt in case.candidates:  # the first the notebook's own check accepts
                kernel.run(param_cell + "\n" + _assign({**case.params, **alt}))
                _, err = kernel.run(check_cell)
                if err is None:
                    case.params = {**case.params, **alt}
                    break
            for i, src in enumerate([param_cell + "\n" + _assign(case.params), check_cell, *rest]):
                text, err = kernel.run(src)
                texts.append(text)
                if err is not None:
                    if i == 1 and err["ename"] == "ParameterError":
                        status, detail = "refused", err["evalue"]
                    else:
                        status = "failed"
                        detail = (f"cell {i}: {err['ename']}: {err['evalue']}\n--- source ---\n"
                                  f"{src[:1500]}")
                    break
            if status == "ok":
                sources = [param_cell, check_cell, *rest]
                for i, text in enumerate(texts):
                    for bad in ("Empty DataFrame", "Traceback (most recent call last)"):
                        if bad in text:
                            status = "failed"
                            detail = (f"cell {i} output contains {bad!r}\n--- source ---\n"
                                      f"{sources[i][:1500]}")
            if status == "ok" and case.env.get("SMALLCAPS_DEMO") == "1" and \
                    "SYNTHETIC DEMO DATA" not in "\n".join(texts):
                status, detail = "failed", "a run on demo data does not say SYNTHETIC DEMO DATA"
            # restore the environment of the kernel for the next case
            kernel.run("import json as _json\n"
                       f"for _k, _v in _json.loads({saved!r}).items():\n"
                       "    _os.environ.pop(_k, None) if _v is None else "
                       "_os.environ.__setitem__(_k, _v)")
            outcomes.append(Outcome(case, status, time.perf_counter() - t0, detail,
                                    "\n".join(texts)))
    finally:
        kernel.close()
    return outcomes
