"""Survey tools on a small NFIB-style CSV written in the test and imported with the kit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import smallcaps as sc
from smallcaps.data import DataError

CSV = """date,optimism,capex_plans,hiring_plans
2024-01-31,89.9,22,14
2024-02-29,89.4,21,12
2024-03-31,88.5,20,12
2024-04-30,89.7,19,12
2024-05-31,90.5,22,15
2024-06-30,91.5,25,15
2024-07-31,93.7,20,14
2024-09-30,91.5,21,15
2024-10-31,93.7,21,14
2024-11-30,101.7,20,17
2024-12-31,105.1,22,19
2025-01-31,102.8,23,18
"""  # August 2024 left out on purpose


@pytest.fixture
def survey(tmp_path):
    path = tmp_path / "nfib.csv"
    path.write_text(CSV)
    return sc.data.read_csv(path, "nfib")


def test_changes_in_points_and_no_bridging(survey):
    m = sc.sentiment.survey_metrics(survey, "optimism", periods=(1, 3))
    assert m.loc["2024-02-29", "change_1"] == pytest.approx(89.4 - 89.9)
    assert m.loc["2024-12-31", "change_1"] == pytest.approx(105.1 - 101.7)
    assert m.loc["2024-12-31", "change_3"] == pytest.approx(105.1 - 91.5)
    assert np.isnan(m.loc["2024-09-30", "change_1"])  # the month before is missing
    assert np.isnan(m.loc["2024-11-30", "change_3"])  # August is missing
    assert m.loc["2024-10-31", "change_3"] == pytest.approx(93.7 - 93.7)  # July exists
    assert (m["published"] > m.index).all()  # NFIB: second Tuesday of the next month


def test_percentile_and_records(survey):
    m = sc.sentiment.survey_metrics(survey, "capex_plans", lookback=6, min_periods=3)
    v = survey["capex_plans"].to_numpy(float)
    for i in range(len(v)):
        w = v[max(0, i - 5) : i + 1]
        if len(w) < 3:
            assert np.isnan(m["percentile"].iloc[i])
        else:
            assert m["percentile"].iloc[i] == pytest.approx(stats.percentileofscore(w, v[i]))
    # April 2024 capex plans of 19: the lowest of the record so far
    assert pd.isna(m.loc["2024-04-30", "lowest_since"])
    # July 2024 (20): the last reading at least as low was April 2024 (19)
    assert m.loc["2024-07-31", "lowest_since"] == pd.Timestamp("2024-04-30")
    # September 2024 (21): June's 25 lies between, the last reading <= 21 is July's 20
    assert m.loc["2024-09-30", "lowest_since"] == pd.Timestamp("2024-07-31")
    assert m.loc["2024-12-31", "highest_since"] == pd.Timestamp("2024-06-30")  # 22 < June 25


def test_latest_table(survey):
    t = sc.sentiment.survey_latest(survey)
    assert list(t.index) == ["optimism", "capex_plans", "hiring_plans"]
    assert t.loc["optimism", "value"] == pytest.approx(102.8)
    assert t.loc["optimism", "change_1"] == pytest.approx(102.8 - 105.1)
    assert t.loc["optimism", "change_12"] == pytest.approx(102.8 - 89.9)
    assert t.loc["hiring_plans", "highest_since"] == pd.Timestamp("2024-12-31")


def test_survey_errors_name_the_column(survey):
    with pytest.raises(DataError, match="no column 'optimsm'.*optimism"):
        sc.sentiment.survey_metrics(survey, "optimsm")
    with pytest.raises(ValueError, match="periods"):
        sc.sentiment.survey_metrics(survey, "optimism", periods=(0,))


def test_nfib_not_in_snapshot_says_so(snapshot_dir):
    with pytest.raises(DataError, match="nfib"):
        sc.data.load("nfib")
