"""The kit's one table style: units, index, caption, source line, empty tables."""

from __future__ import annotations

import pandas as pd
import pytest

import smallcaps as sc
from smallcaps.tables import format_value


@pytest.mark.parametrize(("value", "unit", "text"), [
    (-0.1, "pct", "-10.0%"), (-0.1, "pct0", "-10%"), (0.01234, "pct2", "1.23%"),
    (890900.0, "contracts", "890,900"), (-84570.0, "int", "-84,570"),
    (2182.2449, "price", "2,182.24"), (2182.13, "price:0.25", "2,182.25"),
    (pd.Timestamp("2025-05-23 00:00"), "date", "2025-05-23"), (0.0004, "pvalue", "<0.001"),
    (-1_234_567.0, "money", "-$1,234,567"), (float("nan"), "pct", ""), (12.5, "points", "12.5 pp"),
])
def test_format_value_by_unit(value, unit, text):
    assert format_value(value, unit) == text


def test_unknown_unit_and_column_are_named():
    with pytest.raises(ValueError, match="unit 'percent'"):
        format_value(1, "percent")
    df = pd.DataFrame({"a": [1.0]})
    with pytest.raises(ValueError, match=r"\['b'\]"):
        sc.tables.table(df, "t", units={"b": "pct"})


def test_table_hides_positional_index_and_keeps_dates_as_a_column():
    df = pd.DataFrame({"depth": [-0.1, -0.25], "bars": [16.0, 40.0]})
    t = sc.tables.table(df, "Pullbacks", units={"depth": "pct"}, source="snapshot:market/RUT.csv")
    html = t._repr_html_()
    assert "Pullbacks" in html and "-10.0%" in html and "-25.0%" in html
    assert "source: snapshot:market/RUT.csv" in html
    assert ">0<" not in html and ">1<" not in html  # no raw 0, 1 index
    dated = pd.DataFrame({"close": [1.5]}, index=pd.DatetimeIndex(["2025-01-02"], name="date"))
    text = str(sc.tables.table(dated, "Closes"))
    assert "2025-01-02" in text and "00:00" not in text


def test_empty_table_is_a_sentence_and_wide_tables_name_the_hidden_columns():
    t = sc.tables.table(pd.DataFrame({"a": []}), "Ranges", empty="no range in the window")
    assert "no range in the window" in t._repr_html_()
    assert "Empty DataFrame" not in t._repr_html_() + str(t)
    wide = pd.DataFrame({f"c{k}": [k] for k in range(12)})
    w = sc.tables.table(wide, "Wide", max_columns=5)
    assert list(w.frame.columns) == ["c0", "c1", "c2", "c3", "c4"]
    assert "7 more column(s) not shown: c5, c6" in w._repr_html_()


def test_source_line_never_prints_a_local_path(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_SNAPSHOT", str(tmp_path))
    df = pd.DataFrame({"close": [1.0]}, index=pd.DatetimeIndex(["2025-01-02"], name="date"))
    df.attrs["provenance"] = {"name": "RUT", "source": "Yahoo Finance", "origin": "snapshot",
                              "location": str(tmp_path / "market" / "RUT.csv"),
                              "first": "2025-01-02", "last": "2025-01-02", "rows": 1,
                              "synthetic": True}
    t = sc.tables.table(df, "Closes")
    html = t._repr_html_()
    assert str(tmp_path) not in html
    assert "snapshot:market/RUT.csv" in html
    assert "SYNTHETIC DEMO DATA" in html  # synthetic sources are flagged on the caption


def test_headers_break_between_words_only():
    # "overflow-wrap: anywhere" lets a browser shrink a column below its header's longest
    # word ("regim" / "e" on a slide); headers may only break at spaces, or when one word
    # is wider than the whole table
    import re

    from smallcaps.tables import _CSS

    head = re.search(r"\.sc-table thead th \{([^}]*)\}", _CSS)
    assert head is not None
    assert "overflow-wrap: break-word" in head.group(1) and "anywhere" not in head.group(1)
