"""The weekly note: computed facts, then plain-language sentences built only from them.

:func:`weekly_briefing` loads what was public on ``as_of`` and calls
:func:`build`, which is pure (frames in, a :class:`Briefing` out). Every
sentence lists the facts it states, and every number in it is one of those
facts as shown in the tables (:meth:`Briefing.check` verifies this). A fact
that cannot be computed - a series that is not loaded, too short, or whose
latest reading is too old to be this week's news - is left out and listed in
``Briefing.missing`` with the reason; no sentence mentions it.

Facts and their definitions (``C_t`` = close on the last session on or before
``as_of``, ``C_w`` = close of the previous calendar week's last session):

- price: close; weekly change ``100 (C_t / C_w - 1)`` % and ``C_t - C_w`` points;
  50- and 200-day simple averages (``sc.technicals.sma`` on the full history)
  and the close's distance from each ``100 (C_t / SMA - 1)``; the all-time
  closing high and the distance from it.
- levels: nearest support below and resistance above the close and the most
  recent trading range (shown when it ended in the last three years) with its
  nearest edge, all from ``sc.technicals.key_levels`` (the whole history up to
  ``as_of``, the same answer notebook 01 gives); this week's tests of those levels
  and of the nearest round numbers (``sc.technicals.level_test``).
- relative: for each benchmark, the two weekly changes and their spread in
  percentage points, and the year-to-date change of the ratio
  (``sc.relative.relative_performance``, ratio based).
- sentiment (point in time: only what was published by ``as_of``): IWM short
  interest, leveraged-fund net positioning in the Russell 2000 E-mini (% of
  open interest), FINRA margin debt, the Cboe total put/call ratio; each with
  its percentile (``sc.sentiment.percentile_rank``, ties averaged, as
  ``scipy.stats.percentileofscore(kind="rank")``), reference and publication
  dates.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import config

__all__ = ["STALE_DAYS", "Briefing", "BriefingSection", "Fact", "Sentence", "build",
           "weekly_briefing"]

#: Oldest reading, in days from its reference date to ``as_of``, still reported.
STALE_DAYS = {"short_interest": 45, "cot": 35, "margin_debt": 80, "putcall": 10}
TABLES = ("price", "levels", "relative", "sentiment")
_NUMBER = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
# window lengths ("50-day", "156 weeks") and index names ("Russell 2000") in the text
# name what a fact is; they are not facts themselves
_WINDOW = re.compile(r"\b\d+-day\b|\b\d+ weeks\b|Russell 2000|S&P 500|Nasdaq-100")
_SENTIMENT_NAMES = ("margin_debt", "putcall", "nfib")
_MARKETS = {"russell2000": "Russell 2000 E-mini", "sp500": "S&P 500 E-mini",
            "nasdaq100": "Nasdaq-100 E-mini"}


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class Fact:
    """One computed number (or date) of the briefing.

    Attributes
    ----------
    key : identifier used by sentences (``"close"``, ``"sma_50"``...).
    label : what it is, in words.
    value : the number (float/int) or text.
    shown : the value as printed in the table and in sentences.
    table : "price", "levels", "relative" or "sentiment".
    date : the date the value refers to.
    published : when it became public (sentiment series), else None.
    source : the function or rule that produced it.
    """

    key: str
    label: str
    value: Any
    shown: str
    table: str
    date: pd.Timestamp | None = None
    published: pd.Timestamp | None = None
    source: str = ""


@dataclass(frozen=True)
class Sentence:
    """A sentence of the note and the keys of the facts it states."""

    text: str
    facts: tuple[str, ...]
    table: str


@dataclass
class Briefing:
    """The week's note: facts, sentences built from them, and what is missing.

    Attributes
    ----------
    as_of : the date of the note.
    symbol : the index the note is about.
    facts : key -> :class:`Fact`.
    sentences : the note, in order.
    missing : (fact, reason) for each fact left out.
    sources : series name -> its provenance line (``Provenance.describe()``).
    """

    as_of: pd.Timestamp
    symbol: str
    facts: dict[str, Fact] = field(default_factory=dict)
    sentences: list[Sentence] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def provenance(self) -> list[str]:
        """One provenance line per series used."""
        return list(self.sources.values())

    def __getitem__(self, key: str) -> Any:
        return self.facts[key].value

    def table(self, name: str | None = None) -> pd.DataFrame:
        """The facts (of one table, or all) as a DataFrame indexed by key.

        Columns: ``fact`` (label), ``value`` (as shown in the text), ``date``,
        ``published``, ``source``.
        """
        rows = [{"key": f.key, "fact": f.label, "value": f.shown,
                 "date": f.date.date().isoformat() if f.date is not None else "",
                 "published": f.published.date().isoformat() if f.published is not None else "",
                 "source": f.source}
                for f in self.facts.values() if name is None or f.table == name]
        return pd.DataFrame(rows, columns=["key", "fact", "value", "date", "published",
                                           "source"]).set_index("key")

    def tables(self) -> dict[str, pd.DataFrame]:
        """One table per section that has facts."""
        return {t: self.table(t) for t in TABLES if any(f.table == t for f in self.facts.values())}

    def section(self, name: str) -> BriefingSection:
        """One section's sentences with the table of their facts right below them."""
        if name not in TABLES:
            raise ValueError(f"section {name!r} is not one of {', '.join(TABLES)}")
        if name in ("price", "levels"):
            used = [self.symbol]
        elif name == "relative":
            used = [k for k in self.sources if ":" not in k and k not in _SENTIMENT_NAMES]
        else:
            used = [k for k in self.sources if ":" in k or k in _SENTIMENT_NAMES]
        return BriefingSection(name, [s for s in self.sentences if s.table == name],
                               self.table(name), [self.sources[k] for k in used
                                                  if k in self.sources])

    def missing_frame(self) -> pd.DataFrame:
        """The facts left out, with the reason."""
        return pd.DataFrame(self.missing, columns=["fact", "reason"])

    def text(self, refs: bool = False) -> str:
        """The note as plain text, one paragraph per section (``refs``: fact keys in brackets)."""
        paras = []
        for t in TABLES:
            ss = [s.text + (f" [{', '.join(s.facts)}]" if refs else "")
                  for s in self.sentences if s.table == t]
            if ss:
                paras.append(" ".join(ss))
        return "\n\n".join(paras)

    def check(self) -> None:
        """Verify that every sentence's numbers are facts shown in the tables.

        Each number or ISO date in a sentence must appear in the ``shown`` text of
        one of the facts the sentence cites; window lengths ("50-day",
        "156 weeks") and index names ("Russell 2000") are exempt.

        Raises
        ------
        AssertionError
            Naming the sentence and the number that no listed fact shows.
        """
        for s in self.sentences:
            unknown = [k for k in s.facts if k not in self.facts]
            if unknown:
                raise AssertionError(f"{s.text!r} cites unknown facts {unknown}")
            shown = set()
            for k in s.facts:
                shown.update(_NUMBER.findall(self.facts[k].shown))
            for number in _NUMBER.findall(_WINDOW.sub("", s.text)):
                if number not in shown:
                    raise AssertionError(f"{s.text!r}: {number} is not shown by its facts {s.facts}")

    def to_markdown(self) -> str:
        """Sentences with their fact keys, then the tables, then what is missing."""
        parts = [f"## {self.symbol}: the week to {self.as_of:%Y-%m-%d}", ""]
        parts += [f"- {s.text} *({', '.join(s.facts)})*" for s in self.sentences]
        for name, tab in self.tables().items():
            parts += ["", f"### {name}", "", _md_table(tab)]
        if self.missing:
            parts += ["", "### left out", ""] + [f"- {k}: {why}" for k, why in self.missing]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        order = {k: i + 1 for i, k in enumerate(self.facts)}
        items = "".join(
            f"<li>{_html.escape(s.text)} <sup style='color:#8a8f98'>"
            f"{', '.join(str(order[k]) for k in s.facts)}</sup></li>" for s in self.sentences)
        return (f"<h3>{_html.escape(self.symbol)}: the week to {self.as_of:%Y-%m-%d}</h3>"
                f"<ul>{items}</ul><p style='color:#8a8f98'>Superscripts are the rows of the fact "
                f"tables (numbered in order).</p>")


@dataclass
class BriefingSection:
    """Sentences of one section and the table of the facts they cite (for notebooks)."""

    name: str
    sentences: list[Sentence]
    facts: pd.DataFrame
    sources: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        lines = [f"{s.text} [{', '.join(s.facts)}]" for s in self.sentences]
        if not lines:
            lines = [f"(no {self.name} facts could be computed)"]
        return ("\n".join(lines) + "\n\n" + self.facts.to_string() + "\n"
                + "\n".join(f"source: {x}" for x in self.sources))

    def _repr_html_(self) -> str:
        items = "".join(
            f"<li>{_html.escape(s.text)} <span style='color:#8a8f98;font-size:85%'>"
            f"[{', '.join(_html.escape(k) for k in s.facts)}]</span></li>" for s in self.sentences)
        if not items:
            items = f"<li><i>no {_html.escape(self.name)} facts could be computed</i></li>"
        from .tables import table

        facts = table(self.facts, f"Facts of the {self.name} section", source=list(self.sources),
                      empty="no fact of this section could be computed")
        return f"<ul>{items}</ul>{facts._repr_html_()}"


def _md_table(df: pd.DataFrame) -> str:
    cols = [df.index.name or "", *df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for key, row in df.iterrows():
        lines.append("| " + " | ".join(str(v).replace("|", "/") for v in [key, *row]) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- formatting


def _level(x: float) -> str:
    return f"{x:,.2f}"


def _pct(x: float) -> str:
    return f"{x:+.1f}%"


def _pp(x: float) -> str:
    return f"{x:+.1f} pp"


def _day(ts: pd.Timestamp) -> str:
    return f"{ts:%Y-%m-%d}"


def _ordinal(x: float) -> str:
    n = int(round(x))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _published_word(ref: pd.Timestamp, release: str) -> str:
    """"published" for a real release date, "published by" for a conservative bound."""
    from .data.pointintime import release_is_exact

    return "published" if release_is_exact(pd.DatetimeIndex([ref]), release)[0] else "published by"


def _side(x: float, above: str = "above", below: str = "below") -> str:
    return above if x >= 0 else below


class _Note:
    """Collects facts, sentences and gaps while the sections are computed."""

    def __init__(self, b: Briefing) -> None:
        self.b = b

    def fact(self, key: str, label: str, value: Any, shown: str, table: str,
             date: Any = None, published: Any = None, source: str = "") -> Fact:
        f = Fact(key, label, value, shown, table,
                 pd.Timestamp(date) if date is not None and not pd.isna(date) else None,
                 pd.Timestamp(published) if published is not None and not pd.isna(published)
                 else None, source)
        self.b.facts[key] = f
        return f

    def say(self, table: str, text: str, *keys: str) -> None:
        self.b.sentences.append(Sentence(text, tuple(keys), table))

    def miss(self, what: str, reason: str) -> None:
        self.b.missing.append((what, reason))

    def section(self, what: str, fn: Callable[[], None]) -> None:
        """Run one section; an error leaves its facts out and lists why."""
        before = (dict(self.b.facts), len(self.b.sentences))
        try:
            fn()
        except (ValueError, KeyError, IndexError, TypeError, ImportError, AttributeError,
                ZeroDivisionError) as exc:
            self.b.facts = before[0]
            del self.b.sentences[before[1]:]
            # a bug (not a ValueError about the data) is raised in strict mode, as in sc.section
            if config.strict() and not isinstance(exc, ValueError):
                raise
            self.miss(what, str(exc) if type(exc) is ValueError else f"{type(exc).__name__}: {exc}")


def _close(prices: pd.DataFrame, name: str) -> pd.Series:
    if "close" not in prices.columns:
        raise ValueError(f"{name}: no 'close' column")
    c = prices["close"].astype(float).dropna()
    if c.empty:
        raise ValueError(f"{name}: no closes")
    return c


def _previous_week_close(close: pd.Series) -> tuple[pd.Timestamp, float]:
    """The last close of the calendar week (Mon-Sun) before the last close's week."""
    last = close.index[-1]
    week_start = (last - pd.Timedelta(days=last.weekday())).normalize()
    before = close.loc[: week_start - pd.Timedelta(days=1)]
    if before.empty:
        raise ValueError("no close in the week before")
    return before.index[-1], float(before.iloc[-1])


# --------------------------------------------------------------------------- sections


def _price_section(n: _Note, sym: str, prices: pd.DataFrame) -> None:
    from . import technicals

    close = _close(prices, sym)
    t, c = close.index[-1], float(close.iloc[-1])
    n.fact("close", f"{sym} close", c, _level(c), "price", t, source="close")
    n.fact("close_date", "date of the close", _day(t), _day(t), "price", t)

    def weekly() -> None:
        wd, wc = _previous_week_close(close)
        chg = 100 * (c / wc - 1)
        n.fact("prev_week_close", f"{sym} close of the previous week", wc, _level(wc), "price", wd,
               source="last close of the previous calendar week")
        n.fact("prev_week_date", "date of the previous week's close", _day(wd), _day(wd), "price", wd)
        n.fact("weekly_change_pct", "weekly change, %", chg, _pct(chg), "price", t,
               source="100 (close / previous week's close - 1)")
        n.fact("weekly_change_pts", "weekly change, points", c - wc, f"{c - wc:+,.2f}", "price", t,
               source="close - previous week's close")
        n.say("price", f"{sym} closed at {_level(c)} on {_day(t)}, a weekly change of {_pct(chg)} "
              f"({c - wc:+,.2f} points) from {_level(wc)} on {_day(wd)}.",
              "close", "close_date", "weekly_change_pct", "weekly_change_pts", "prev_week_close",
              "prev_week_date")

    n.section("weekly change", weekly)

    def averages() -> None:
        parts, keys = [], []
        for w in (50, 200):
            avg = float(technicals.sma(close, w).iloc[-1])
            if pd.isna(avg):
                raise ValueError(f"{w}-day average undefined (only {len(close)} closes)")
            dist = 100 * (c / avg - 1)
            n.fact(f"sma_{w}", f"{w}-day simple moving average", avg, _level(avg), "price", t,
                   source=f"sc.technicals.sma(close, {w})")
            n.fact(f"pct_vs_sma_{w}", f"close vs {w}-day average, %", dist, _pct(dist), "price", t,
                   source=f"100 (close / sma_{w} - 1)")
            parts.append(f"{abs(dist):.1f}% {_side(dist)} its {w}-day average ({_level(avg)})")
            keys += [f"sma_{w}", f"pct_vs_sma_{w}"]
        order = "above" if n.b["sma_50"] > n.b["sma_200"] else "below"
        n.say("price", f"The close is {parts[0]} and {parts[1]}; the 50-day average is {order} "
              "the 200-day.", *keys)

    n.section("50/200-day averages", averages)

    def high() -> None:
        hd = close.idxmax()
        h = float(close.loc[hd])
        dist = 100 * (c / h - 1)
        n.fact("closing_high", "all-time closing high", h, _level(h), "price", hd,
               source="max(close)")
        n.fact("closing_high_date", "date of the closing high", _day(hd), _day(hd), "price", hd)
        n.fact("pct_from_high", "close vs closing high, %", dist, _pct(dist), "price", t,
               source="100 (close / closing high - 1)")
        if dist >= 0:
            n.say("price", f"That is a new all-time closing high ({_level(h)}).", "closing_high")
        else:
            n.say("price", f"It is {abs(dist):.1f}% below the all-time closing high of {_level(h)} "
                  f"set on {_day(hd)}.", "pct_from_high", "closing_high", "closing_high_date")

    n.section("closing high", high)


def _levels_section(n: _Note, sym: str, prices: pd.DataFrame, week_start: pd.Timestamp) -> None:
    from . import technicals

    close = _close(prices, sym)
    t, c = close.index[-1], float(close.iloc[-1])
    tested: dict[float, str] = {}  # level -> what it is

    # one answer per question: the same function as notebook 01 (whole history up to t)
    structure: list[technicals.KeyLevels] = []

    def key_levels() -> technicals.KeyLevels:
        if not structure:
            structure.append(technicals.key_levels(prices, as_of=t))
        return structure[0]

    def sr() -> None:
        kl = key_levels()
        said = []
        for kind, r, word in (("resistance", kl.resistance, "above"),
                              ("support", kl.support, "below")):
            if r is None:
                n.miss(f"nearest {kind}", f"no {kind} level {word} the close in the last two years")
                continue
            dist = 100 * (r["level"] / c - 1)
            key = f"{kind}_level"
            n.fact(key, f"nearest {kind} (mean of {int(r['touches'])} swing points)",
                   float(r["level"]), _level(r["level"]), "levels", r["last_touch"],
                   source="sc.technicals.key_levels: swing points of the last two years")
            n.fact(f"{kind}_touches", f"{kind}: swing points", int(r["touches"]),
                   str(int(r["touches"])), "levels", r["last_touch"])
            n.fact(f"{kind}_last_touch", f"{kind}: last touch", _day(r["last_touch"]),
                   _day(r["last_touch"]), "levels", r["last_touch"])
            n.fact(f"{kind}_distance", f"{kind} vs close, %", dist, _pct(dist), "levels", t)
            said.append((f"{kind} at {_level(r['level'])} ({int(r['touches'])} swing points, last "
                         f"{_day(r['last_touch'])}), {abs(dist):.1f}% {word} the close",
                         (key, f"{kind}_touches", f"{kind}_last_touch", f"{kind}_distance")))
            tested[float(r["level"])] = kind
        if said:
            text = "; ".join(s for s, _ in said)
            n.say("levels", f"Nearest {text}.", *[k for _, ks in said for k in ks])

    n.section("support and resistance", sr)

    def ranges() -> None:
        r = key_levels().latest_range
        # scanned on the whole history; a range that ended long ago is not news
        if r is None or r["end"] < t - pd.DateOffset(years=3):
            n.miss("trading range", "no trading range ended in the last three years")
            return
        lo, hi = float(r["low"]), float(r["high"])
        n.fact("range_low", "latest range: low edge", lo, _level(lo), "levels", r["start"],
               source="sc.technicals.key_levels: ranges of the whole history")
        n.fact("range_high", "latest range: high edge", hi, _level(hi), "levels", r["start"],
               source="sc.technicals.key_levels: ranges of the whole history")
        n.fact("range_start", "latest range: start", _day(r["start"]), _day(r["start"]), "levels",
               r["start"])
        n.fact("range_end", "latest range: end", _day(r["end"]), _day(r["end"]), "levels", r["end"])
        edge, name = (lo, "low") if abs(c - lo) <= abs(c - hi) else (hi, "high")
        # the sentence says where the edge is relative to the close: the close is the base
        dist = 100 * (edge / c - 1)
        n.fact("range_edge_distance", f"nearest range edge ({name}) vs close, %", dist, _pct(dist),
               "levels", t, source="100 (edge / close - 1)")
        keys = ("range_low", "range_high", "range_start", "range_end", "range_edge_distance")
        if r["exit"] == "open":
            n.say("levels", f"{sym} has traded in a range of {_level(lo)} to {_level(hi)} since "
                  f"{_day(r['start'])} (through {_day(r['end'])}); the nearest edge, "
                  f"{_level(edge)}, is {abs(dist):.1f}% {_side(dist)} the close.", *keys)
        else:
            how = "a breakout up" if r["exit"] == "up" else "a breakdown"
            n.fact("range_exit_date", "latest range: exit date", _day(r["exit_date"]),
                   _day(r["exit_date"]), "levels", r["exit_date"])
            n.say("levels", f"The most recent trading range, {_level(lo)} to {_level(hi)} from "
                  f"{_day(r['start'])} to {_day(r['end'])}, ended with {how} on "
                  f"{_day(r['exit_date'])}; its nearest edge, {_level(edge)}, is {abs(dist):.1f}% "
                  f"{_side(dist)} the close.", *keys, "range_exit_date")
        tested[edge] = "range edge"

    n.section("trading range", ranges)

    def tests() -> None:
        rn = technicals.round_numbers(c, count=1)
        for lv in rn["level"]:
            tested.setdefault(float(lv), "round number")
        week = prices.loc[week_start:t]
        if week.empty:
            raise ValueError("no sessions this week")
        crossed_any = []
        for lv, label in sorted(tested.items(), reverse=True):
            lt = technicals.level_test(prices, lv, start=week_start, end=t)
            key = f"test_{lv:.2f}".replace(".", "_")
            n.fact(key, f"this week at {_level(lv)} ({label}): sessions crossed / sessions",
                   lt.crossed, f"{_level(lv)}: {lt.crossed} of {lt.sessions}", "levels", t,
                   source="sc.technicals.level_test, this week")
            n.fact(key + "_closes", f"this week at {_level(lv)}: closes above / below",
                   (lt.closes_above, lt.closes_below),
                   f"{lt.closes_above} above, {lt.closes_below} below", "levels", t)
            if lt.crossed:
                crossed_any.append(
                    (f"{_level(lv)} ({label}) was crossed intraday in {lt.crossed} of "
                     f"{lt.sessions} sessions, with {lt.closes_above} closes above and "
                     f"{lt.closes_below} below", (key, key + "_closes")))
        if crossed_any:
            n.say("levels", "This week " + "; ".join(s for s, _ in crossed_any) + ".",
                  *[k for _, ks in crossed_any for k in ks])
        else:
            keys = [k for k in n.b.facts if k.startswith("test_") and not k.endswith("_closes")]
            levels = ", ".join(n.b.facts[k].shown.split(":")[0] for k in keys)
            n.say("levels", f"No key level ({levels}) was crossed this week.", *keys)

    n.section("level tests of the week", tests)


def _relative_section(n: _Note, sym: str, prices: pd.DataFrame,
                      benchmarks: Mapping[str, pd.DataFrame]) -> None:
    from . import relative

    close = _close(prices, sym)
    t = close.index[-1]
    for bench, bp in benchmarks.items():
        def one(bench: str = bench, bp: pd.DataFrame = bp) -> None:
            bc = _close(bp, bench)
            if bc.index[-1] != t:
                raise ValueError(f"{bench} has no close on {_day(t)} (its last is "
                                 f"{_day(bc.index[-1])})")
            wd, _ = _previous_week_close(close)
            if wd not in bc.index:
                raise ValueError(f"{bench} has no close on {_day(wd)}")
            ra = 100 * (close.iloc[-1] / close.loc[wd] - 1)
            rb = 100 * (bc.iloc[-1] / bc.loc[wd] - 1)
            spread = ra - rb
            k = bench.lower()
            n.fact(f"{k}_weekly_change_pct", f"{bench} weekly change, %", rb, _pct(rb), "relative",
                   t, source=f"100 ({bench} close / close on {_day(wd)} - 1)")
            n.fact(f"weekly_spread_vs_{k}", f"{sym} minus {bench} weekly change, pp", spread,
                   _pp(spread), "relative", t)
            ytd_base = pd.Timestamp(year=t.year, month=1, day=1) - pd.Timedelta(days=1)
            rel = relative.relative_performance(prices, bp, start=ytd_base)
            ytd = float(rel.iloc[-1])
            n.fact(f"ytd_relative_vs_{k}", f"{sym}/{bench} ratio, year to date, %", ytd, _pct(ytd),
                   "relative", rel.index[-1],
                   source=f"sc.relative.relative_performance(start={_day(rel.index[0])})")
            verb = "outperformed" if spread > 0 else "underperformed" if spread < 0 else "matched"
            n.say("relative", f"Against {bench}, {sym} {verb} by {abs(spread):.1f} percentage "
                  f"points this week ({sym} {_pct(ra)}, {bench} {_pct(rb)}); year to date the "
                  f"{sym}/{bench} ratio is {_pct(ytd)}.",
                  f"weekly_spread_vs_{k}", "weekly_change_pct", f"{k}_weekly_change_pct",
                  f"ytd_relative_vs_{k}")

        n.section(f"relative strength against {bench}", one)


def _fresh(kind: str, ref: pd.Timestamp, as_of: pd.Timestamp, what: str) -> None:
    age = (as_of - ref).days
    if age > STALE_DAYS[kind]:
        raise ValueError(f"the latest {what} published by {_day(as_of)} is for {_day(ref)}, "
                         f"{age} days old (limit {STALE_DAYS[kind]})")


def _sentiment_section(n: _Note, as_of: pd.Timestamp,
                       series: Mapping[str, pd.DataFrame | Exception]) -> None:
    from . import sentiment

    def get(name: str) -> pd.DataFrame:
        obj = series.get(name)
        if obj is None:
            raise ValueError(f"{name} was not loaded")
        if isinstance(obj, Exception):
            raise ValueError(str(obj))
        return obj

    def short_interest() -> None:
        name = next((k for k in series if k.startswith("short_interest:")), "short_interest:IWM")
        etf = name.split(":", 1)[1]
        m = sentiment.short_interest_metrics(get(name))
        last = m.iloc[-1]
        ref = m.index[-1]
        _fresh("short_interest", ref, as_of, f"{etf} short interest")
        pub = last.get("published")
        shares = float(last["shares_short"])
        first = m.index[0]
        n.fact("si_shares", f"{etf} short interest, shares", shares, f"{shares / 1e6:,.1f} million",
               "sentiment", ref, pub, "FINRA/exchange short interest")
        n.fact("si_percentile", f"{etf} short interest percentile since {_day(first)}",
               float(last["percentile"]), _ordinal(last["percentile"]), "sentiment", ref, pub,
               "sc.sentiment.short_interest_metrics (all reports to date)")
        keys = ["si_shares", "si_percentile"]
        chg = last.get("change_1_pct")
        text = (f"{etf} short interest was {shares / 1e6:,.1f} million shares at the {_day(ref)} "
                f"settlement (published {_day(pub)})")
        n.fact("si_date", f"{etf} short interest: settlement / published",
               _day(ref), f"{_day(ref)} / {_day(pub)}", "sentiment", ref, pub)
        keys.append("si_date")
        if chg is not None and not pd.isna(chg):
            n.fact("si_change_pct", f"{etf} short interest change since the previous report, %",
                   float(chg), _pct(chg), "sentiment", ref, pub)
            text += f", {_pct(chg)} from the previous report"
            keys.append("si_change_pct")
        text += f", the {_ordinal(last['percentile'])} percentile of reports since {_day(first)}."
        n.fact("si_first", "first short-interest report", _day(first), _day(first), "sentiment",
               first)
        n.say("sentiment", text, *keys, "si_first")

    def cot() -> None:
        name = next((k for k in series if k.startswith("cot:")), "cot:russell2000")
        m = sentiment.positioning_metrics(get(name), "lev_money", 156)
        m = m.dropna(subset=["net_pct_oi"])
        last, ref = m.iloc[-1], m.index[-1]
        _fresh("cot", ref, as_of, "COT report")
        pub = last.get("published")
        market = _MARKETS.get(name.split(":", 1)[1], name.split(":", 1)[1])
        n.fact("cot_net", f"leveraged funds net contracts ({market})", float(last["net"]),
               f"{last['net']:+,.0f}", "sentiment", ref, pub, "CFTC TFF, futures only")
        n.fact("cot_net_pct_oi", "leveraged funds net, % of open interest",
               float(last["net_pct_oi"]), _pct(last["net_pct_oi"]), "sentiment", ref, pub,
               "sc.sentiment.positioning_metrics")
        n.fact("cot_date", "COT report date / published", _day(ref),
               f"{_day(ref)} / {_day(pub)}", "sentiment", ref, pub)
        keys = ["cot_net", "cot_net_pct_oi", "cot_date"]
        text = (f"Leveraged funds were net {'long' if last['net'] >= 0 else 'short'} "
                f"{abs(last['net']):,.0f} {market} futures contracts ({_pct(last['net_pct_oi'])} of "
                f"open interest) on {_day(ref)} ({_published_word(ref, 'cftc_cot')} {_day(pub)})")
        if not pd.isna(last["percentile"]):
            held = int(last["window_reports"])
            n.fact("cot_percentile", "net % of open interest, percentile of 156 weeks",
                   float(last["percentile"]), _ordinal(last["percentile"]), "sentiment", ref, pub)
            n.fact("cot_window_reports", "reports held by the 156-week window", held,
                   f"{held} of 156 weeks", "sentiment", ref, pub,
                   "reports with a value in the 156-week window (source gaps shrink it)")
            text += (f", the {_ordinal(last['percentile'])} percentile of the last 156 weeks "
                     f"({held} of 156 weeks hold a report)")
            keys += ["cot_percentile", "cot_window_reports"]
        n.say("sentiment", text + ".", *keys)

    def margin() -> None:
        df = get("margin_debt")
        debit = df["debit_balances_margin_accounts"].astype(float).dropna()
        ref = debit.index[-1]
        _fresh("margin_debt", ref, as_of, "FINRA margin statistics")
        pub = df["published"].loc[ref] if "published" in df.columns else None
        pctile = float(sentiment.percentile_rank(debit).iloc[-1])
        v = float(debit.iloc[-1])
        n.fact("margin_debt", "FINRA margin debt (debit balances), US$ billion", v / 1e3,
               f"{v / 1e3:,.1f} billion", "sentiment", ref, pub, "FINRA margin statistics")
        n.fact("margin_date", "margin month / published by", _day(ref), f"{_day(ref)} / {_day(pub)}",
               "sentiment", ref, pub)
        n.fact("margin_percentile", f"margin debt percentile since {_day(debit.index[0])}", pctile,
               _ordinal(pctile), "sentiment", ref, pub, "sc.sentiment.percentile_rank (all history)")
        keys = ["margin_debt", "margin_date", "margin_percentile"]
        # FINRA gives no exact date ("third week of the following month"): the kit's
        # date is the latest day that allows, so the note says "by", never "on"
        text = (f"FINRA margin debt was ${v / 1e3:,.1f} billion in the month to {_day(ref)} "
                f"(published by {_day(pub)})")
        mm = sentiment.margin_metrics(df).loc[ref]
        if not pd.isna(mm["yoy"]):
            yoy = 100 * float(mm["yoy"])
            n.fact("margin_yoy", "margin debt, change over 12 months, %", yoy, _pct(yoy),
                   "sentiment", ref, pub, "sc.sentiment.margin_metrics")
            text += f", {_pct(yoy)} over twelve months"
            keys.append("margin_yoy")
        if float(mm["pct_from_record"]) < 0:
            rec = 100 * float(mm["pct_from_record"])
            rd = pd.Timestamp(mm["record_date"])
            n.fact("margin_from_record", "margin debt vs its record, %", rec, _pct(rec),
                   "sentiment", ref, pub, "sc.sentiment.margin_metrics")
            n.fact("margin_record_date", "month of the margin-debt record", _day(rd), _day(rd),
                   "sentiment", rd)
            text += f", {abs(rec):.1f}% below the record of {_day(rd)}"
            keys += ["margin_from_record", "margin_record_date"]
        else:
            text += ", a record"
        first = f"{debit.index[0]:%Y}"
        n.fact("margin_first", "first margin month", first, first, "sentiment", debit.index[0])
        n.say("sentiment", text + f", the {_ordinal(pctile)} percentile of all months since "
              f"{first}.", *keys, "margin_first")

    def putcall() -> None:
        m = sentiment.putcall_metrics(get("putcall"), "total", (10,))
        avg = m["avg_10"].dropna()
        ref = avg.index[-1]
        _fresh("putcall", ref, as_of, "Cboe put/call ratio")
        pctile = float(sentiment.percentile_rank(avg, "1092D").iloc[-1])
        v = float(avg.iloc[-1])
        n.fact("putcall_avg10", "Cboe total put/call, 10-day average", v, f"{v:.2f}", "sentiment",
               ref, ref, "sc.sentiment.putcall_metrics")
        n.fact("putcall_date", "put/call date", _day(ref), _day(ref), "sentiment", ref, ref)
        n.fact("putcall_percentile", "put/call 10-day average, percentile of three years", pctile,
               _ordinal(pctile), "sentiment", ref, ref)
        n.say("sentiment", f"The Cboe total put/call ratio averaged {v:.2f} over the ten sessions "
              f"to {_day(ref)}, the {_ordinal(pctile)} percentile of the last three years.",
              "putcall_avg10", "putcall_date", "putcall_percentile")

    n.section("short interest", short_interest)
    n.section("futures positioning (COT)", cot)
    n.section("margin debt", margin)
    n.section("put/call ratio", putcall)


# --------------------------------------------------------------------------- entry points


def _source(b: Briefing, name: str, obj: Any) -> None:
    prov = (getattr(obj, "attrs", None) or {}).get("provenance")
    if prov:
        from .data.provenance import Provenance

        b.sources[name] = Provenance.from_dict(prov).describe()


def build(prices: Mapping[str, pd.DataFrame], sentiment: Mapping[str, Any] | None = None, *,
          symbol: str | None = None, as_of: Any = None) -> Briefing:
    """The briefing from frames already cut at ``as_of`` (pure: nothing is loaded).

    Parameters
    ----------
    prices : name -> price frame; the first is the index the note is about, the
        others are benchmarks for relative strength. Rows after ``as_of`` are ignored.
    sentiment : series name (``"short_interest:IWM"``, ``"cot:russell2000"``,
        ``"margin_debt"``, ``"putcall"``) -> frame as published by ``as_of``, or the
        exception raised when loading it (listed as missing).
    symbol : the index (default: the first key of ``prices``).
    as_of : date of the note (default: the index's last date).

    Returns
    -------
    Briefing
    """
    if not prices:
        raise ValueError("prices: give at least the index the note is about")
    symbol = symbol or next(iter(prices))
    if symbol not in prices:
        raise ValueError(f"symbol {symbol!r} is not among the prices ({', '.join(prices)})")
    main = prices[symbol]
    if as_of is not None:
        as_of_ts = pd.Timestamp(as_of)
        frames = {k: v.loc[:as_of_ts] for k, v in prices.items()}
    else:
        frames = dict(prices)
        as_of_ts = _close(main, symbol).index[-1]
    main = frames[symbol]
    if main.empty or main["close"].dropna().empty:
        raise ValueError(f"{symbol}: no closes on or before {as_of_ts:%Y-%m-%d}")
    b = Briefing(as_of_ts, symbol)
    n = _Note(b)
    for name, df in prices.items():
        _source(b, name, df)
    last = _close(main, symbol).index[-1]
    week_start = (last - pd.Timedelta(days=last.weekday())).normalize()
    _price_section(n, symbol, main)
    _levels_section(n, symbol, main, week_start)
    _relative_section(n, symbol, main, {k: v for k, v in frames.items() if k != symbol})
    for name, obj in (sentiment or {}).items():
        _source(b, name, obj)
    _sentiment_section(n, as_of_ts, sentiment or {})
    return b


def weekly_briefing(as_of: Any = None, symbols: Sequence[str] = ("RUT", "SPX", "NDX"), *,
                    short_interest: str = "IWM", contract: str = "russell2000",
                    loader: Callable[..., pd.DataFrame] | None = None) -> Briefing:
    """Load what was public on ``as_of`` and write the week's note.

    Parameters
    ----------
    as_of : date of the note (ISO string or Timestamp); default the last date of
        the first symbol's data.
    symbols : the index the note is about, then the benchmarks for relative strength.
    short_interest : ETF whose short interest is reported.
    contract : COT market (``cot:<contract>``).
    loader : ``load(name, as_of=...)`` (default :func:`smallcaps.data.load`).

    Returns
    -------
    Briefing
        A benchmark or sentiment series that cannot be loaded is listed in
        ``missing``; the index itself must load.
    """
    from .data import DataError, load

    loader = loader or load
    symbols = list(symbols)
    if not symbols:
        raise ValueError("symbols: give at least one price series")
    if len(set(symbols)) != len(symbols):
        raise ValueError(f"symbols: {symbols} lists a series twice")
    as_of_ts = pd.Timestamp(as_of) if as_of not in (None, "") else None
    main = loader(symbols[0], as_of=as_of_ts)
    if as_of_ts is None:
        as_of_ts = main.index[-1]
    prices = {symbols[0]: main}
    missing = []
    for s in symbols[1:]:
        try:
            prices[s] = loader(s, as_of=as_of_ts)
        except (DataError, ValueError) as exc:
            missing.append((f"relative strength against {s}", str(exc)))
    sent: dict[str, Any] = {}
    for name in (f"short_interest:{short_interest}", f"cot:{contract}", "margin_debt", "putcall"):
        try:
            sent[name] = loader(name, as_of=as_of_ts)
        except (DataError, ValueError) as exc:
            sent[name] = exc
    b = build(prices, sent, symbol=symbols[0], as_of=as_of_ts)
    b.missing[:0] = missing
    return b
