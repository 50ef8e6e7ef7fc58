"""The kit's one input policy (smallcaps._core.inputs): TypeError for wrong types,
ValueError for wrong values, nothing repaired silently, no data copied."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps._core.inputs import check_dates, dated_series, values


def _s(vals, dates=None):
    idx = pd.DatetimeIndex(dates) if dates is not None else pd.bdate_range("2024-01-01",
                                                                            periods=len(vals))
    return pd.Series(vals, index=idx, dtype="float64", name="x")


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError, match="arg: expected a pandas Series or DataFrame, got list"):
        values([1.0, 2.0], "arg")
    with pytest.raises(TypeError, match="arg: needs a DatetimeIndex"):
        dated_series(pd.Series([1.0, 2.0]), "arg")


def test_wrong_values_are_value_errors_naming_the_rule_and_rows():
    with pytest.raises(ValueError, match="arg: a frame needs a 'close' column"):
        values(pd.DataFrame({"open": [1.0]}), "arg")
    with pytest.raises(ValueError, match="values must be numeric"):
        values(pd.Series(["a"]), "arg")
    with pytest.raises(ValueError, match=r"duplicate dates \(2024-01-02\)"):
        dated_series(_s([1.0, 2.0, 3.0], ["2024-01-01", "2024-01-02", "2024-01-02"]), "arg")
    with pytest.raises(ValueError, match="not in ascending order.*2024-01-01"):
        dated_series(_s([1.0, 2.0], ["2024-01-02", "2024-01-01"]), "arg")
    with pytest.raises(ValueError, match="tz-naive"):
        dated_series(_s([1.0]).tz_localize("UTC"), "arg")
    with pytest.raises(ValueError, match=r"must be positive; 1 are not \(first on 2024-01-02\)"):
        dated_series(_s([1.0, -1.0]), "arg", positive=True)
    with pytest.raises(ValueError, match="infinite values on 2024-01-01"):
        dated_series(_s([np.inf, 1.0]), "arg", finite=True)
    with pytest.raises(ValueError, match="1 non-missing values; need at least 3"):
        dated_series(_s([np.nan, 1.0]), "arg", min_obs=3)


def test_nothing_repaired_silently_and_missing_values_dropped_only_on_request():
    s = _s([1.0, np.nan, 3.0])
    assert dated_series(s, "arg").isna().sum() == 1
    assert len(dated_series(s, "arg", dropna=True)) == 2


def test_no_copy_and_provenance_travels():
    df = pd.DataFrame({"close": np.arange(1.0, 6.0)}, index=pd.bdate_range("2024-01-01", periods=5))
    df.attrs["provenance"] = {"name": "RUT"}
    out = dated_series(df, "prices")
    assert np.shares_memory(out.to_numpy(), df["close"].to_numpy())
    assert out.attrs["provenance"] == {"name": "RUT"}
    check_dates(df, "prices")  # clean dates pass


@pytest.mark.parametrize("call", [
    lambda bad: sc.technicals.swing_points(bad, basis="close"),
    lambda bad: sc.stats.correlation_report(bad, sc.demo.series("SPX")),
    lambda bad: sc.sentiment.percentile_rank(bad),
    lambda bad: sc.relative.ratio(bad, sc.demo.series("SPX")),
    lambda bad: sc.regimes.log_changes(bad),
])
def test_the_kit_applies_one_policy(call):
    """The same wrong input gives the same kind of error through every door."""
    with pytest.raises(TypeError):
        call([1.0, 2.0, 3.0])
    unsorted = _s([1.0, 2.0, 3.0], ["2024-01-03", "2024-01-02", "2024-01-01"])
    with pytest.raises(ValueError, match="ascending"):
        call(unsorted)
