"""Each notebook's parameter check refuses bad values, naming the parameter and the rule.

Only the parameters cell (with the values injected) and the check cell run, in this
process (the ``check_notebook`` fixture): what a kernel would run before any analysis,
without starting one per bad value.
"""

import pytest

import smallcaps as sc


def test_data_tour_rejects_bad_parameter(check_notebook):
    with pytest.raises(sc.params.ParameterError, match="parameter 'symbol'"):
        check_notebook("00_data_tour.ipynb", symbol="NOPE")


@pytest.mark.parametrize("name, value, match", [
    ("symbol", "NOPE", "parameter 'symbol'"),
    ("range_coverage", 1.5, "parameter 'range_coverage'"),
    ("ma_windows", [50, 1], "parameter 'ma_windows'"),
])
def test_breakout_ranges_rejects_bad_parameters(check_notebook, name, value, match):
    with pytest.raises(sc.params.ParameterError, match=match):
        check_notebook("01_breakout_ranges.ipynb", **{name: value})


def test_short_window_is_a_clear_error(check_notebook):
    with pytest.raises(sc.params.ParameterError, match="at least 36"):
        check_notebook("02_margin_debt_correlation.ipynb", start="2023-01", end="2024-06")


def test_bad_basis_is_rejected(check_notebook):
    with pytest.raises(sc.params.ParameterError, match="parameter 'basis'"):
        check_notebook("02_margin_debt_correlation.ipynb", basis="median")


def test_rejects_bad_contract(check_notebook):
    with pytest.raises(sc.params.ParameterError, match="parameter 'contract'"):
        check_notebook("04_sentiment_positioning.ipynb", contract="russell")


@pytest.mark.parametrize("params, match", [
    ({"numerator": "RUTX"}, "parameter 'numerator'"),
    ({"denominator": "RUT"}, "parameter 'denominator': is the same as numerator"),
    ({"start": "2024-01-01", "end": "2025-06-30"}, "parameter 'start': window too short for the model"),
    ({"n_regimes": 4}, "parameter 'n_regimes'"),
    ({"frequency": "hourly"}, "parameter 'frequency'"),
])
def test_regimes_bad_parameters_fail_before_fitting(check_notebook, snapshot_dir, params,
                                                   match):
    # only the parameters and check cells run: a refusal never reaches the model
    with pytest.raises(sc.params.ParameterError, match=match):
        check_notebook("03_relative_strength_regimes.ipynb", **params)
