"""FRED graph CSV (``https://fred.stlouisfed.org/graph/fredgraph.csv?id=...``), no API key.

Two layouts are read:

- current: header ``observation_date,SERIES1,SERIES2``; missing cells empty;
- legacy: header ``DATE,SERIES1,...``; missing values written as ``.``.

FRED series are not catalog entries: :func:`fetch` returns a frame for any
series IDs (e.g. ``FEDFUNDS``, ``DGS10``, ``BAMLH0A0HYM2``) to combine with the
kit's data in a notebook. Values are as of the download (FRED shows the latest
vintage; for revision-free point-in-time work use ALFRED).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..errors import DataError
from ..provenance import Provenance, attach
from ..validation import check_index, parse_dates
from . import _http
from ._common import csv_frame, now_iso

SOURCE = "FRED, Federal Reserve Bank of St. Louis"
URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
_DATE_HEADERS = ("observation_date", "date")

__all__ = ["fetch", "fetch_catalog", "parse_fredgraph"]


def parse_fredgraph(content: bytes | str, *, url: str = "", series: str = "FRED") -> pd.DataFrame:
    """Parse a ``fredgraph.csv`` download (current or legacy layout).

    Returns
    -------
    DataFrame indexed by ``date`` (ascending, unique) with one float64 column per
    series ID, NaN where FRED has no value (empty cell or ``.``), and provenance.

    Raises
    ------
    DataError
        HTML page, no date column, truncated last line, unparsable numbers or
        dates, duplicate or unsorted dates.
    """
    raw, first_line = csv_frame(content, series)
    cols = {c.lower(): c for c in raw.columns}
    date_col = next((cols[h] for h in _DATE_HEADERS if h in cols), None)
    if date_col is None:
        raise DataError(series, "FRED CSV has no observation_date or DATE column",
                        hint=f"columns found: {', '.join(raw.columns)}")
    ids = [c for c in raw.columns if c != date_col]
    if not ids:
        raise DataError(series, "FRED CSV has no series columns")
    idx = parse_dates(raw[date_col], series, first_line)
    out = pd.DataFrame(index=idx)
    for col in ids:
        text = raw[col].where(raw[col] != ".", "")
        num = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = num.isna() & (text != "")
        if bad.any():
            pos = bad.to_numpy().nonzero()[0]
            raise DataError(series, f"unparsable number in column {col!r}",
                            [f"line {p + first_line} ({raw[col].iloc[p]!r})" for p in pos])
        out[col] = num.to_numpy(dtype="float64")
    check_index(out, series, first_line)
    prov = Provenance(name=",".join(ids), source=SOURCE, origin="download", location=url,
                      retrieved=now_iso(), units="see FRED series notes",
                      notes=("missing values ('.' or empty) are NaN",))
    return attach(out, prov)


def fetch(series_ids: str | Sequence[str], start: str | pd.Timestamp | None = None,
          end: str | pd.Timestamp | None = None, **http: Any) -> pd.DataFrame:
    """Download one or more FRED series as a frame (``http`` options go to :func:`_http.get`).

    Parameters
    ----------
    series_ids : "FEDFUNDS" or ["FEDFUNDS", "DGS10"] (also "FEDFUNDS,DGS10").
    start, end : optional ISO bounds (``cosd``/``coed``).
    """
    ids = [s.strip() for s in ([series_ids] if isinstance(series_ids, str) else series_ids)
           for s in s.split(",") if s.strip()]
    if not ids:
        raise DataError("FRED", "no series id given")
    params: dict[str, Any] = {"id": ",".join(ids)}
    if start is not None:
        params["cosd"] = pd.Timestamp(start).date().isoformat()
    if end is not None:
        params["coed"] = pd.Timestamp(end).date().isoformat()
    url = _http.build_url(URL, params)
    label = "FRED " + ",".join(ids)
    resp = _http.get(url, series=label, expect="csv", **http)
    return parse_fredgraph(resp.content, url=url, series=label)


def fetch_catalog(name: str, start: str | pd.Timestamp | None = None,
                  end: str | pd.Timestamp | None = None, **http: Any) -> pd.DataFrame:
    """A ``fred:ID`` catalog series (``fred:BAMLH0A0HYM2``, ``fred:T10Y2Y``, ``fred:NFCI``)
    in the catalog contract: ``value`` plus ``published`` (the series' release rule),
    holidays without a value dropped.
    """
    from ..catalog import spec as get_spec
    from ._common import finish_series

    sp = get_spec(name)
    if not sp.name.lower().startswith("fred:"):
        raise DataError(sp.name, "not a FRED catalog series")
    series_id = sp.name.split(":", 1)[1]
    df = fetch(series_id, start, end, **http)
    col = next((c for c in df.columns if c.upper() == series_id.upper()), None)
    if col is None:
        raise DataError(sp.name, f"the FRED download has no column {series_id}",
                        hint=f"columns found: {', '.join(df.columns)}")
    out = pd.DataFrame({"value": df[col]}).dropna()
    prov = df.attrs.get("provenance", {})
    return finish_series(out, sp, SOURCE, prov.get("location", URL),
                         ("rows without a value (holidays) dropped",))
