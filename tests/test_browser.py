"""Reports and decks as an audience sees them: exported offline, opened in headless Chromium.

Screenshots are written under ``reports/browser/`` of the checkout for a person to look
at. Chromium missing (``.ci/run`` installs Debian's ``chromium``) skips the browser tests
with the reason; the export checks run everywhere.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from smallcaps.run import browser, export

SHOTS = Path(__file__).resolve().parents[1] / "reports" / "browser"

# a 4x4 PNG and a small SVG stand in for a figure
_PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000004000000040806000000a9f19e7e0000001149444154789c"
    "63f8cfc0f09f8181e1ff000014f803fd8b1fa7e60000000049454e44ae426082")).decode()
_SVG = ("<svg xmlns='http://www.w3.org/2000/svg' width='600' height='300'>"
        "<rect x='10' y='10' width='580' height='280' fill='#1f3b5c'/></svg>")


def _executed(tmp: Path, *, synthetic: bool = False, wide: bool = False) -> Path:
    """A small executed notebook: a title slide, a slide with text, a table and a figure."""
    import smallcaps as sc

    nb = nbformat.v4.new_notebook()
    title = nbformat.v4.new_markdown_cell("# Breakouts in a test\n\nWhat this deck shows.")
    title.metadata["slideshow"] = {"slide_type": "slide"}
    params = nbformat.v4.new_code_cell('symbol: str = "RUT"  # price series\nstart: str = ""')
    params.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell('symbol = "IWM"')
    injected.metadata["tags"] = ["injected-parameters"]
    second = nbformat.v4.new_markdown_cell("## Ranges and a figure\n\nThe ranges of the window.")
    second.metadata["slideshow"] = {"slide_type": "slide"}
    n_cols = 14 if wide else 4
    df = pd.DataFrame({f"column number {k}": [1234567.891 * (k + 1), -0.1234] for k in
                       range(n_cols)})
    df.attrs["provenance"] = {"name": "RUT", "source": "Yahoo Finance", "origin": "snapshot",
                              "location": str(tmp / "market" / "RUT.csv"), "first": "2020-01-02",
                              "last": "2020-01-03", "rows": 2, "synthetic": synthetic}
    tab = sc.tables.table(df, "A wide table", source=df)
    code = nbformat.v4.new_code_cell("display(table)")
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": tab._repr_html_(),
                                                     "text/plain": str(tab)}),
        nbformat.v4.new_output("display_data", data={"image/png": _PNG, "image/svg+xml": _SVG,
                                                     "text/plain": "<Figure>"}),
        nbformat.v4.new_output("stream", name="stdout",
                               text=f"read {tmp / 'market' / 'RUT.csv'}\n"
                                    + ("SYNTHETIC DEMO DATA: RUT\n" if synthetic else "")),
    ]
    notes = nbformat.v4.new_markdown_cell("Say: the band held for two years.")
    notes.metadata["slideshow"] = {"slide_type": "notes"}
    nb.cells = [title, params, injected, second, code, notes]
    path = tmp / "run.ipynb"
    nbformat.write(nb, path)
    return path


def _no_network_refs(page: str) -> list[str]:
    return re.findall(r"<(?:script|link)[^>]*(?:src|href)=[\"'](https?://[^\"']+)", page)


def test_exports_are_self_contained(tmp_path: Path) -> None:
    nb = _executed(tmp_path)
    html = export.export_html(nb).read_text(encoding="utf-8")
    deck = export.export_slides(nb).read_text(encoding="utf-8")
    for page in (html, deck):
        assert _no_network_refs(page) == []
        assert str(tmp_path) not in page  # no local path of the machine
        assert "<title>Breakouts in a test (symbol IWM)" in page
        assert "symbol=IWM" in page  # parameters under the title, injected value wins
        assert re.search(r"class=[\"']sc-synthetic-banner", page) is None
    assert "Reveal.initialize" in deck and "reveal.js 5." in deck  # inlined, not linked
    assert "data:image/png;base64," in html  # PNG in the report
    assert "data:image/svg+xml" in deck or "<svg" in deck  # SVG in the deck
    assert _PNG[:40] not in deck
    assert "<aside class=\"notes\">" in deck and "Say: the band held" in deck
    assert "snapshot" in html and "RUT.csv" in html


def test_synthetic_runs_carry_a_banner(tmp_path: Path) -> None:
    nb = _executed(tmp_path, synthetic=True)
    for page in (export.export_html(nb), export.export_slides(nb)):
        text = page.read_text(encoding="utf-8")
        assert "<title>SYNTHETIC DEMO DATA:" in text
        banner = re.search(r"class=[\"']sc-synthetic-banner", text)
        assert banner is not None
        assert banner.start() < text.find("Breakouts in a test<")


needs_browser = pytest.mark.skipif(browser.unavailable() is not None,
                                   reason=str(browser.unavailable()))


@needs_browser
def test_deck_and_report_in_chromium_offline(tmp_path: Path) -> None:
    nb = _executed(tmp_path, wide=True)
    deck = export.export_slides(nb)
    report = export.export_html(nb)
    d = browser.check_deck(deck, SHOTS, stem="synthetic-example.slides")
    assert d.reveal_ready, "reveal.js did not start offline"
    assert d.blocked_requests == []
    assert d.slides >= 2
    assert len(d.texts[1]) > 20 and "RANGES AND A FIGURE" in d.texts[1].upper()
    assert d.images[1] >= 1
    r = browser.check_report(report, SHOTS / "synthetic-example.report.png")
    assert r.title.startswith("Breakouts in a test")
    assert r.overflowing_tables == [] and r.scroll_width <= r.page_width
    assert r.blocked_requests == []
    assert r.screenshot.stat().st_size > 1000


NOTEBOOKS = ["00_data_tour", "01_breakout_ranges", "02_margin_debt_correlation",
             "03_relative_strength_regimes", "04_sentiment_positioning", "05_weekly_briefing",
             "06_breadth_participation", "07_fact_check", "08_universe_screen"]


@needs_browser
@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_deck_and_report_in_chromium(name: str, snapshot_dir: Path,
                                              tmp_path: Path) -> None:
    """Every notebook's deck shows content on slide 2 offline; every slide is screenshotted
    (so every chart gets one look); the report has its title and no table wider than the page;
    no export holds a local path."""
    from smallcaps import runner

    out = SHOTS.parent / "browser-runs"
    result = runner.run(name, {}, out, export=("html", "slides"))
    assert result.ok, result.error
    deck = out / f"{result.name}.slides.html"
    report = out / f"{result.name}.html"
    d = browser.check_deck(deck, SHOTS, stem=f"{name}.slides")
    assert d.reveal_ready and d.blocked_requests == []
    assert len(d.texts[1]) > 20, f"slide 2 of {name} shows no text"
    assert all(len(t) > 0 for t in d.texts), "a slide of the deck is blank"
    r = browser.check_report(report, SHOTS / f"{name}.report.png")
    assert r.title and r.title != "Notebook"
    assert r.overflowing_tables == [], r.overflowing_tables
    assert r.blocked_requests == [] and r.errors == []
    # the interactive twins (01 price, 03 ratio) are drawn offline
    assert all(h > 200 for h in r.interactive_heights), r.interactive_heights
    if name in ("01_breakout_ranges", "03_relative_strength_regimes"):
        assert len(r.interactive_heights) >= 1
    machine = [str(Path.home()), str(Path(__file__).resolve().parents[1]), str(snapshot_dir)]
    for f in (deck, report, out / "index.html"):
        text = f.read_text(encoding="utf-8")
        assert "Empty DataFrame" not in text
        # every table goes through sc.tables.table (raw pandas HTML has class "dataframe")
        assert 'class="dataframe' not in text, f"{f.name} shows a table not formatted by unit"
        leaked = [m for m in machine if m and m != "/" and m in text]
        assert leaked == [], f"{f.name} contains local paths {leaked}"
