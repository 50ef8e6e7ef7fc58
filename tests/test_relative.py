"""smallcaps.relative: ratios, ratio-based performance, return tables, spreads, rotation.

References: hand computations on small frames, brute-force look-ups, and real
facts from the snapshot (2023 YTD through 2023-06-07).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcaps import relative as rel
from smallcaps.data.provenance import provenance


def frame(closes, dates, adj=None):
    idx = pd.DatetimeIndex(pd.to_datetime(dates), name="date")
    c = np.asarray(closes, dtype=float)
    df = pd.DataFrame({"open": c, "high": c, "low": c, "close": c,
                       "adj_close": np.asarray(adj, dtype=float) if adj is not None else np.nan,
                       "volume": np.nan}, index=idx)
    return df


# --------------------------------------------------------------------------- ratio


def test_ratio_weekly_uses_last_common_close_and_notes_uneven_ends():
    days = pd.bdate_range("2024-01-01", "2024-01-19")
    a = frame(np.arange(1, len(days) + 1) * 10.0, days)
    b_days = days[:-3]  # b ends on Tuesday 2024-01-16
    b = frame(np.full(len(b_days), 5.0), b_days)
    r = rel.ratio(a, b, frequency="weekly", names=("A", "B"))
    assert r.name == "A/B"
    assert list(r.index) == list(pd.to_datetime(["2024-01-05", "2024-01-12", "2024-01-19"]))
    # week 1 ends Fri 2024-01-05 = 5th day: a=50; last week only up to Tue 16th (day 12): a=120
    assert r.iloc[0] == pytest.approx(50 / 5)
    assert r.iloc[-1] == pytest.approx(120 / 5)
    notes = " ".join(provenance(r).notes)
    assert "A ends 2024-01-19" in notes and "B ends 2024-01-16" in notes


def test_ratio_bad_inputs_are_named():
    days = pd.bdate_range("2024-01-01", periods=5)
    a = frame([1, 2, 3, 4, 5], days)
    with pytest.raises(ValueError, match="same series"):
        rel.ratio(a, a, names=("IWM", "IWM"))
    with pytest.raises(ValueError, match="no dates in common"):
        rel.ratio(a, frame([1, 2], pd.bdate_range("2025-01-01", periods=2)), names=("A", "B"))
    with pytest.raises(ValueError, match="B: values must be positive"):
        rel.ratio(a, frame([1, 0, 3, 4, 5], days), names=("A", "B"))
    with pytest.raises(ValueError, match="frequency"):
        rel.ratio(a, frame([1, 2, 3, 4, 5], days), frequency="hourly", names=("A", "B"))
    with pytest.raises(ValueError, match="no 'close' column"):
        rel.ratio(a.drop(columns="close"), a, names=("A", "B"))


def test_relative_performance_is_ratio_based_and_chains():
    rng = np.random.default_rng(3)
    days = pd.bdate_range("2020-01-01", periods=300)
    a = frame(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300))), days)
    b = frame(50 * np.exp(np.cumsum(rng.normal(0, 0.01, 300))), days)
    s, t, u = days[10], days[120], days[250]
    rp = rel.relative_performance(a, b, start=s)
    hand = 100 * ((a.close[u] / a.close[s]) / (b.close[u] / b.close[s]) - 1)
    assert rp[u] == pytest.approx(hand)
    assert rp.iloc[0] == 0.0 and rp.index[0] == s
    # chaining: (1 + rel_su) = (1 + rel_st)(1 + rel_tu); the difference of % changes does not chain
    r_st = rel.relative_performance(a, b, start=s)[t] / 100
    r_tu = rel.relative_performance(a, b, start=t)[u] / 100
    assert (1 + r_st) * (1 + r_tu) == pytest.approx(1 + rp[u] / 100)
    diff = (a.close[u] / a.close[s] - b.close[u] / b.close[s]) * 100
    assert abs(diff - rp[u]) > 1e-6
    # a start on a holiday uses the last close before it
    sat = pd.Timestamp("2020-01-04")
    assert rel.relative_performance(a, b, start=sat).index[0] == pd.Timestamp("2020-01-03")


def test_performance_normalises_at_the_base_date():
    days = pd.bdate_range("2023-12-27", "2024-01-05")
    a = frame([10, 11, 12, 13, 14, 15, 16, 17], days)
    b = frame([20, 20, 21, 22, 20, 19, 18, 17], days)
    p = rel.performance({"A": a, "B": b}, start="2024-01-01")  # base = Fri 2023-12-29 (holiday-free bdays)
    assert p.index[0] == pd.Timestamp("2024-01-01")  # 2024-01-01 is a bday in bdate_range
    p = rel.performance({"A": a, "B": b}, start="2023-12-30")  # Saturday: base is Fri 29th
    assert p.index[0] == pd.Timestamp("2023-12-29")
    assert p["A"].iloc[0] == 100 and p["B"].iloc[0] == 100
    assert p["A"].iloc[-1] == pytest.approx(100 * 17 / 12)
    # the ratio of two normalised lines is the normalised ratio line
    assert (p["A"] / p["B"]).iloc[-1] == pytest.approx((17 / 17) / (12 / 21))


# --------------------------------------------------------------------------- return tables


def _ytd_frames():
    # 2022: last trading day Dec 29 (Dec 30 missing); 2023 up to June
    d = pd.to_datetime(["2022-12-28", "2022-12-29", "2023-01-03", "2023-03-01", "2023-06-06",
                        "2023-06-08"])
    etf = frame([98, 100, 101, 104, 110, 112], d, adj=[96, 98, 99, 102.5, 108.9, 111])
    idx = frame([3900, 4000, 4010, 4100, 4300, 4320], d)
    return {"ETF": etf, "IDX": idx}


def test_ytd_matches_hand_computation_on_small_frames():
    P = _ytd_frames()
    t = rel.ytd_returns(P, 2023, "2023-06-07", basis="both")
    assert t.loc["ETF", "base_date"] == pd.Timestamp("2022-12-29")
    assert t.loc["ETF", "as_of_date"] == pd.Timestamp("2023-06-06")  # no close on the 7th
    assert t.loc["ETF", "price_pct"] == pytest.approx(100 * (110 / 100 - 1))
    assert t.loc["ETF", "total_pct"] == pytest.approx(100 * (108.9 / 98 - 1))
    assert t.loc["IDX", "price_pct"] == pytest.approx(100 * (4300 / 4000 - 1))
    assert np.isnan(t.loc["IDX", "total_pct"])  # no total-return series for an index


def test_price_and_total_return_basis_differ_as_they_should():
    P = _ytd_frames()
    price = rel.ytd_returns(P, 2023, "2023-06-08", basis="price")
    total = rel.ytd_returns(P, 2023, "2023-06-08", basis="total")
    # with a dividend paid during the year, the ETF's total return beats its price return
    assert total.loc["ETF", "return_pct"] > price.loc["ETF", "return_pct"]
    assert total.loc["ETF", "basis"] == "total"
    # an index has no adj_close: total falls back to price and says so
    assert total.loc["IDX", "return_pct"] == price.loc["IDX", "return_pct"]
    assert total.loc["IDX", "basis"] == "price (no total-return series)"


def test_ytd_errors():
    P = _ytd_frames()
    with pytest.raises(ValueError, match="not in year 2023"):
        rel.ytd_returns(P, 2023, "2024-01-05")
    with pytest.raises(ValueError, match="ETF: no close on or before 2021-12-31"):
        rel.ytd_returns(P, 2022, "2022-12-29")
    with pytest.raises(ValueError, match="basis"):
        rel.ytd_returns(P, 2023, basis="dividends")


def test_period_returns_hand_computation():
    days = pd.bdate_range("2023-01-02", "2024-03-29")
    c = np.linspace(100, 200, len(days))
    P = {"X": frame(c, days)}
    t = rel.period_returns(P, "2024-03-15", periods=("1M", "YTD", "1Y", "3Y"))
    s = pd.Series(c, index=days)
    last = s[:"2024-03-15"].iloc[-1]
    assert t.loc["X", "1M"] == pytest.approx(100 * (last / s[:"2024-02-15"].iloc[-1] - 1))
    assert t.loc["X", "YTD"] == pytest.approx(100 * (last / s[:"2023-12-31"].iloc[-1] - 1))
    assert t.loc["X", "1Y"] == pytest.approx(100 * (last / s[:"2023-03-15"].iloc[-1] - 1))
    assert np.isnan(t.loc["X", "3Y"])  # history too short
    with pytest.raises(ValueError, match="periods"):
        rel.period_returns(P, periods=("2Q",))


@pytest.mark.snapshot
def test_ytd_2023_acceptance_on_snapshot(snapshot_dir):
    import smallcaps as sc

    P = {n: sc.data.load(n) for n in ("SPX", "COMPQ", "IWM")}
    t = rel.ytd_returns(P, 2023, "2023-06-07", basis="both")
    assert round(t.loc["SPX", "price_pct"], 2) == 11.15
    assert round(t.loc["COMPQ", "price_pct"], 2) == 25.21
    assert round(t.loc["IWM", "price_pct"], 2) == 7.39
    assert round(t.loc["IWM", "total_pct"], 2) == 8.08
    assert (t["base_date"] == pd.Timestamp("2022-12-30")).all()


# --------------------------------------------------------------------------- spreads


def _brute_largest_since(x: pd.Series, side: str) -> pd.Series:
    out = []
    v = x.to_numpy()
    for i in range(len(v)):
        found = pd.NaT
        for j in range(i - 1, -1, -1):
            if side == "abs":
                hit = abs(v[j]) >= abs(v[i])
            else:
                hit = v[j] >= v[i] if v[i] >= 0 else v[j] <= v[i]
            if hit:
                found = x.index[j]
                break
        out.append(found)
    return pd.Series(pd.DatetimeIndex(out), index=x.index)


@pytest.mark.parametrize("side", ["same", "abs"])
def test_largest_since_matches_brute_force(side):
    rng = np.random.default_rng(7)
    x = pd.Series(np.round(rng.standard_t(3, 400), 1), index=pd.bdate_range("2020-01-01", periods=400))
    got = rel.largest_since(x, side=side)
    want = _brute_largest_since(x, side)
    pd.testing.assert_series_equal(got, want, check_names=False, check_freq=False)


def test_return_spread_in_percentage_points():
    days = pd.bdate_range("2024-01-01", periods=5)
    a = frame([100, 102, 101, 104.03, 104.03 * 1.01], days)
    b = frame([50, 50.5, 50.5, 50, 50], days)
    s = rel.return_spread(a, b)
    assert list(s.columns[:3]) == ["a_pct", "b_pct", "spread_pp"]
    assert s.index[0] == days[1]
    assert s["spread_pp"].iloc[0] == pytest.approx(2.0 - 1.0)
    assert s["spread_pp"].iloc[2] == pytest.approx(100 * (104.03 / 101 - 1) - 100 * (50 / 50.5 - 1))
    # -0.98 pp on day 2: no earlier day as negative; +3.99 pp on day 3: the widest so far
    assert pd.isna(s["largest_since"].iloc[1]) and pd.isna(s["largest_since"].iloc[2])
    # +1 pp on day 4: the last earlier day at least as wide is day 3
    assert s["spread_pp"].iloc[3] == pytest.approx(1.0)
    assert s["largest_since"].iloc[3] == days[3]
    assert s["days_since"].iloc[3] == 1


@pytest.mark.snapshot
def test_rut_spx_spread_of_june_2023_was_the_widest_in_a_year_and_a_half(snapshot_dir):
    import smallcaps as sc

    s = rel.return_spread(sc.data.load("RUT"), sc.data.load("SPX"))
    day = s.loc["2023-06-06"]
    assert day["spread_pp"] > 2.0  # "outperformed by over two percentage points in a day"
    years = day["days_since"] / 365.25
    assert 1.4 < years < 1.7  # "the widest spread in a year and a half"
    assert (s.loc[day["largest_since"]:"2023-06-05", "spread_pp"].iloc[1:] < day["spread_pp"]).all()
    top = rel.spread_extremes(s, 3, side="up", start="2023-01-01", end="2023-12-31")
    assert top["spread_pp"].is_monotonic_decreasing and len(top) == 3


# --------------------------------------------------------------------------- rotation


def test_rotation_formula_against_independent_computation():
    rng = np.random.default_rng(1)
    days = pd.bdate_range("2015-01-01", periods=1500)
    a = frame(100 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, 1500))), days)
    b = frame(100 * np.exp(np.cumsum(rng.normal(0.0001, 0.008, 1500))), days)
    rot = rel.rotation({"A": a}, b, window=20, lag=3, smooth=4)
    f = rot.frame.xs("A", level="symbol")
    wk = pd.DataFrame({"a": a.close, "b": b.close}).resample("W-FRI").last().dropna()
    x = np.log(wk.a / wk.b).to_numpy()
    # EMA seeded with the first value, alpha = 2/(s+1)
    e = np.empty_like(x)
    e[0] = x[0]
    for i in range(1, len(x)):
        e[i] = e[i - 1] + 2 / 5 * (x[i] - e[i - 1])

    def z(v, n):
        out = np.full(len(v), np.nan)
        for i in range(n - 1, len(v)):
            w = v[i - n + 1:i + 1]
            if np.isnan(w).any():
                continue
            out[i] = (v[i] - w.mean()) / w.std()
        return out

    rr = 100 + z(e, 20)
    d = np.r_[np.full(3, np.nan), rr[3:] - rr[:-3]]
    rm = 100 + z(d, 20)
    np.testing.assert_allclose(f["rs_ratio"].to_numpy(), rr, rtol=0, atol=1e-9)
    np.testing.assert_allclose(f["rs_momentum"].to_numpy(), rm, rtol=0, atol=1e-9)
    first = np.flatnonzero(~np.isnan(rm))[0]
    assert first == 2 * 20 + 3 - 2  # warm-up documented as 2 window + lag - 2
    q = f.dropna(subset=["rs_momentum"])
    exp = np.where(q.rs_ratio > 100, np.where(q.rs_momentum > 100, "leading", "weakening"),
                   np.where(q.rs_momentum > 100, "improving", "lagging"))
    assert (q["quadrant"].to_numpy() == exp).all()


def test_rotation_of_a_cycling_ratio_turns_clockwise():
    # the ratio follows a slow sine: RS-Ratio lags RS-Momentum by a quarter cycle
    weeks = pd.date_range("2010-01-01", periods=400, freq="W-FRI")
    t = np.arange(400)
    bench = pd.Series(100.0, index=weeks)
    sym = pd.Series(100.0 * np.exp(0.1 * np.sin(2 * np.pi * t / 52)), index=weeks)
    rot = rel.rotation({"S": sym}, bench, window=52, lag=4, smooth=1)
    q = rot.frame.xs("S", level="symbol")["quadrant"].dropna()
    runs = q[q != q.shift()].tolist()
    order = ["leading", "weakening", "lagging", "improving"]
    steps = [(order.index(b) - order.index(a)) % 4 for a, b in zip(runs[:-1], runs[1:], strict=True)]
    assert len(runs) > 8 and all(s == 1 for s in steps)  # always the next quadrant clockwise
    latest = rot.latest()
    assert latest.loc["S", "date"] == weeks[-1]
    assert rot.path("S", 5).shape[0] == 5
    with pytest.raises(ValueError, match="symbol"):
        rot.path("Z")


def test_rotation_rejects_short_history_and_bad_windows():
    weeks = pd.date_range("2020-01-03", periods=40, freq="W-FRI")
    s = pd.Series(np.linspace(1, 2, 40), index=weeks)
    with pytest.raises(ValueError, match="needs at least 55"):
        rel.rotation({"S": s}, s * 0 + 1.0, window=26, lag=4)
    with pytest.raises(ValueError, match="window"):
        rel.rotation({"S": s}, s * 0 + 1.0, window=2)
