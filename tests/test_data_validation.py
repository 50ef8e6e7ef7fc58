"""Each bad-input class raises DataError naming the series, the rows and the rule."""

from pathlib import Path

import pandas as pd
import pytest

from smallcaps.data import DataError, load
from smallcaps.data.snapshot import read_prices_csv

HEADER = "date,open,high,low,close,adj_close,volume\n"
GOOD = [
    "2024-01-02,10,11,9,10.5,10.5,100",
    "2024-01-03,10.5,12,10,11,11,200",
    "2024-01-04,11,11.5,10.5,11.2,11.2,150",
]


def write(tmp_path: Path, lines, header=HEADER, name="T.csv") -> Path:
    p = tmp_path / name
    p.write_text(header + "\n".join(lines) + "\n")
    return p


def test_good_file_parses(tmp_path):
    df = read_prices_csv(write(tmp_path, GOOD), "T")
    assert len(df) == 3 and df.loc["2024-01-03", "high"] == 12.0


@pytest.mark.parametrize(
    ("lines", "header", "pattern"),
    [
        (GOOD, "date,open,high,low,adj_close,volume\n", r"T: missing column\(s\) close"),
        (GOOD, "date,open,high,low,close,adj_close,volume,extra\n", r"T: unexpected column\(s\) extra"),
        ([GOOD[0], "2024-01-03,10.5,12,10,abc,11,200", GOOD[2]], HEADER,
         r"T: unparsable number in column 'close' \('abc'\) \(rows: line 3 \(2024-01-03\)\)"),
        ([GOOD[0], "2024-13-45,10.5,12,10,11,11,200"], HEADER, r"T: unparsable date .*line 3"),
        ([GOOD[0], GOOD[0], GOOD[1]], HEADER, r"T: duplicate date \(rows: line 2 \(2024-01-02\), line 3"),
        ([GOOD[1], GOOD[0], GOOD[2]], HEADER, r"T: dates not in ascending order \(unsorted index\) \(rows: line 3"),
        ([GOOD[0], "2024-01-03,10.5,9,12,11,11,200"], HEADER, r"T: high < low \(rows: line 3 \(2024-01-03\)\)"),
        ([GOOD[0], "2024-01-03,10.5,12,10,12.5,12.5,200"], HEADER, r"T: close outside \[low, high\] \(rows: line 3"),
        ([GOOD[0], "2024-01-03,0,0,0,0,0,200"], HEADER, r"T: non-positive price \(rows: line 3"),
        ([GOOD[0], "2024-01-03,10.5,12,10,,11,200"], HEADER, r"T: missing close \(rows: line 3"),
        ([GOOD[0], ",10.5,12,10,11,11,200"], HEADER, r"T: missing date \(rows: line 3\)"),
    ],
    ids=["missing-col", "extra-col", "bad-number", "bad-date", "duplicate", "unsorted",
         "high-lt-low", "close-outside", "non-positive", "missing-close", "missing-date"],
)
def test_bad_input_raises_named_error(tmp_path, lines, header, pattern):
    with pytest.raises(DataError, match=pattern):
        read_prices_csv(write(tmp_path, lines, header), "T")


def test_error_lists_many_rows_compactly(tmp_path):
    lines = [f"2024-01-{d:02d},10,9,11,10,10,1" for d in range(1, 16)]
    with pytest.raises(DataError) as info:
        read_prices_csv(write(tmp_path, lines), "T")
    assert "and 5 more" in str(info.value) and info.value.rule == "high < low"


def test_empty_window_and_bad_dates(tmp_path):
    folder = tmp_path / "snap"
    (folder / "market").mkdir(parents=True)
    write(folder / "market", GOOD, name="RUT.csv")
    with pytest.raises(DataError, match="RUT: empty result for the requested window 2025-01-01"):
        load("RUT", start="2025-01-01", snapshot=folder)
    with pytest.raises(DataError, match="start 'yesterday' is not a date"):
        load("RUT", start="yesterday", snapshot=folder)
    with pytest.raises(DataError, match="start 2024-02-01 is after end"):
        load("RUT", start="2024-02-01", end="2024-01-01", snapshot=folder)
    assert len(load("RUT", snapshot=folder)) == 3


def test_snapshot_bad_file_is_reported_not_loaded(tmp_path):
    folder = tmp_path / "snap"
    (folder / "market").mkdir(parents=True)
    write(folder / "market", [GOOD[0], "2024-01-03,10.5,9,12,11,11,200"], name="IWM.csv")
    with pytest.raises(DataError, match=r"IWM: high < low"):
        load("IWM", snapshot=folder)


def test_no_data_anywhere_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    with pytest.raises(DataError, match="smallcaps data pull RUT"):
        load("RUT")
    with pytest.raises(DataError, match="smallcaps data import FILE --as nfib"):
        load("nfib")


def test_demo_fallback_is_labelled(monkeypatch):
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    from smallcaps.data import provenance

    df = load("RUT", demo=True)
    prov = provenance(df)
    assert prov.synthetic and prov.describe().startswith("SYNTHETIC DEMO DATA")
    monkeypatch.setenv("SMALLCAPS_DEMO", "1")
    assert provenance(load("IWM")).synthetic
    with pytest.raises(DataError, match="not available as demo data"):
        load("putcall")


def test_series_validation_rules(tmp_path):
    folder = tmp_path / "snap"
    (folder / "sentiment").mkdir(parents=True)
    (folder / "sentiment" / "margin_debt.csv").write_text(
        "date,year_month,debit_balances_margin_accounts,free_credit_cash_accounts,free_credit_margin_accounts\n"
        "1997-01-31,1997-01,103337,68856,\n1997-02-28,1997-02,10x,67058,\n")
    with pytest.raises(DataError, match=r"margin_debt: unparsable number in column 'debit_balances_margin_accounts'.*line 3"):
        load("margin_debt", snapshot=folder)
    (folder / "sentiment" / "margin_debt.csv").write_text(
        "date,debit_balances_margin_accounts\n1997-01-31,103337\n")
    with pytest.raises(DataError, match=r"margin_debt: missing column\(s\) free_credit_cash_accounts"):
        load("margin_debt", snapshot=folder)


def test_import_csv_with_mapping(tmp_path):
    from smallcaps.data import import_csv, provenance

    src = tmp_path / "nfib.csv"
    src.write_text("\ufeffmonth,OPT_INDEX,Capex Plans\n2025-03-01,97.4,20\n2025-04-01,95.8,18\n")
    df = import_csv(src, "nfib", mapping={"OPT_INDEX": "optimism"})
    assert list(df.columns) == ["optimism", "capex_plans", "published"]
    assert df.index[-1] == pd.Timestamp("2025-04-30")
    assert df["published"].iloc[-1] == pd.Timestamp("2025-05-13")  # second Tuesday of May 2025
    back = load("nfib")
    assert provenance(back).origin == "cache" and back.loc["2025-04-30", "optimism"] == 95.8
    bad = tmp_path / "bad.csv"
    bad.write_text("month,optimism\n2025-03-01,97.4\n2025-03-01,95.8\n")
    with pytest.raises(DataError, match="duplicate date"):
        import_csv(bad, "nfib")
    assert load("nfib").loc["2025-04-30", "optimism"] == 95.8  # the bad import changed nothing
