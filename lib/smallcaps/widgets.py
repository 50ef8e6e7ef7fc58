"""Interactive explorers with a static fallback.

An explorer wraps a chart function (one that returns a matplotlib Figure) and a
set of controls::

    sc.widgets.explore(
        draw,                                     # draw(symbol, start, end, window) -> Figure
        symbol=sc.widgets.symbol("RUT"),
        start=sc.widgets.date("2020-01-01"),
        end=sc.widgets.date(""),
        window=sc.widgets.integer(50, min=5, max=400),
    )

In JupyterLab the controls appear above the chart and each change redraws it.
Under papermill, in a plain Python session, or without a frontend, the same
call draws the static figure for the given values, so an executed report shows
the chart. Which one happens is decided by :func:`mode`.

Ready-made explorers used by the notebooks: :func:`price_explorer` (a close
with moving averages over a date range) and :func:`ratio_explorer` (one series
against another, with a moving average of the ratio).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import config

__all__ = [
    "Control",
    "Explorer",
    "choice",
    "date",
    "explore",
    "flag",
    "from_spec",
    "integer",
    "int_list",
    "mode",
    "number",
    "price_explorer",
    "ratio_explorer",
    "symbol",
    "text",
]

_BATCH_PARENTS = ("papermill", "nbclient", "nbconvert", "pytest", "smallcaps")


# --------------------------------------------------------------------------- controls


@dataclass(frozen=True)
class Control:
    """One control of an explorer: its kind, default value, options and parameter spec.

    Make them with :func:`symbol`, :func:`date`, :func:`integer`, :func:`number`,
    :func:`choice`, :func:`flag`, :func:`int_list` or :func:`text`, or from any
    :class:`smallcaps.params.Spec` with :func:`from_spec`. The spec is the same one
    a notebook's ``sc.params.check`` and ``smallcaps run`` use, so a value means
    the same here as there (``"2024-01"`` is the first of January 2024 everywhere).
    """

    kind: str
    default: Any
    options: tuple[Any, ...] = ()
    min: float | None = None
    max: float | None = None
    step: float | None = None
    label: str | None = None
    spec: Any = None

    def widget(self, name: str) -> Any:
        """The ipywidgets control for this spec, holding ``default``."""
        import ipywidgets as w

        desc = self.label or name
        style = {"description_width": "initial"}
        lay = w.Layout(width="auto")
        if self.kind in ("symbol", "choice"):
            return w.Dropdown(options=list(self.options), value=self.default, description=desc,
                              style=style, layout=lay)
        if self.kind == "date":
            import datetime as dt

            value = dt.date.fromisoformat(self.default[:10]) if self.default else None
            return w.DatePicker(value=value, description=desc, style=style)
        if self.kind == "integer":
            return w.IntSlider(value=self.default, min=int(self.min or 0), max=int(self.max or 1),
                               step=int(self.step or 1), description=desc,
                               continuous_update=False, style=style)
        if self.kind == "number":
            lo, hi = float(self.min or 0.0), float(self.max or 1.0)
            return w.FloatSlider(value=self.default, min=lo, max=hi,
                                 step=self.step or (hi - lo) / 100, description=desc,
                                 continuous_update=False, style=style)
        if self.kind == "flag":
            return w.Checkbox(value=bool(self.default), description=desc, indent=False)
        if self.kind in ("int_list", "text_list"):
            return w.Text(value=", ".join(str(v) for v in self.default), description=desc,
                          continuous_update=False, style=style)
        return w.Text(value=str(self.default), description=desc, continuous_update=False,
                      style=style)

    def value_of(self, widget_value: Any, name: str | None = None) -> Any:
        """Convert a widget's value back to the plain value the chart function takes.

        Raises
        ------
        ValueError
            (a :class:`~smallcaps.params.ParameterError`) when the spec refuses it.
        """
        if self.kind == "date":
            if isinstance(widget_value, str):
                widget_value = widget_value.strip()
                return self.spec.plain(self.spec.validate(name or "date", widget_value)) \
                    if widget_value and self.spec is not None else widget_value
            return widget_value.isoformat() if widget_value else ""
        if self.spec is not None and self.kind in ("int_list", "text_list"):
            return self.spec.from_text(name or self.label or self.kind, str(widget_value))
        return widget_value


def _checked(kind: str, spec: Any, default: Any) -> Any:
    """``default`` validated by ``spec`` (the notebooks' rules), or a ValueError naming the control."""
    from .params import ParameterError

    try:
        return spec.validate("default", default)
    except ParameterError as exc:
        raise ValueError(f"{kind} control: default {default!r}: {exc.problem}") from None


def symbol(default: str = "RUT", options: Sequence[str] | None = None, kind: str | None = "prices",
           label: str | None = None) -> Control:
    """A dropdown of catalog series (prices by default)."""
    from . import params

    spec = params.symbol(kind, allow=options)
    value = _checked("symbol", spec, default)
    return Control("symbol", value, spec.choices_now(), label=label, spec=spec)


_symbol_control = symbol


def date(default: Any = "", label: str | None = None) -> Control:
    """A date picker; the value is an ISO string ("" for none).

    The default is read like any date parameter: ``"2024-01-31"``, ``"2024-01"``
    (the first of the month), ``"2024"``, a ``date`` or a ``Timestamp``.
    """
    from . import params

    spec = params.date(optional=True)
    value = _checked("date", spec, default)
    return Control("date", "" if value is None else spec.plain(value), label=label, spec=spec)


def integer(default: int, min: int, max: int, step: int = 1, label: str | None = None) -> Control:
    """An integer slider on [min, max]."""
    from . import params

    spec = params.integer(min=min, max=max)
    return Control("integer", _checked("integer", spec, default), min=min, max=max, step=step,
                   label=label, spec=spec)


def number(default: float, min: float, max: float, step: float | None = None,
           label: str | None = None) -> Control:
    """A float slider on [min, max]."""
    from . import params

    spec = params.number(min=min, max=max)
    return Control("number", _checked("number", spec, default), min=min, max=max, step=step,
                   label=label, spec=spec)


def choice(default: Any, options: Sequence[Any], label: str | None = None) -> Control:
    """A dropdown of ``options``."""
    from . import params

    spec = params.choice(*options)
    return Control("choice", _checked("choice", spec, default), tuple(options), label=label,
                   spec=spec)


def flag(default: bool = False, label: str | None = None) -> Control:
    """A checkbox."""
    from . import params

    return Control("flag", bool(default), label=label, spec=params.flag())


def int_list(default: Sequence[int], label: str | None = None, spec: Any = None) -> Control:
    """A comma-separated list of integers (e.g. moving-average windows)."""
    from . import params

    spec = spec if spec is not None else params.int_list(min_len=0)
    return Control("int_list", _checked("int_list", spec, list(default)), label=label, spec=spec)


def text(default: str = "", label: str | None = None) -> Control:
    """A free text box."""
    return Control("text", str(default), label=label)


def from_spec(spec: Any, default: Any, label: str | None = None) -> Control:
    """The control for a :class:`smallcaps.params.Spec`, holding ``default``."""
    kind = spec.kind
    if kind == "symbol":
        return symbol(default, options=spec.choices or None, kind=spec.series_kind, label=label)
    if kind == "date":
        return date(default, label=label)
    if kind in ("integer", "number", "fraction"):
        lo = spec.min if spec.min is not None else min(0, default)
        hi = spec.max if spec.max is not None else max(1, default * 4)
        if kind == "integer":
            return integer(default, min=int(lo), max=int(hi), label=label)
        return number(default, min=lo, max=hi, label=label)
    if kind == "choice":
        return choice(default, spec.choices, label=label)
    if kind == "flag":
        return flag(default, label=label)
    if kind == "int_list":
        return int_list(default, label=label, spec=spec)
    if kind.endswith("_list"):
        value = _checked(kind, spec, default)
        return Control("text_list", [spec.plain(v) for v in value], label=label, spec=spec)
    return text(default, label=label)


def _as_control(name: str, spec: Any) -> Control:
    if isinstance(spec, Control):
        return spec
    if isinstance(spec, bool):
        return flag(spec)
    if isinstance(spec, (list, tuple)) and all(isinstance(v, int) for v in spec):
        return int_list(spec)
    if isinstance(spec, str):
        return text(spec)
    if isinstance(spec, int):
        return integer(spec, min=min(0, spec), max=max(1, spec * 4))
    if isinstance(spec, float):
        return number(spec, min=min(0.0, spec), max=max(1.0, spec * 4))
    raise TypeError(f"control {name!r}: give a smallcaps.widgets control or a plain default, "
                    f"not {type(spec).__name__}")


# --------------------------------------------------------------------------- mode


def _parent_cmdline() -> str:
    pid = os.environ.get("JPY_PARENT_PID") or str(os.getppid())
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        pass
    try:
        import psutil

        return " ".join(psutil.Process(int(pid)).cmdline())
    except Exception:  # psutil absent, or no such process / access denied
        return ""


def mode() -> str:
    """Return "interactive" when a Jupyter frontend can show widgets, else "static".

    Decided in this order:

    1. ``SMALLCAPS_WIDGETS`` = ``static`` or ``interactive`` (the runner sets
       ``static`` for every kernel it starts);
    2. not inside an IPython kernel (plain Python, a terminal IPython) -> static;
    3. a kernel started by a Jupyter server (JupyterLab / Notebook set
       ``JPY_SESSION_NAME``) -> interactive;
    4. a kernel whose parent process is papermill, nbclient, nbconvert or pytest
       (headless execution) -> static;
    5. otherwise (e.g. an editor's own kernel) -> interactive.
    """
    forced = config.widgets()
    if forced is not None:
        return forced
    try:
        from IPython import get_ipython
    except ImportError:
        return "static"
    ip = get_ipython()
    if ip is None or not hasattr(ip, "kernel"):
        return "static"
    if os.environ.get("JPY_SESSION_NAME"):
        return "interactive"
    parent = _parent_cmdline().lower()
    if any(m in parent for m in _BATCH_PARENTS):
        return "static"
    return "interactive"


# --------------------------------------------------------------------------- explorer


def _display(obj: Any) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is not None:
        display(obj)


@dataclass
class Explorer:
    """An explorer: the chart function, its controls and what is on screen.

    Attributes
    ----------
    plot : the chart function, called with the controls' values as keywords.
    controls : name -> :class:`Control`.
    values : the values of the last drawing.
    mode : "interactive" or "static".
    figure : the last figure drawn (closed after display, still usable).
    widget : the ipywidgets box in interactive mode, else None.
    error : the message shown instead of a chart when the last drawing failed.
    """

    plot: Callable[..., Any]
    controls: dict[str, Control]
    values: dict[str, Any]
    mode: str
    figure: Any = None
    widget: Any = None
    error: str | None = None
    draws: int = 0
    _shown: bool = field(default=False, repr=False)

    def draw(self, **changes: Any) -> Any:
        """Redraw with ``changes`` applied to the current values; return the Figure."""
        import matplotlib.pyplot as plt

        values = {**self.values, **changes}
        try:
            fig = self.plot(**values)
        except (ValueError, KeyError, TypeError) as exc:  # ParameterError, DataError are ValueErrors
            self.error = f"{type(exc).__name__}: {exc}"
            self.values = values
            return None
        self.values, self.error, self.draws = values, None, self.draws + 1
        if self.figure is not None and self.figure is not fig:
            plt.close(self.figure)
        self.figure = fig
        return fig

    def _ipython_display_(self) -> None:
        if self._shown:
            return
        self._shown = True
        if self.widget is not None:
            _display(self.widget)
        elif self.figure is not None:
            _display(self.figure)
        elif self.error:
            print(self.error)

    def __repr__(self) -> str:
        vals = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        name = getattr(self.plot, "__name__", "plot")
        return f"<Explorer {self.mode}: {name}({vals})>"


def explore(plot: Callable[..., Any], /, *, show: bool = True, mode_: str | None = None,
            **controls: Any) -> Explorer:
    """Draw ``plot`` with controls: interactive in JupyterLab, a static figure elsewhere.

    Parameters
    ----------
    plot : function taking the controls as keyword arguments and returning a
        matplotlib Figure (it may raise ``ValueError`` subclasses such as
        ``ParameterError`` or ``DataError`` for bad combinations: the message is
        shown instead of the chart).
    show : display right away (in IPython).
    mode_ : force "interactive" or "static" (default: :func:`mode`).
    **controls : name -> control (:func:`symbol`, :func:`date`...) or a plain
        default value (bool -> checkbox, int -> slider, str -> text box, list of
        ints -> text box).

    Returns
    -------
    Explorer
        ``.figure`` is the figure for the current values.
    """
    import matplotlib.pyplot as plt

    specs = {name: _as_control(name, spec) for name, spec in controls.items()}
    chosen = mode_ or mode()
    if chosen not in ("interactive", "static"):
        raise ValueError(f"mode must be 'interactive' or 'static', not {chosen!r}")
    ex = Explorer(plot, specs, {k: c.default for k, c in specs.items()}, chosen)
    if chosen == "static":
        ex.draw()
        if ex.figure is not None:
            plt.close(ex.figure)  # shown once, by display, not again by the inline backend
        if show:
            ex._ipython_display_()
        return ex

    import ipywidgets as w

    inputs = {name: c.widget(name) for name, c in specs.items()}
    out = w.Output()
    message = w.HTML()

    def redraw(_change: Any = None) -> None:
        try:
            values = {k: specs[k].value_of(inputs[k].value, k) for k in specs}
        except ValueError as exc:
            message.value = f"<span style='color:#b00020'>{exc}</span>"
            return
        with out:
            out.clear_output(wait=True)
            fig = ex.draw(**values)
            if fig is not None:
                plt.close(fig)
                _display(fig)
        message.value = f"<span style='color:#b00020'>{ex.error}</span>" if ex.error else ""

    for widget in inputs.values():
        widget.observe(redraw, names="value")
    ex.widget = w.VBox([w.HBox(list(inputs.values()), layout=w.Layout(flex_flow="row wrap")),
                        message, out])
    redraw()
    if show:
        ex._ipython_display_()
    return ex


# --------------------------------------------------------------------------- ready-made


def _loader(as_of: str | None = None) -> Callable[[str], Any]:
    from . import data

    cache: dict[str, Any] = {}

    def load(name: str) -> Any:
        if name not in cache:
            cache[name] = data.load(name, as_of=as_of or None)
        return cache[name]

    return load


def price_explorer(symbol: str = "RUT", start: str = "", end: str = "",
                   windows: Sequence[int] = (50, 200), log: bool = False, *,
                   symbols: Sequence[str] | None = None, as_of: str | None = None,
                   show: bool = True, mode_: str | None = None) -> Explorer:
    """A close with moving averages: symbol, date range, windows, log scale.

    The averages are computed on the full history, then the chosen range is
    shown (:func:`smallcaps.charts.price_with_averages`). ``as_of`` loads only the
    data known on that date (point in time).
    """
    from . import charts

    load = _loader(as_of)

    def draw(symbol: str, start: str, end: str, windows: list[int], log: bool) -> Any:
        if start and end and start >= end:
            raise ValueError(f"start {start} must be before end {end}")
        return charts.price_with_averages(load(symbol), windows=windows, start=start or None,
                                          end=end or None, log=log)

    draw.__name__ = "price_with_averages"
    return explore(draw, show=show, mode_=mode_,
                   symbol=_symbol_control(symbol, options=symbols),
                   start=date(start), end=date(end), windows=int_list(list(windows)),
                   log=flag(log))


def ratio_explorer(numerator: str = "RUT", denominator: str = "SPX", start: str = "",
                   end: str = "", window: int = 200, *, symbols: Sequence[str] | None = None,
                   show: bool = True, mode_: str | None = None) -> Explorer:
    """One series against another: the ratio of closes with its N-day moving average.

    ``ratio_t = close_num,t / close_den,t`` on the dates both trade; the moving
    average is the simple mean of the last ``window`` ratios, computed on the full
    history before the range is cut. Uses ``sc.relative.ratio`` when available.
    """
    import pandas as pd

    load = _loader()

    def draw(numerator: str, denominator: str, start: str, end: str, window: int) -> Any:
        import matplotlib.pyplot as plt

        from .charts._style import COLORS, finish, kit_style

        if numerator == denominator:
            raise ValueError("numerator and denominator are the same series")
        a, b = load(numerator), load(denominator)
        try:
            from . import relative

            ratio = relative.ratio(a, b)
        except (ImportError, AttributeError):
            ca, cb = a["close"].align(b["close"], join="inner")
            ratio = ca / cb
        if isinstance(ratio, pd.DataFrame):
            ratio = ratio.iloc[:, 0]
        avg = ratio.rolling(window, min_periods=window).mean()
        sl = slice(pd.Timestamp(start) if start else None, pd.Timestamp(end) if end else None)
        shown = ratio.loc[sl]
        if shown.empty:
            raise ValueError(f"no common dates between {start or 'start'} and {end or 'end'}")
        with kit_style():
            fig, ax = plt.subplots()
            ax.plot(shown.index, shown.to_numpy(), color=COLORS["price"], lw=1.1,
                    label=f"{numerator}/{denominator}")
            ax.plot(shown.index, avg.loc[sl].to_numpy(), color=COLORS["accent"], lw=1.0,
                    label=f"{window}-day average")
            ax.set_title(f"{numerator} relative to {denominator} (ratio of closes)")
            ax.legend(loc="upper left")
        return finish(fig, a, b, params={"window": window, "start": start or None,
                                         "end": end or None})

    draw.__name__ = "ratio"
    return explore(draw, show=show, mode_=mode_,
                   numerator=symbol(numerator, options=symbols),
                   denominator=symbol(denominator, options=symbols),
                   start=date(start), end=date(end), window=integer(window, min=5, max=400))

