"""Turning points: planted peaks and troughs recovered, matching and leads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcaps.stats import compare_turning_points, date_turning_points, match_turning_points


def _planted(seed: int = 0, noise: float = 0.01):
    """Monthly log-linear legs between planted turns, plus small noise."""
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2000-01-31", periods=240, freq="ME", name="date")
    knots = [0, 30, 50, 95, 110, 160, 175, 239]  # peak, trough, ... at 30, 50, 95, ...
    logs = [0.0, 0.6, 0.2, 0.9, 0.6, 1.4, 0.9, 1.5]
    path = np.interp(np.arange(240), knots, logs)
    noisy = path + rng.normal(0, noise, 240)
    noisy[knots[1:-1]] = path[knots[1:-1]] + np.where(np.arange(6) % 2 == 0, 2 * noise, -2 * noise)
    return pd.Series(100 * np.exp(noisy), idx, name="planted"), idx[knots[1:-1]]


def test_planted_turns_are_recovered():
    s, truth = _planted()
    tp = date_turning_points(s, threshold=0.15)
    assert list(tp.index) == list(truth)
    assert list(tp["kind"]) == ["peak", "trough"] * 3
    # each turn is known only once the series has moved 15 % away from it
    for d, row in tp.iterrows():
        after = s.loc[d:row["confirmed"]]
        move = after.iloc[-1] / row["value"] - 1
        assert (move <= -0.15) if row["kind"] == "peak" else (move >= 0.15)
        assert row["confirmed"] > d
    assert tp["change"].iloc[1] == pytest.approx(tp["value"].iloc[1] / tp["value"].iloc[0] - 1)


def test_small_wiggles_below_threshold_are_ignored():
    s, truth = _planted(seed=1, noise=0.02)
    tp = date_turning_points(s, threshold=0.20)
    assert list(tp.index) == list(truth)
    # a tiny threshold dates many more turns, alternating
    many = date_turning_points(s, threshold=0.02)
    assert len(many) > len(tp)
    assert (many["kind"].to_numpy()[1:] != many["kind"].to_numpy()[:-1]).all()


def test_min_duration_removes_short_phases():
    idx = pd.date_range("2000-01-31", periods=60, freq="ME")
    path = np.interp(np.arange(60), [0, 20, 22, 24, 45, 59], [0, 0.5, 0.3, 0.55, 0.0, 0.4])
    s = pd.Series(np.exp(path), idx)
    plain = date_turning_points(s, 0.1)
    assert list(plain.index) == list(idx[[20, 22, 24, 45]])
    cens = date_turning_points(s, 0.1, min_duration=6)
    assert list(cens.index) == list(idx[[24, 45]])  # the higher peak survives
    assert list(cens["kind"]) == ["peak", "trough"]


def test_matching_and_leads():
    s, truth = _planted()
    lagged = s.shift(2).dropna().rename("follower")  # turns two months later
    res = compare_turning_points(s, lagged, 0.15, names=("leader", "follower"))
    m = res.summary()
    assert (m["lead"] == 2).all() and (m["leader"] == "leader").all()
    assert list(m["leader_date"]) == list(truth)
    near = res.near(truth[0], "peak", within=1)
    assert len(near) == 1
    a = date_turning_points(s, 0.15)
    far = match_turning_points(a, a.set_index(a.index + pd.DateOffset(months=9)), 6)
    assert far["lead"].isna().all()
    assert len(res.to_frame()) == 12


def test_errors():
    s, _ = _planted()
    with pytest.raises(ValueError, match="threshold"):
        date_turning_points(s, 1.5)
    with pytest.raises(ValueError, match="positive"):
        date_turning_points(s - 1000, 0.1)
    with pytest.raises(TypeError, match="series"):
        date_turning_points(s.to_numpy(), 0.1)
    with pytest.raises(ValueError, match="unit"):
        match_turning_points(date_turning_points(s, 0.15), date_turning_points(s, 0.15), unit="years")


@pytest.mark.snapshot
def test_margin_and_rut_peaks_2021_and_2024(snapshot_dir):
    import smallcaps as sc
    from smallcaps.stats import to_monthly

    rut = to_monthly(sc.data.load("RUT"), "mean").loc["1997":"2025-06"]
    margin = sc.data.load("margin_debt")["debit_balances_margin_accounts"].loc[:"2025-06"]
    res = compare_turning_points(rut, margin, 0.10, threshold_y=0.08, names=("RUT", "margin"))
    p21 = res.near("2021-11-30", "peak", within=2).iloc[0]
    assert p21["margin_date"] == pd.Timestamp("2021-10-31")
    assert p21["RUT_date"] == pd.Timestamp("2021-11-30")
    assert p21["lead"] == -1  # margin turned a month before the index
    p24 = res.near("2024-11-30", "peak", within=2).iloc[0]
    assert p24["margin_date"] == pd.Timestamp("2025-01-31")
    assert p24["RUT_date"] == pd.Timestamp("2024-11-30")
    assert p24["lead"] == 2  # the index turned two months first
