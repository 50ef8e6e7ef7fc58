"""Catalog, params, point in time, demo market, CLI and provenance."""

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps.cli import main
from smallcaps.params import ParameterError


def test_catalog_lists_required_series():
    cat = sc.data.catalog()
    required = {"RUT", "IWM", "SPX", "NDX", "QQQ", "SPY", "COMPQ", "VIX", "margin_debt",
                "short_interest:IWM", "short_interest:QQQ", "short_interest:SPY",
                "cot:russell2000", "cot:sp500", "cot:nasdaq100", "putcall", "nfib"}
    assert required <= set(cat.index)
    assert {"kind", "frequency", "units", "source", "description"} <= set(cat.columns)
    assert cat.loc["nfib", "import_only"] and cat.loc["RUT", "kind"] == "prices"


def test_published_dates_rules():
    from smallcaps.data.pointintime import published_dates

    md = published_dates(pd.DatetimeIndex(["2025-03-31", "2025-05-31"]), "finra_margin")
    # Friday of the third full week: 2025-04-25; June 2025: Friday 06-20 (Juneteenth is Thursday)
    assert list(md) == [pd.Timestamp("2025-04-25"), pd.Timestamp("2025-06-20")]
    cot = published_dates(pd.DatetimeIndex(["2025-03-25"]), "cftc_cot")
    assert cot[0] == pd.Timestamp("2025-03-28") and cot[0].day_name() == "Friday"
    si = published_dates(pd.DatetimeIndex(["2021-01-15"]), "short_interest")
    assert si[0] == pd.Timestamp("2021-01-27")  # 7th session after 01-15 (MLK Day skipped)
    with pytest.raises(sc.data.DataError, match="unknown release rule"):
        published_dates(pd.DatetimeIndex(["2025-01-01"]), "whenever")


def test_align_published_never_uses_future_numbers():
    series = pd.DataFrame({"v": [1.0, 2.0, 3.0]},
                          index=pd.DatetimeIndex(["2025-01-31", "2025-02-28", "2025-03-31"], name="date"))
    series["published"] = sc.data.published_dates(series.index, "finra_margin")
    days = pd.bdate_range("2025-02-01", "2025-04-30")
    out = sc.data.align_published(series, days)
    assert out.loc["2025-02-20", "v"] != out.loc["2025-02-20", "v"]  # nothing public yet: NaN
    assert out.loc["2025-02-21", "v"] == 1.0  # January published 21 Feb
    assert out.loc["2025-03-20", "v"] == 1.0 and out.loc["2025-03-21", "v"] == 2.0
    assert (out["published"].dropna() <= out.dropna().index.to_series()).all()
    assert out.loc["2025-04-30", "ref_date"] == pd.Timestamp("2025-03-31")


def test_params_check():
    p = sc.params.check(symbol=("rut", sc.params.symbol()), start=("2020-01-01", sc.params.date()),
                        end=("", sc.params.date(optional=True)), w=(20, sc.params.integer(min=2)),
                        order=[("start", "end")])
    assert p == {"symbol": "RUT", "start": pd.Timestamp("2020-01-01"), "end": None, "w": 20}
    with pytest.raises(ParameterError, match="'symbol': 'RUTT' is not one of .*did you mean RUT"):
        sc.params.check(symbol=("RUTT", sc.params.symbol()))
    with pytest.raises(ParameterError, match="'w': expected an integer, got str"):
        sc.params.check(w=("20", sc.params.integer()))
    with pytest.raises(ParameterError, match="'w': 1 is below the minimum 2"):
        sc.params.check(w=(1, sc.params.integer(min=2)))
    with pytest.raises(ParameterError, match="'start': '2020-13-01' is not a date"):
        sc.params.check(start=("2020-13-01", sc.params.date()))
    with pytest.raises(ParameterError, match="'end': must be after start"):
        sc.params.check(start=("2021-01-01", sc.params.date()), end=("2020-01-01", sc.params.date()),
                        order=[("start", "end")])
    with pytest.raises(ParameterError, match="lists IWM more than once"):
        sc.params.check(s=(["IWM", "iwm"], sc.params.symbol_list()))


def test_demo_market_is_seeded_and_planted():
    a, b = sc.demo.market(seed=3), sc.demo.market(seed=3)
    pd.testing.assert_frame_equal(a["SMALL"], b["SMALL"])
    assert not a["SMALL"].equals(sc.demo.market(seed=4)["SMALL"])
    small = a["SMALL"]
    sc.data.validation.validate_prices(small, "SMALL")
    assert sc.data.provenance(small).synthetic
    assert len(a.truth.ranges) >= 2 and {r.exit for r in a.truth.ranges} == {"up", "down"}
    for r in a.truth.ranges:
        band = small.loc[r.start:r.end]
        assert (band["high"] <= r.high + 1e-9).all() and (band["low"] >= r.low - 1e-9).all()
        exit_close = small.loc[r.exit_date, "close"]
        assert exit_close > r.high if r.exit == "up" else exit_close < r.low
    for ln in a.truth.trendlines:
        seg = small.loc[ln.start:ln.end]
        line = np.array([ln.value_at(d) for d in seg.index])
        assert (seg["high"].to_numpy() <= line * (1 + 1e-12)).all()
        for d in ln.touches:
            assert small.loc[d, "high"] == pytest.approx(ln.value_at(d))
        assert small.loc[ln.break_date, "close"] > ln.value_at(ln.break_date)
    # the weekly log ratio drifts up in regime 1 and down in regime 0
    ratio = np.log(a["SMALL"]["close"] / a["LARGE"]["close"]).resample("W-FRI").last().diff()
    states = a.truth.regimes.reindex(ratio.index)
    assert ratio[states == 1].mean() > 0 > ratio[states == 0].mean()


def test_cli_list_and_show(capsys, snapshot_dir):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "cot:russell2000" in out and "snapshot" in out
    assert main(["data", "show", "cot:russell2000"]) == 0
    out = capsys.readouterr().out
    assert "2016-01-05 .. 2016-12-27 (52 missing)" in out
    assert "2023-03-07 .. 2023-12-26" in out and "2025-05-06 .. 2025-12-30" in out
    assert main(["data", "show", "RUTX"]) == 2
    assert "unknown series name" in capsys.readouterr().err


def test_cli_import(tmp_path, capsys):
    src = tmp_path / "n.csv"
    src.write_text("date,optimism,capex_plans\n2025-03-01,97.4,20\n2025-04-01,95.8,18\n")
    assert main(["data", "import", str(src), "--as", "nfib"]) == 0
    assert "imported 2 rows of nfib" in capsys.readouterr().out
    bad = tmp_path / "b.csv"
    bad.write_text("date,optimism\n2025-05-01,x\n")
    assert main(["data", "import", str(bad), "--as", "nfib"]) == 2
    assert "unparsable number in column 'optimism'" in capsys.readouterr().err


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, smallcaps; smallcaps.data; "
            "heavy = [m for m in ('statsmodels', 'scipy', 'mplfinance', 'papermill', 'matplotlib', "
            "'yfinance', 'requests', 'numba') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_chart_carries_provenance_and_synthetic_label():
    mk = sc.demo.market(seed=1)
    fig = sc.charts.price_with_averages(mk["SMALL"], start="2012-01-01")
    texts = [t.get_text() for t in fig.texts]
    assert any("SYNTHETIC DEMO DATA" in t for t in texts)
    assert any("smallcaps.demo" in t for t in texts)
    # averages computed on the full history: defined from the first bar shown
    ax = fig.axes[0]
    sma200 = [ln for ln in ax.get_lines() if ln.get_label() == "200-day SMA"][0]
    assert not np.isnan(sma200.get_ydata()[0])


def test_shade_states_draws_one_span_per_run():
    import matplotlib.pyplot as plt

    from smallcaps.charts._style import shade_states

    idx = pd.date_range("2024-01-05", periods=8, freq="W-FRI")
    states = pd.Series([1, 1, 0, 1, 0, 0, 1, 1], index=idx)
    fig, ax = plt.subplots()
    shade_states(ax, states, 1, "green", "leading")
    spans = ax.patches
    assert len(spans) == 3
    labels = [p.get_label() for p in spans]
    assert labels[0] == "leading" and all(not lb or lb.startswith("_") for lb in labels[1:])
    shade_states(ax, states, 2, "red", "never")
    assert len(ax.patches) == 3
    plt.close(fig)
