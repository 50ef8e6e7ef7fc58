"""One parameter specification: the same input gets the same answer through every door.

Doors: the notebook's ``sc.params.check`` (Python values), ``smallcaps run -p`` (text),
a grid YAML file (YAML values), the widgets (``sc.widgets``) and the API
(``sc.data.load`` / the technicals, through ``_core.dates.parse_date``). No kernel starts here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import smallcaps as sc
from smallcaps import params, widgets
from smallcaps._core.dates import parse_date
from smallcaps.cli import main
from smallcaps.data.errors import DataError
from smallcaps.params import ParameterError
from smallcaps.run import execute as run_execute

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

PARAMS = '''
start: str = "2024-01-02"  # first date (ISO)
end: str = ""  # last date (ISO); empty = latest
windows: list = [5, 10]  # moving-average lengths
frequency: str = "weekly"  # bar frequency
'''

CHECK = '''
import smallcaps as sc
p = sc.params.check(
    start=(start, sc.params.date()),
    end=(end, sc.params.date(optional=True)),
    windows=(windows, sc.params.int_list(min=2, max=400, min_distinct=2,
                                         rule="at least two different moving-average lengths")),
    frequency=(frequency, sc.params.choice("daily", "weekly", "monthly")),
    order=[("start", "end")],
)
'''


def make_notebook(folder: Path, check: str = CHECK, name: str = "doors.ipynb") -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(PARAMS.strip(), metadata={"tags": ["parameters"]}),
                             new_code_cell(check.strip())])
    path = folder / name
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def no_kernel(monkeypatch):
    monkeypatch.setattr(run_execute, "execute_job", lambda job: pytest.fail("a kernel started"))


def _door_results(nb: Path, tmp_path: Path, value) -> dict[str, object]:
    """What every door answers for ``start=value``: a Timestamp or the ParameterError text."""
    out: dict[str, object] = {}

    def attempt(door, fn):
        try:
            out[door] = fn()
        except (ParameterError, ValueError, TypeError) as exc:
            out[door] = "refused"
            out[f"{door}_msg"] = str(exc)

    attempt("notebook", lambda: params.check(start=(value, params.date()))["start"])
    attempt("cli", lambda: parse_date(sc.run.check_parameters(nb, {"start": value})["start"]))
    grid = tmp_path / f"grid{abs(hash(value))}.yaml"
    grid.write_text(f"start: ['{value}']\n")
    attempt("grid", lambda: parse_date(sc.run.grid(nb, grid)[0].parameters["start"]))
    attempt("widget", lambda: parse_date(widgets.date(value).default))
    attempt("api", lambda: parse_date(value))
    return out


@pytest.mark.parametrize("value", ["2024-01-31", "2024-01", "2024", "2024-01-31T00:00",
                                   "31/01/2024", "01/02/2024", "2024-02-30", "2024-13",
                                   "Jan 2024", "20240131", "yesterday"])
def test_a_date_gets_the_same_answer_through_every_door(tmp_path, no_kernel, value):
    nb = make_notebook(tmp_path)
    got = _door_results(nb, tmp_path, value)
    answers = {k: v for k, v in got.items() if not k.endswith("_msg")}
    assert len({str(v) for v in answers.values()}) == 1, got
    if answers["notebook"] == "refused":
        assert all("ISO" in got[f"{d}_msg"] or "is not a date" in got[f"{d}_msg"]
                   for d in answers), got
    else:
        assert isinstance(answers["notebook"], pd.Timestamp)


def test_day_first_dates_are_refused_with_the_iso_form_to_write():
    with pytest.raises(ParameterError, match=r"'start'.*not a date in ISO form.*write 2024-01-31"):
        params.check(start=("31/01/2024", params.date()))
    with pytest.raises(ValueError, match="ambiguous: write 2024-02-01 or 2024-01-02"):
        parse_date("01/02/2024")
    with pytest.raises(TypeError, match="expected a date"):
        parse_date(20240131)
    assert parse_date(dt.date(2024, 1, 31)) == pd.Timestamp("2024-01-31")
    assert parse_date("2024-01-31T23:00-05:00") == pd.Timestamp("2024-01-31 23:00")


def test_load_uses_the_same_date_parser(tmp_path):
    with pytest.raises(DataError, match="start '31/01/2024' is not a date in ISO form"):
        sc.data.load("RUT", start="31/01/2024", snapshot=tmp_path)


def test_widget_month_default_matches_the_notebook():
    assert widgets.date("2024-01").default == "2024-01-01"
    assert params.date().validate("start", "2024-01") == pd.Timestamp("2024-01-01")


def test_single_moving_average_is_refused_before_a_kernel_starts(tmp_path, no_kernel, capsys):
    nb = make_notebook(tmp_path)
    for bad in ("[40]", "40", "40,40"):
        with pytest.raises(ParameterError, match="'windows'.*at least two different moving-average"):
            sc.run.prepare(nb, {"windows": bad})
    assert sc.run.prepare(nb, {"windows": "40, 80"}).parameters == {"windows": [40, 80]}
    with pytest.raises(ParameterError, match="at least two different moving-average"):
        params.check(windows=([40], params.int_list(min_distinct=2, rule="at least two "
                                                                        "different moving-average lengths")))


def test_notebook_01_refuses_one_moving_average_from_the_cli(no_kernel, capsys):
    rc = main(["run", "01_breakout_ranges", "-p", "ma_windows", "[40]"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "'ma_windows'" in err and "at least two different moving-average lengths" in err


def test_cross_parameter_rules_of_notebooks_apply_before_a_kernel(no_kernel):
    with pytest.raises(ParameterError, match="'denominator'.*same as numerator"):
        sc.run.prepare("03_relative_strength_regimes", {"denominator": "RUT", "numerator": "rut"})
    with pytest.raises(ParameterError, match="'ytd_as_of'.*not in ytd_year 2023"):
        sc.run.prepare("03_relative_strength_regimes", {"ytd_as_of": "2024-03-01"})
    with pytest.raises(ParameterError, match="'end'.*spans 12 months; it needs at least 36"):
        sc.run.prepare("02_margin_debt_correlation", {"start": "2019-01-01", "end": "2019-12-31"})
    with pytest.raises(ParameterError, match="'end': must be after start"):
        sc.run.prepare("00_data_tour", {"start": "2020-01-01", "end": "2019-01-01"})


def test_choice_accepts_new_choices_through_every_door(tmp_path, no_kernel):
    nb = make_notebook(tmp_path)
    assert sc.run.check_parameters(nb, {"frequency": "Daily"}) == {"frequency": "daily"}
    assert params.check(f=("daily", params.choice("daily", "weekly")))["f"] == "daily"
    with pytest.raises(ParameterError, match="'frequency'.*not one of 'daily', 'weekly', 'monthly'"):
        sc.run.check_parameters(nb, {"frequency": "hourly"})
    assert widgets.from_spec(params.choice("daily", "weekly"), "weekly").options == (
        "daily", "weekly")


def test_every_kind_converts_text_and_validates_values():
    cases = [
        (params.integer(min=2, max=10), "7", 7),
        (params.number(min=0), "0.5", 0.5),
        (params.fraction(), "0.25", 0.25),
        (params.flag(), "yes", True),
        (params.choice("a", "b"), "B", "b"),
        (params.symbol(), "iwm", "IWM"),
        (params.int_list(min=1), "[5, 10]", [5, 10]),
        (params.number_list(), "0.5, 1", [0.5, 1.0]),
        (params.symbol_list(), "rut, spx", ["RUT", "SPX"]),
        (params.date_list(), "2024-01-02,2024-02", ["2024-01-02", "2024-02"]),
        (params.path(), "data/x.csv", "data/x.csv"),
        (params.text(), "hello", "hello"),
    ]
    for spec, text, plain in cases:
        assert spec.from_text("x", text) == plain, spec.kind
        spec.validate("x", plain)  # the kernel's check accepts what the CLI produced
        assert spec.describe()
    with pytest.raises(ParameterError, match="above the maximum 1.0"):
        params.fraction().from_text("x", "1.5")
    with pytest.raises(ParameterError, match="lists RUT more than once"):
        params.symbol_list().from_text("x", "RUT,rut")
    with pytest.raises(ParameterError, match="expected true or false"):
        params.flag().validate("x", 1)


def test_the_preflight_parses_the_check_call_and_never_runs_it(tmp_path, no_kernel):
    marker = tmp_path / "pwned"
    check = CHECK.replace(
        'start=(start, sc.params.date()),',
        f'start=(start, sc.params.date(optional=open({str(marker)!r}, "w").close() is None)),')
    nb = make_notebook(tmp_path, check=check, name="evil.ipynb")
    sc.run.check_parameters(nb, {"start": "2024-01-02", "windows": "[3, 4]"})
    with pytest.raises(ParameterError, match="at least two different"):
        sc.run.check_parameters(nb, {"windows": "[3]"})
    assert not marker.exists()
