"""Look-ahead invariance: what a detector reports as known by a date does not change
when the data end on that date.

For each detector that dates when something became known (range exits, swing
points, level tests, trendline breaks, bar events, the regime model's filtered path,
rotation quadrants), recompute on the data cut at a sample of its own reported
known dates and assert that everything reported as known by then is unchanged. Run on
the seeded synthetic market (planted ranges, trendlines, regimes) and, where the
snapshot is present, on real RUT/SPX history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc

T = sc.technicals
N_CUTS = 6


def _sample(dates, n: int = N_CUTS) -> list[pd.Timestamp]:
    """Up to ``n`` dates spread over ``dates`` (deterministic)."""
    d = pd.DatetimeIndex(pd.Series(dates).dropna().unique()).sort_values()
    if len(d) <= n:
        return list(d)
    return list(d[np.linspace(0, len(d) - 1, n).round().astype(int)])


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return sc.demo.series("RUT")


@pytest.fixture(scope="module")
def rut(snapshot_dir) -> pd.DataFrame:
    return sc.data.load("RUT")


def _price_sets(request) -> list[pd.DataFrame]:
    sets = [request.getfixturevalue("demo")]
    from conftest import SNAPSHOT

    if SNAPSHOT is not None:
        sets.append(request.getfixturevalue("rut"))
    return sets


# --------------------------------------------------------------------------- range exits

RANGE_KNOWN = ["start", "end", "low", "high", "bars", "exit", "exit_date", "exit_close",
               "known_date"]


@pytest.mark.parametrize("confirm", [None, 3])
def test_range_exits_do_not_change_when_data_end_on_their_known_date(request, confirm):
    checked = 0
    for prices in _price_sets(request):
        full = T.find_ranges(prices, min_bars=60, confirm=confirm)
        known = full.dropna(subset=["known_date"])
        assert len(known) >= 2
        for k in _sample(known["known_date"]):
            cut = T.find_ranges(prices.loc[:k], min_bars=60, confirm=confirm)
            want = full[full["known_date"] <= k][RANGE_KNOWN].reset_index(drop=True)
            got = cut[cut["known_date"] <= k][RANGE_KNOWN].reset_index(drop=True)
            pd.testing.assert_frame_equal(got, want)
            # and a range that ended after k is, on the cut data, still open (or not yet found)
            later = full[full["known_date"] > k]
            if len(later) and len(cut) > len(want):
                assert cut.iloc[len(want)]["exit"] == "open"
            checked += 1
    assert checked >= N_CUTS


# --------------------------------------------------------------------------- swing points

SWING_KNOWN = ["date", "price", "kind", "confirmed", "change", "bars"]


@pytest.mark.parametrize("kw", [dict(method="zigzag", pct=0.05),
                                dict(method="zigzag", pct=0.05, basis="close"),
                                dict(method="fractal", bars=5)])
def test_confirmed_swing_points_do_not_change(request, kw):
    for prices in _price_sets(request):
        full = T.swing_points(prices, **kw)
        conf = full.dropna(subset=["confirmed"])
        for k in _sample(conf["confirmed"]):
            cut = T.swing_points(prices.loc[:k], **kw)
            want = full[full["confirmed"] <= k][SWING_KNOWN].reset_index(drop=True)
            got = cut[cut["confirmed"] <= k][SWING_KNOWN].reset_index(drop=True)
            pd.testing.assert_frame_equal(got, want)


def test_the_provisional_zigzag_pivot_is_marked_as_not_yet_known(demo):
    """The last zig-zag extreme can still move: it must not carry a known date."""
    sw = T.swing_points(demo, pct=0.05)
    assert pd.isna(sw["confirmed"].iloc[-1])
    assert sw["confirmed"].iloc[:-1].notna().all()


# --------------------------------------------------------------------------- level tests

def test_level_tests_as_of_a_date_use_no_later_bar(request):
    for prices in _price_sets(request):
        kl = T.key_levels(prices)
        levels = list(kl.levels["level"].head(3)) + [float(prices["close"].iloc[-300])]
        for k in _sample(prices.index[-400:-1]):
            start = prices.index[prices.index.get_loc(k) - 60]
            for lv in levels:
                full = T.level_test(prices, lv, start=start, end=k).to_frame()
                cut = T.level_test(prices.loc[:k], lv, start=start).to_frame()
                pd.testing.assert_frame_equal(cut, full)


def test_key_levels_as_of_a_date_ignore_later_bars(request):
    for prices in _price_sets(request):
        for k in _sample(prices.index[len(prices) // 2:-1], 4):
            full, cut = T.key_levels(prices, as_of=k), T.key_levels(prices.loc[:k])
            pd.testing.assert_frame_equal(full.ranges, cut.ranges)
            pd.testing.assert_frame_equal(full.levels, cut.levels)


# --------------------------------------------------------------------------- trendline breaks

@pytest.mark.parametrize("kind", ["lower_highs", "higher_lows"])
def test_trendline_breaks_do_not_change_when_data_end_on_the_break(request, kind):
    checked = 0
    for prices in _price_sets(request):
        span = prices.index[-1] - prices.index[0]
        starts = [prices.index[0] + span * f for f in (0.2, 0.4, 0.6, 0.75)]
        # windows to the last bar and windows of a few years (lines of lower highs need a
        # window whose highest high is not at its end)
        windows = [(s, s + pd.DateOffset(years=y) if y else None) for s in starts
                   for y in (None, 3, 5)]
        for start, end in windows:
            try:
                full = T.trendline(prices, kind, start=start, end=end)
            except ValueError:
                continue
            if full.break_date is None:
                continue
            k = full.break_date
            cut = T.trendline(prices.loc[:k], kind, start=start, end=end)
            assert cut.break_date == k
            assert cut.anchors == full.anchors
            assert cut.slope == pytest.approx(full.slope, rel=1e-12)
            assert list(cut.touches[cut.touches <= k]) == list(full.touches[full.touches <= k])
            checked += 1
    assert checked >= 2


# --------------------------------------------------------------------------- events

def test_bar_events_do_not_change_when_data_end_on_their_date(request):
    for prices in _price_sets(request):
        start = prices.index[-500]
        full = T.events(prices, start=start)
        assert len(full) > 10
        for k in _sample(full["date"]):
            cut = T.events(prices.loc[:k], start=start)
            want = full[full["date"] <= k].reset_index(drop=True)
            pd.testing.assert_frame_equal(cut.reset_index(drop=True), want)


# --------------------------------------------------------------------------- regimes

def _weekly_ratio() -> pd.Series:
    a, b = sc.demo.series("RUT"), sc.demo.series("SPX")
    return sc.relative.ratio(a, b, frequency="weekly").iloc[-520:]


def test_regime_filtered_path_uses_no_later_data_given_the_parameters():
    """The filtered path is causal given the fitted parameters: statsmodels' filter on
    the data cut at t reproduces it up to t. (The parameters themselves are estimated
    on the whole sample: the module docstring says so, and a refit on cut data may
    move them; that is the documented in-sample part, not a hidden look-ahead.)"""
    from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

    ratio = _weekly_ratio()
    fit = sc.regimes.fit(ratio, 2, n_starts=1)
    k = fit.k_regimes
    P = fit.transition.to_numpy()  # rows from, columns to
    # statsmodels' parameter order: p[i->j] for j < k - 1 (i outer... see param_names)
    mod = MarkovRegression(fit.changes.to_numpy(), k_regimes=k, trend="c", switching_variance=True)
    values = {f"const[{i}]": fit.means[i] for i in range(k)}
    values.update({f"sigma2[{i}]": fit.sigmas[i] ** 2 for i in range(k)})
    values.update({f"p[{i}->{j}]": P[i, j] for i in range(k) for j in range(k)})
    params = np.array([values[n] for n in mod.param_names])
    whole = np.asarray(mod.filter(params).filtered_marginal_probabilities)
    np.testing.assert_allclose(whole, fit.filtered.to_numpy(), atol=1e-6)
    for t in _sample(fit.changes.index[50:], 4):
        y = fit.changes.loc[:t].to_numpy()
        cut = MarkovRegression(y, k_regimes=k, trend="c", switching_variance=True)
        probs = np.asarray(cut.filter(params).filtered_marginal_probabilities)
        np.testing.assert_allclose(probs, fit.filtered.loc[:t].to_numpy(), atol=1e-10)


# --------------------------------------------------------------------------- rotation

@pytest.mark.parametrize("frequency", ["weekly", "monthly"])
def test_rotation_quadrants_do_not_change_when_data_end_on_their_date(frequency):
    prices = {"RUT": sc.demo.series("RUT"), "NDX": sc.demo.series("NDX")}
    bench = sc.demo.series("SPX")
    full = sc.relative.rotation(prices, bench, frequency=frequency).frame
    dates = full.dropna(subset=["quadrant"]).index.get_level_values("date")
    for k in _sample(dates):
        # the period's value is known on its last trading day, which is on or before k
        cut_prices = {s: v.loc[:k] for s, v in prices.items()}
        cut = sc.relative.rotation(cut_prices, bench.loc[:k], frequency=frequency).frame
        want = full.loc[full.index.get_level_values("date") <= k]
        got = cut.loc[cut.index.get_level_values("date") <= k]
        pd.testing.assert_frame_equal(got, want)
