"""event_study: exact forward returns, planted effects, event handling, calibration, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcaps.stats import EventStudyResult, event_study
from smallcaps.stats.eventstudy import _shift_null


def _walk(n: int = 2000, seed: int = 0, drift: float = 0.0003, vol: float = 0.01) -> pd.Series:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2001-01-02", periods=n, name="date")
    return pd.Series(100 * np.exp(np.cumsum(rng.normal(drift, vol, n))), idx, name="close")


def test_forward_returns_and_baseline_are_exact():
    p = _walk(500)
    dates = p.index[[10, 50, 200, 480]]
    res = event_study(dates, p, horizons=(5, 30))
    ev = res.to_frame()
    lp = np.log(p.to_numpy())
    for h in (5, 30):
        for i, pos in enumerate([10, 50, 200, 480]):
            expected = lp[pos + h] - lp[pos] if pos + h < len(p) else np.nan
            got = ev[f"ret_{h}"].iloc[i]
            if np.isnan(expected):
                assert np.isnan(got)
            else:
                assert got == pytest.approx(expected, abs=1e-12)
        base = lp[h:] - lp[:-h]
        row = res.summary().loc[h]
        assert row["baseline_mean"] == pytest.approx(base.mean(), abs=1e-12)
        assert row["baseline_median"] == pytest.approx(np.median(base), abs=1e-12)
        assert row["baseline_hit_rate"] == pytest.approx((base > 0).mean())
        assert row["baseline_n"] == len(p) - h
        vals = ev[f"ret_{h}"].dropna()
        assert row["mean"] == pytest.approx(vals.mean())
        assert row["median"] == pytest.approx(vals.median())
        assert row["difference"] == pytest.approx(vals.mean() - base.mean())
    # 480 + 30 > 499: dropped at 30 bars only
    assert res.summary().loc[30, "n_dropped_end"] == 1
    assert res.summary().loc[5, "n_dropped_end"] == 0
    assert isinstance(res, EventStudyResult)


def test_simple_returns_and_entry_lag():
    p = _walk(300, seed=3)
    res = event_study([p.index[20]], p, 10, kind="simple", entry_lag=1, min_events=2)
    got = res.to_frame()["ret_10"].iloc[0]
    assert got == pytest.approx(p.iloc[31] / p.iloc[21] - 1)
    assert res.to_frame()["entry"].iloc[0] == p.index[21]
    assert "only 1 events" in res.summary().loc[10, "note"]
    assert np.isnan(res.summary().loc[10, "ci_low"])


def test_planted_effect_is_found():
    """Events followed by a planted +4 % drift over 20 bars: found, interval excludes 0."""
    rng = np.random.default_rng(11)
    n = 3000
    r = rng.normal(0.0002, 0.01, n)
    pos = np.sort(rng.choice(np.arange(50, n - 60), size=40, replace=False))
    for p0 in pos:
        r[p0 + 1:p0 + 21] += 0.04 / 20
    idx = pd.bdate_range("2000-01-03", periods=n)
    price = pd.Series(100 * np.exp(np.cumsum(r)), idx)
    events = pd.Series(False, idx)
    events.iloc[pos] = True
    for interval in ("shift", "cluster"):
        row = event_study(events, price, 20, interval=interval).summary().loc[20]
        assert row["n_events"] == 40
        # the planted 4 % is partly counted in the baseline too (40*20 of 3000 days)
        assert 0.02 < row["difference"] < 0.06
        assert row["diff_ci_low"] > 0
        assert row["ci_low"] < row["mean"] < row["ci_high"]
        assert row["p_value"] < 0.01


def test_no_effect_size_is_nominal_with_clustered_events():
    """Events in runs, independent of prices: the 5 % test rejects about 5 % of the time."""
    rng = np.random.default_rng(5)
    n, sims, rej_p, rej_ci = 1500, 120, 0, 0
    idx = pd.bdate_range("2000-01-03", periods=n)
    for i in range(sims):
        price = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, n))), idx)
        starts = rng.choice(n - 10, size=8, replace=False)
        ev = np.zeros(n, bool)
        for s in starts:
            ev[s:s + 8] = True
        row = event_study(pd.Series(ev, idx), price, 20, n_boot=400, seed=i).summary().loc[20]
        rej_p += row["p_value"] < 0.05
        rej_ci += (row["diff_ci_low"] > 0) or (row["diff_ci_high"] < 0)
    assert rej_p / sims < 0.12
    assert rej_ci / sims < 0.12


def test_shift_null_over_all_offsets_is_centred_on_baseline():
    rng = np.random.default_rng(0)
    fwd = rng.normal(size=300)
    pos = np.array([3, 4, 5, 100, 250])
    null = _shift_null(fwd, pos, n_perm=1000, rng=rng)  # 299 offsets < 1000: all used
    assert len(null) == 299
    # adding the unshifted pattern, every position is covered exactly len(pos) times
    total = (null.sum() + fwd[pos].mean()) / 300
    assert total == pytest.approx(fwd.mean(), abs=1e-12)


def test_event_dates_mapping_decluster_and_counts():
    p = _walk(400)
    idx = p.index
    sat = idx[100] + pd.Timedelta(days=(5 - idx[100].weekday()) % 7)  # a Saturday
    assert sat.weekday() == 5
    given = [idx[0] - pd.Timedelta(days=30), sat, idx[20], idx[21], idx[22], idx[60],
             idx[-1] + pd.Timedelta(days=5)]
    res = event_study(given, p, 5, min_gap=10)
    c = res.counts
    assert c["given"] == 7 and c["outside"] == 2
    assert c["declustered"] == 2  # idx[21], idx[22] within 10 bars of idx[20]
    assert c["kept"] == 3
    kept = res.to_frame().index
    monday = idx[idx.searchsorted(sat)]
    assert monday.weekday() == 0
    assert list(kept) == [idx[20], idx[60], monday]
    same = event_study([idx[5], idx[5] + pd.Timedelta(hours=0)], p, 5)
    assert same.counts["given"] == 1
    assert any("outside" in n for n in res.notes)


def test_boolean_series_events_and_reproducibility():
    p = _walk(800, seed=2)
    ev = (p.pct_change() < -0.015).rename("big down day")
    a = event_study(ev, p, (5, 20), seed=42)
    b = event_study(ev, p, (5, 20), seed=42)
    pd.testing.assert_frame_equal(a.summary(), b.summary())
    assert a.n_events == int(ev.sum())
    assert a.name == "big down day"
    # NaN in a 0/1 series is no event
    ev01 = ev.astype(float)
    ev01.iloc[0] = np.nan
    c = event_study(ev01, p, (5, 20), seed=42)
    pd.testing.assert_frame_equal(a.summary(), c.summary())


def test_price_frame_column_and_total_return():
    p = _walk(300)
    frame = pd.DataFrame({"close": p, "adj_close": p * np.linspace(1, 1.1, len(p))})
    r1 = event_study([p.index[10]], frame, 50, min_events=2)
    r2 = event_study([p.index[10]], frame, 50, column="adj_close", min_events=2)
    assert r2.to_frame()["ret_50"].iloc[0] > r1.to_frame()["ret_50"].iloc[0]


def test_no_events_gives_nan_with_note():
    p = _walk(300)
    res = event_study(pd.Series(False, p.index), p, (5, 20))
    s = res.summary()
    assert s["n_events"].eq(0).all() and s["mean"].isna().all()
    assert s["note"].str.contains("no events").all()
    assert res.n_events == 0 and any("no event" in n for n in res.notes)


def test_result_renders_and_plots():
    import matplotlib

    matplotlib.use("Agg")
    p = _walk(1000)
    res = event_study(p.index[::37], p, (10, 40))
    html = res._repr_html_()
    assert "Event study" in html and "baseline_mean" in html
    assert "baseline_mean" in str(res)
    ax = res.plot()
    assert len(ax.lines) >= 2
    assert res.path.loc[0, "event"] == 0 and len(res.path) == 41
    lp = np.log(p.to_numpy())
    assert res.path.loc[40, "baseline"] == pytest.approx((lp[40:] - lp[:-40]).mean())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"horizons": (0,)}, "horizons"),
        ({"horizons": ()}, "horizons"),
        ({"kind": "pct"}, "kind"),
        ({"ci": 1.5}, "ci"),
        ({"min_gap": 0}, "min_gap"),
        ({"n_boot": 10}, "n_boot"),
        ({"column": "adj"}, "prices: a frame needs a 'adj' column"),
        ({"interval": "bca"}, "interval"),
    ],
)
def test_bad_options_name_the_input(kwargs, match):
    p = _walk(200)
    frame = p.to_frame("close")
    with pytest.raises(ValueError, match=match):
        event_study(p.index[:3], frame, **kwargs)


def test_bad_prices_and_events():
    p = _walk(200)
    with pytest.raises(ValueError, match="prices: values must be positive"):
        event_study(p.index[:3], p.where(p.index != p.index[50], -1.0))
    with pytest.raises(ValueError, match="prices: dates are not in ascending order"):
        event_study(p.index[:3], p.iloc[::-1])
    with pytest.raises(TypeError, match="prices: needs a DatetimeIndex"):  # a wrong type
        event_study(p.index[:3], p.reset_index(drop=True))
    with pytest.raises(ValueError, match="events: a Series must be boolean"):
        event_study(p, p)
    with pytest.raises(ValueError, match="events: could not read"):
        event_study(["not a date"], p)
    with pytest.raises(TypeError, match="prices"):
        event_study(p.index[:3], [1, 2, 3])
