"""Widgets: headless detection, static fallback, interactive redraws, ready-made explorers."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

from smallcaps import widgets


def _plot_recorder():
    import matplotlib.pyplot as plt

    calls: list[dict] = []

    def plot(**kw):
        calls.append(kw)
        if kw.get("window", 1) == 13:
            raise ValueError("window 13 is unlucky")
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, kw.get("window", 1)])
        return fig

    return plot, calls


# ------------------------------------------------------------------ mode


def test_mode_env_override(monkeypatch):
    monkeypatch.setenv("SMALLCAPS_WIDGETS", "interactive")
    assert widgets.mode() == "interactive"
    monkeypatch.setenv("SMALLCAPS_WIDGETS", "static")
    assert widgets.mode() == "static"


def test_mode_is_static_outside_a_kernel(monkeypatch):
    monkeypatch.delenv("SMALLCAPS_WIDGETS", raising=False)
    assert widgets.mode() == "static"  # pytest runs no IPython kernel


@pytest.mark.parametrize(
    ("session", "parent", "expected"),
    [
        (None, "/venv/bin/python -m papermill in.ipynb out.ipynb", "static"),
        (None, "/venv/bin/python -m pytest tests/test_notebook_05.py", "static"),
        (None, "/venv/bin/python -m smallcaps run --all", "static"),
        (None, "/venv/bin/python /venv/bin/jupyter-lab", "interactive"),
        ("notebooks/05.ipynb", "/venv/bin/python -m pytest", "interactive"),
    ],
)
def test_mode_inside_a_kernel(monkeypatch, session, parent, expected):
    import IPython

    monkeypatch.delenv("SMALLCAPS_WIDGETS", raising=False)
    if session:
        monkeypatch.setenv("JPY_SESSION_NAME", session)
    else:
        monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace(kernel=object()))
    monkeypatch.setattr(widgets, "_parent_cmdline", lambda: parent)
    assert widgets.mode() == expected


# ------------------------------------------------------------------ explore


def test_static_explorer_draws_the_defaults_once():
    plot, calls = _plot_recorder()
    ex = widgets.explore(plot, mode_="static", window=widgets.integer(20, min=5, max=50),
                         start=widgets.date("2024-01-02"), log=True)
    assert calls == [{"window": 20, "start": "2024-01-02", "log": True}]
    assert ex.mode == "static" and ex.widget is None and ex.figure is not None
    assert ex.figure.axes[0].lines[0].get_ydata()[1] == 20


def test_static_explorer_reports_a_bad_combination_instead_of_a_traceback(capsys):
    plot, _ = _plot_recorder()
    ex = widgets.explore(plot, mode_="static", show=False, window=widgets.integer(13, 5, 50))
    assert ex.figure is None and ex.error == "ValueError: window 13 is unlucky"


def test_interactive_explorer_redraws_on_change():
    plot, calls = _plot_recorder()
    ex = widgets.explore(plot, mode_="interactive", show=False,
                         window=widgets.integer(20, min=5, max=50),
                         windows=widgets.int_list([50, 200]), start=widgets.date("2024-01-02"),
                         symbol=widgets.symbol("IWM"))
    controls, message, _out = ex.widget.children
    slider, text, picker, dropdown = controls.children
    assert calls[-1] == {"window": 20, "windows": [50, 200], "start": "2024-01-02", "symbol": "IWM"}
    slider.value = 30
    assert calls[-1]["window"] == 30 and ex.values["window"] == 30
    text.value = "10, 20"
    assert calls[-1]["windows"] == [10, 20]
    import datetime as dt

    picker.value = dt.date(2025, 3, 4)
    assert calls[-1]["start"] == "2025-03-04"
    dropdown.value = "QQQ"
    assert calls[-1]["symbol"] == "QQQ"
    assert ex.draws == 5
    slider.value = 13
    assert "unlucky" in message.value and ex.error
    n = len(calls)
    text.value = "10, x"
    assert len(calls) == n and "expected an integer, got 'x'" in message.value


def test_controls_reject_bad_defaults():
    with pytest.raises(ValueError, match="integer control"):
        widgets.integer(500, min=5, max=50)
    with pytest.raises(ValueError, match="not a date"):
        widgets.date("01/02/2024")
    with pytest.raises(ValueError, match="symbol control"):
        widgets.symbol("NOPE")
    with pytest.raises(TypeError, match="control 'x'"):
        widgets.explore(lambda **k: None, mode_="static", x=object())


# ------------------------------------------------------------------ ready-made explorers


@pytest.mark.snapshot
def test_price_explorer_static_shows_the_requested_window(snapshot_dir):
    from smallcaps import data

    ex = widgets.price_explorer("IWM", start="2024-01-02", end="2024-06-28", windows=[50, 200],
                                mode_="static", show=False)
    fig = ex.figure
    assert getattr(fig, "_smallcaps_finished", False)
    close_line, sma50, sma200 = fig.axes[0].lines[:3]
    iwm = data.load("IWM")
    want = iwm.loc["2024-01-02":"2024-06-28", "close"]
    np.testing.assert_allclose(close_line.get_ydata(), want.to_numpy())
    # averages from the full history: defined on the first bar shown
    full50 = iwm["close"].rolling(50).mean().loc["2024-01-02":"2024-06-28"]
    np.testing.assert_allclose(sma50.get_ydata(), full50.to_numpy())
    assert not np.isnan(sma200.get_ydata()[0])


@pytest.mark.snapshot
def test_ratio_explorer_static_is_the_ratio_of_closes(snapshot_dir):
    from smallcaps import data

    ex = widgets.ratio_explorer("RUT", "SPX", start="2023-01-03", end="2023-12-29", window=50,
                                mode_="static", show=False)
    ratio_line = ex.figure.axes[0].lines[0]
    rut, spx = data.load("RUT")["close"], data.load("SPX")["close"]
    want = (rut / spx).dropna().loc["2023-01-03":"2023-12-29"]
    np.testing.assert_allclose(ratio_line.get_ydata(), want.to_numpy(), rtol=1e-12)
    assert pd.Index(ratio_line.get_xdata()).equals(pd.Index(want.index))
    same = widgets.ratio_explorer("RUT", "RUT", mode_="static", show=False)
    assert same.figure is None and "same series" in same.error
