"""Notebook 03 (relative strength regimes) executes headless under papermill.

Default run: RUT/SPX weekly since 1987 (acceptance: reports the mean regime length in
weeks and years, and the 2023 YTD table). By parameter: IWM/QQQ and RUT/NDX (NDX ends
earlier: the alignment is reported). Bad parameters fail before any model is fitted.
"""

import re
import time

import pytest

from conftest import figure_count, notebook_text

pytestmark = [pytest.mark.notebook, pytest.mark.snapshot]

NB = "03_relative_strength_regimes.ipynb"


def _images(nb) -> int:
    return figure_count(nb)


def test_default_rut_spx_weekly_since_1987(execute_notebook, snapshot_dir):
    t0 = time.perf_counter()
    nb = execute_notebook(NB)
    elapsed = time.perf_counter() - t0
    print(f"notebook 03 (RUT/SPX weekly since 1987) ran in {elapsed:.1f} s")
    text = notebook_text(nb)
    assert "RUT/SPX: 2,0" in text and "weekly closes, 1987-09-11" in text
    m = re.search(r"mean regime length \(all complete spells\): (\d+) weeks = ([\d.]+) years", text)
    assert m, "reports the mean regime length in weeks and years"
    assert float(m.group(2)) == pytest.approx(int(m.group(1)) / 52, abs=0.016)  # both rounded
    assert re.search(r"lagging: expected \d+ weeks \([\d.]+ years\)", text)
    # the YTD table of 2023 through 2023-06-07 (acceptance numbers)
    assert "SPX +11.15%" in text and "COMPQ +25.21%" in text and "IWM +7.39%" in text
    assert "8.08" in text  # IWM total return
    assert "line of lower highs from 2014" in text
    assert "Event study" in text or "p_value" in text
    # regimes as known then: expanding-window refits, agreement shown, event study on them
    m = re.search(r"(\d+) refits, every 52 weeks, .* agrees with the full-sample smoothed one in "
                  r"(\d+)% of", text)
    assert m and int(m.group(1)) >= 30 and 50 <= int(m.group(2)) <= 100
    assert "leading regime (as known then)" in text or "regime (as known then)" in text
    assert "Traceback" not in text
    assert _images(nb) >= 6


def test_iwm_qqq(execute_notebook, snapshot_dir):
    nb = execute_notebook(NB, numerator="IWM", denominator="QQQ", ytd_year=2024, ytd_as_of="",
                          n_starts=1)  # the fit itself is tested by the default run
    text = notebook_text(nb)
    assert "IWM/QQQ:" in text and "weekly closes, 2000-05-26" in text
    assert "2024 YTD through 2024-12-31" in text


def test_rut_ndx_reports_alignment(execute_notebook, snapshot_dir):
    nb = execute_notebook(NB, numerator="RUT", denominator="NDX", n_regimes=3, n_starts=3)
    text = notebook_text(nb)
    assert "NDX ends 2026-07-10" in text and "last common date 2026-07-10" in text
    assert "3-regime model of RUT/NDX" in text
    assert "neutral: expected" in text
