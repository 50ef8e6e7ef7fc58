"""Verdicts: compare what the kit measures with what a claim expects.

- ``verified``: every expected output is within its tolerance;
- ``refuted``: at least one is not; the note gives the kit's value and, when one
  exists, the nearest reading that would match (the other basis, a nearby session...);
- ``not_checkable``: the data are missing or were not yet published at ``as_of``;
  the note says which.

Tolerances: numbers within an absolute tolerance (``0.5``) or a relative one
(``"0.1%"``); by default the larger of half a unit in the last digit written
(``1991`` -> 0.5, ``-29.7`` -> 0.05, ``8.08`` -> 0.005) and the kind's floor.
Counts, booleans, text and dates compare exactly (text ignoring case and spaces
around ``>``; a date written ``2021-11`` or ``2021`` matches any day of that month
or year; a number tolerance on a date output is in calendar days).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..data import DataError
from .context import Context
from .registry import KINDS, Kind, Measurement, NotCheckable
from .spec import Claim, ClaimsFile, Figure

__all__ = ["VERDICTS", "Result", "check_claim", "check_file", "tolerance_for"]

VERDICTS = ("verified", "refuted", "not_checkable")


@dataclass(frozen=True)
class Result:
    """The verdict on one claim."""

    claim: Claim
    verdict: str
    value: Any
    note: str
    measurement: Measurement | None = None

    @property
    def id(self) -> str:
        return self.claim.id

    def to_dict(self) -> dict[str, Any]:
        """``id, kind, verdict, value, expected, note`` as JSON-able values."""
        return {"id": self.claim.id, "kind": self.claim.kind, "verdict": self.verdict,
                "value": jsonable(self.value), "expected": jsonable(self.claim.expect),
                "note": self.note}


def jsonable(x: Any) -> Any:
    """Plain JSON values: dates as ISO text, NaN/NaT as None, numpy scalars as Python."""
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if x is None or x is pd.NaT:
        return None
    if isinstance(x, pd.Timestamp):
        return x.strftime("%Y-%m-%d")
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if not math.isfinite(float(x)) else float(x)
    return x


def _abs_tol(spec: Any, expected: float) -> float:
    if isinstance(spec, str) and spec.endswith("%"):
        return abs(expected) * float(spec[:-1]) / 100.0
    return float(spec)


def tolerance_for(kind: Kind, output: str, expected: Any, given: Any = None) -> float:
    """The absolute tolerance for one expected output.

    ``given`` (the claim's tolerance: a number, "0.1%" or a mapping per output) wins;
    otherwise numbers get the larger of half a unit in the last digit written and the
    kind's floor, and every other output type 0 (exact).
    """
    if isinstance(given, dict):
        given = given.get(output)
    t = kind.outputs[output]
    if given is not None:
        return _abs_tol(given, float(expected) if t in ("number", "count") else 0.0)
    if t != "number":
        return 0.0
    decimals = expected.decimals if isinstance(expected, Figure) else 0
    rounding = 0.5 * 10.0 ** (-decimals)
    return max(rounding, _abs_tol(kind.tolerance, float(expected)))


def _fmt(x: Any) -> str:
    x = jsonable(x)
    if x is None:
        return "none"
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, float):
        return f"{x:,.4f}".rstrip("0").rstrip(".") if abs(x) < 1e6 else f"{x:,.0f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _norm_text(s: Any) -> str:
    return " > ".join(p.strip() for p in str(s).lower().split(">"))


def _matches(t: str, kit: Any, expected: Any, tol: float) -> bool:
    if kit is None or (isinstance(kit, float) and not math.isfinite(kit)) or kit is pd.NaT:
        return False
    if t in ("number", "count"):
        return abs(float(kit) - float(expected)) <= tol + 1e-9 * max(1.0, abs(float(expected)))
    if t == "bool":
        return bool(kit) == bool(expected)
    if t == "text":
        return _norm_text(kit) == _norm_text(expected)
    # dates
    k = pd.Timestamp(kit)
    e = str(expected)
    if len(e) == 4:
        return k.year == int(e)
    if len(e) == 7:
        return f"{k:%Y-%m}" == e
    return abs((k - pd.Timestamp(e)).days) <= tol


def _compare(kind: Kind, claim: Claim, values: dict[str, Any]) -> dict[str, bool]:
    expect = claim.expect if isinstance(claim.expect, dict) else {kind.primary: claim.expect}
    return {name: _matches(kind.outputs[name], values.get(name), exp,
                           tolerance_for(kind, name, exp, claim.tolerance))
            for name, exp in expect.items()}


def check_claim(claim: Claim, ctx: Context) -> Result:
    """Measure one claim and give its verdict (never raises for data problems)."""
    kind = KINDS[claim.kind]
    try:
        m = kind.func(claim.check, ctx)
    except NotCheckable as exc:
        return Result(claim, "not_checkable", None, str(exc))
    except (DataError, ValueError, LookupError) as exc:
        # the library refused the question (bad data, a level far from the prices...):
        # say why instead of stopping the whole file
        return Result(claim, "not_checkable", None, f"cannot be measured: {exc}")
    asked = claim.check.get("date")
    if (asked is not None and m.date is not None and m.symbol is not None
            and pd.Timestamp(asked) != m.date):
        rolled = f"read on {m.date:%Y-%m-%d}, the last session before {pd.Timestamp(asked):%Y-%m-%d}"
        m.note = "; ".join(x for x in (rolled, m.note) if x)
    expect = claim.expect if isinstance(claim.expect, dict) else None
    value = ({k: m.values.get(k) for k in expect} if expect is not None
             else m.values.get(kind.primary))
    ok = _compare(kind, claim, m.values)
    if all(ok.values()):
        return Result(claim, "verified", value, m.note, m)
    names = [k for k, good in ok.items() if not good]
    parts = [f"kit {n} {_fmt(m.values.get(n))}" if expect is not None else
             f"kit value {_fmt(m.values.get(n))}" for n in names]
    for label, alt in m.alternatives:
        if all(_compare(kind, claim, {**m.values, **alt}).values()):
            shown = ", ".join(_fmt(alt[n]) for n in names if n in alt)
            parts.append(f"would match {label}" + (f" ({shown})" if shown else ""))
            break
    else:
        if m.alternatives and kind.outputs[names[0]] == "number":
            near = [a[names[0]] for _, a in m.alternatives if a.get(names[0]) is not None]
            if near:
                parts.append(f"no other basis or nearby date matches either ({_fmt(min(near))} to "
                             f"{_fmt(max(near))})")
    if m.note:
        parts.append(m.note)
    return Result(claim, "refuted", value, "; ".join(parts), m)


@dataclass(frozen=True)
class Report:
    """Verdicts on a claims file."""

    file: ClaimsFile
    as_of: pd.Timestamp | None
    results: list[Result]
    context: Context | None = None

    def data(self) -> list[str]:
        """Where each series used came from (one provenance sentence each)."""
        from ..data import provenance

        if self.context is None:
            return []
        return [provenance(df).describe() for df in self.context.loaded().values()]

    @property
    def exit_code(self) -> int:
        """0: every claim verified; 1: any refuted; 3: none refuted but some could not
        be checked (data missing or not yet published). 2 is a bad file (raised before
        any claim is checked)."""
        if any(r.verdict == "refuted" for r in self.results):
            return 1
        return 3 if any(r.verdict == "not_checkable" for r in self.results) else 0

    def counts(self) -> dict[str, int]:
        return {v: sum(r.verdict == v for r in self.results) for v in VERDICTS}

    def to_frame(self) -> pd.DataFrame:
        """The verdict table: id, text, expected, kit value, verdict, note."""
        rows = [{"id": r.id, "text": r.claim.text, "expected": _fmt_any(r.claim.expect),
                 "kit value": _fmt_any(r.value), "verdict": r.verdict, "note": r.note}
                for r in self.results]
        return pd.DataFrame(rows, columns=["id", "text", "expected", "kit value", "verdict",
                                           "note"])

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.results]

    def summary(self) -> str:
        c = self.counts()
        when = f"as of {self.as_of:%Y-%m-%d}" if self.as_of is not None else "with all data"
        return (f"{len(self.results)} claims {when}: {c['verified']} verified, "
                f"{c['refuted']} refuted, {c['not_checkable']} not checkable")


def _fmt_any(x: Any) -> str:
    if isinstance(x, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in x.items())
    return "" if x is None else _fmt(x)


def check_file(cf: ClaimsFile, as_of: Any = None, snapshot: Any = None) -> Report:
    """Check every claim of a validated file with the data public at ``as_of``
    (default: the file's own ``as_of``; None in both = all data)."""
    when = pd.Timestamp(as_of) if as_of not in (None, "") else cf.as_of
    ctx = Context(when, snapshot)
    return Report(cf, when, [check_claim(c, ctx) for c in cf.claims], ctx)
