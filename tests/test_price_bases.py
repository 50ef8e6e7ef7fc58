"""Price bases strategists quote: close vs intraday extremes, adjusted "as of" a day.

References: the snapshot CSVs read with pandas, plain loops, and the IWM dividends
listed in the market PROVENANCE (ex-date 2025-03-18: $0.46; 2025-06-16: $0.576).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps import technicals as T


def _csv(snapshot_dir, name):
    return pd.read_csv(snapshot_dir / "market" / f"{name}.csv", parse_dates=["date"], index_col="date")


@pytest.mark.snapshot
def test_fib_swing_close_and_intraday_bases(snapshot_dir):
    rut = sc.data.load("RUT")
    raw = _csv(snapshot_dir, "RUT").loc["2024-11-01":"2025-04-30"]
    intra = T.fib_swing(rut, "2024-11-01", "2025-04-30")
    assert intra.attrs["basis"] == "intraday" and intra.attrs["move"] == "down"
    assert intra.loc["50.0%", "level"] == pytest.approx((raw["high"].max() + raw["low"].min()) / 2)
    assert intra.loc["50.0%", "level"] == pytest.approx(2099.74, abs=0.005)
    close = T.fib_swing(rut, "2024-11-01", "2025-04-30", basis="close")
    hi, lo = raw["close"].max(), raw["close"].min()
    assert close.attrs["basis"] == "close"
    assert pd.Timestamp(close.attrs["high_date"]) == raw["close"].idxmax()
    assert pd.Timestamp(close.attrs["low_date"]) == raw["close"].idxmin()
    assert close.loc["61.8%", "level"] == pytest.approx(lo + 0.618 * (hi - lo))
    assert close.loc["61.8%", "level"] != intra.loc["61.8%", "level"]
    with pytest.raises(ValueError, match="basis='weekly'"):
        T.fib_swing(rut, "2024-11-01", "2025-04-30", basis="weekly")


@pytest.mark.snapshot
def test_new_highs_intraday_against_a_loop(snapshot_dir):
    rut = sc.data.load("RUT", start="2020-01-01")
    got = T.new_highs(rut, basis="intraday")
    h = rut["high"].to_numpy()
    want = [False] + [h[i] > h[:i].max() for i in range(1, len(h))]
    assert got.tolist() == want and got.name == "all_time_intraday_high"
    win = T.new_highs(rut, 252, basis="intraday")
    want252 = [i >= 251 and h[i] > h[i - 251:i].max() for i in range(len(h))]
    assert win.tolist() == want252
    # 2021-11-08: the closing high; the intraday high came the same day
    assert got.loc["2021-11-08"] and T.new_highs(rut).loc["2021-11-08"]
    with pytest.raises(ValueError, match="needs a price frame with a 'high' column"):
        T.new_highs(rut["close"], basis="intraday")


@pytest.mark.snapshot
def test_level_below_high_on_a_chosen_column(snapshot_dir):
    rut = sc.data.load("RUT")
    raw = _csv(snapshot_dir, "RUT").loc[:"2025-04-30"]
    lv = T.level_below_high(rut, 0.2, as_of="2025-04-30", column="high")
    assert lv.high == raw["high"].max() and lv.high_date == raw["high"].idxmax()
    assert lv.level == pytest.approx(raw["high"].max() * 0.8)
    assert lv.last_close == raw["close"].iloc[-1]
    assert "intraday high" in lv.describe()
    iwm = sc.data.load("IWM")
    adj = T.level_below_high(iwm, 0.1, as_of="2025-04-30", column="adj_close")
    assert adj.high == iwm["adj_close"].loc[:"2025-04-30"].max()
    with pytest.raises(ValueError, match="column='hlc': not a column"):
        T.level_below_high(rut, 0.1, column="hlc")


@pytest.mark.snapshot
def test_iwm_adjusted_as_of_a_day_matches_the_dividends(snapshot_dir):
    iwm = sc.data.load("IWM")
    raw = _csv(snapshot_dir, "IWM")
    d = "2025-06-13"  # the Friday before the 2025-06-16 ex-date
    got = sc.data.adjusted_as_of(iwm, d)
    assert got.index[-1] == pd.Timestamp(d) and "adj_close" not in got.columns
    # after the 2025-03-18 ex-date nothing is adjusted yet on that chart
    seg = got.loc["2025-03-18":d, "close"]
    np.testing.assert_allclose(seg.to_numpy(), raw.loc["2025-03-18":d, "close"].to_numpy(), rtol=2e-6)
    # before it, one factor: 1 - 0.46 / close of 2025-03-17 (Yahoo's method)
    f = 1 - 0.46 / raw.loc["2025-03-17", "close"]
    early = got.loc["2024-12-17":"2025-03-17", "close"]
    np.testing.assert_allclose(early.to_numpy(), f * raw.loc["2024-12-17":"2025-03-17", "close"].to_numpy(),
                               rtol=2e-5)
    # as of the last day (after the last ex-date) the basis is the vendor's adj_close
    now = sc.data.adjusted_as_of(iwm, iwm.index[-1])
    np.testing.assert_allclose(now["close"].to_numpy(), iwm["adj_close"].to_numpy(), rtol=1e-9)
    with pytest.raises(sc.data.DataError, match="adj_close is empty"):
        sc.data.adjusted_as_of(sc.data.load("RUT"), "2025-01-02")
