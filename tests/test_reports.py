"""Reports: HTML (code hidden / shown) and reveal.js slides with the figures embedded; index page.

One tiny notebook is executed once (on synthetic demo data, so no snapshot is
needed) and exported in every way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from smallcaps import run as runner
from smallcaps.cli import main
from smallcaps.run import export as reports
from smallcaps.run.index import write_index

pytestmark = pytest.mark.notebook

SOURCE_MARK = "rolling_mean_of_close"


def _notebook(folder: Path) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [
        new_markdown_cell("# Slide one title", metadata={"slideshow": {"slide_type": "slide"}}),
        new_code_cell('symbol: str = "IWM"  # series\nwindow: int = 5  # window',
                      metadata={"tags": ["parameters"], "slideshow": {"slide_type": "skip"}}),
        new_code_cell("import smallcaps as sc\n"
                      "p = sc.params.check(symbol=(symbol, sc.params.symbol()))",
                      metadata={"slideshow": {"slide_type": "skip"}}),
        new_markdown_cell("## Slide two title", metadata={"slideshow": {"slide_type": "slide"}}),
        new_code_cell("import matplotlib.pyplot as plt\n"
                      "df = sc.data.load(symbol)\n"
                      f"{SOURCE_MARK} = df['close'].rolling(window).mean()\n"
                      f"fig, ax = plt.subplots()\nax.plot({SOURCE_MARK})",
                      metadata={"slideshow": {"slide_type": "-"}}),
        new_markdown_cell("Speaker notes here", metadata={"slideshow": {"slide_type": "notes"}}),
        new_markdown_cell("## Slide three: removed cell below",
                          metadata={"slideshow": {"slide_type": "subslide"}}),
        new_code_cell("print('SHOULD_NOT_APPEAR')", metadata={"tags": ["remove-cell"]}),
    ]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    path = folder / "deck.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mp = pytest.MonkeyPatch()
    mp.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    mp.setenv("SMALLCAPS_DEMO", "1")
    mp.setenv("SMALLCAPS_CACHE", str(tmp_path_factory.mktemp("cache")))
    try:
        folder = tmp_path_factory.mktemp("deck")
        r = runner.run(_notebook(folder), {"window": 10}, folder / "reports", export=())
    finally:
        mp.undo()
    assert r.ok, r.error
    return r.executed


def _pngs(nb_path: Path) -> list[str]:
    nb = json.loads(nb_path.read_text())
    return [o["data"]["image/png"].replace("\n", "") for c in nb["cells"]
            for o in c.get("outputs", []) if "image/png" in o.get("data", {})]


def test_html_hides_code_and_embeds_the_figure(executed, tmp_path):
    [png] = _pngs(executed)
    hidden = reports.export_html(executed, hide_code=True, out=tmp_path / "a.html").read_text()
    shown = reports.export_html(executed, hide_code=False, out=tmp_path / "b.html").read_text()
    for page in (hidden, shown):
        assert f"data:image/png;base64,{png[:200]}" in page.replace("\n", "")
        assert "Slide two title" in page
        assert "SHOULD_NOT_APPEAR" not in page
    assert SOURCE_MARK not in hidden
    assert SOURCE_MARK in shown
    # one file: no local files referenced (stylesheets inlined)
    assert not re.search(r"<link[^>]+href=['\"](?!https?:)[^'\"]+\.css", hidden)


def test_slides_follow_cell_metadata_and_embed_the_figure(executed, tmp_path):
    [png] = _pngs(executed)
    page = reports.export_slides(executed, out=tmp_path / "s.html").read_text()
    assert f"data:image/png;base64,{png[:200]}" in page.replace("\n", "")
    # three slides (a subslide inside the second), notes as speaker notes, skipped cells gone
    assert "Slide one title" in page and "Slide three" in page
    assert '<aside class="notes">' in page and "Speaker notes here" in page
    assert "sc.params.check" not in page and SOURCE_MARK not in page
    assert "SHOULD_NOT_APPEAR" not in page
    assert page.count("<section") >= 4
    # reveal.js inlined from the installed package: nothing from a CDN
    assert "Reveal.initialize" in page and "unpkg.com" not in page
    assert not re.search(r"<script[^>]*src=[\"']https?://", page)


def test_slides_can_load_reveal_from_a_local_folder(executed, tmp_path):
    local = tmp_path / "reveal.js"
    (local / "dist").mkdir(parents=True)
    page = reports.export_slides(executed, out=tmp_path / "s.html", reveal_prefix=str(local)).read_text()
    assert "src='reveal.js/dist/reveal.js'" in page  # relative: the folder travels with the deck
    assert "unpkg.com" not in page


def test_injected_parameters_are_kept_off_slides_but_shown_for_review(executed, tmp_path):
    nb = json.loads(executed.read_text())
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected and "window = 10" in "".join(injected[0]["source"])
    review = reports.export_html(executed, hide_code=False, out=tmp_path / "r.html").read_text()
    assert "window</span> <span class=\"o\">=</span> <span class=\"mi\">10" in review
    assert "celltag_injected-parameters" in review
    slides = reports.export_slides(executed, hide_code=False, out=tmp_path / "s.html").read_text()
    assert SOURCE_MARK in slides  # code is shown on these slides...
    assert "celltag_injected-parameters" not in slides  # ...but not the parameters
    assert "celltag_parameters" not in slides


def test_report_command_on_a_run_writes_slides_and_refreshes_the_index(executed, capsys):
    folder = executed.parent
    manifest = executed.with_name(executed.stem + runner.MANIFEST_SUFFIX)
    assert manifest.is_file()
    code = main(["report", str(manifest), "--to", "slides"])
    assert code == 0
    written = Path(capsys.readouterr().out.strip())
    assert written == (folder / f"{executed.stem}.slides.html").resolve()
    index = (folder / "index.html").read_text()
    assert f"href='{executed.stem}.slides.html'>slides</a>" in index
    # by run name, with code, into a chosen file
    out = folder / "review.html"
    assert main(["report", executed.stem, "--out-dir", str(folder), "--code", "-o", str(out)]) == 0
    assert SOURCE_MARK in out.read_text()


def test_report_on_a_missing_target_is_a_clear_error(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nothing_here_at_all"), "--out-dir", str(tmp_path)]) == 2
    assert "not found" in capsys.readouterr().err


def test_index_lists_runs_newest_first_with_status_and_data(tmp_path):
    def manifest(name, started, status, data, error=None, synthetic=False):
        (tmp_path / f"{name}.manifest.json").write_text(json.dumps({
            "run": name, "notebook": f"notebooks/{name}.ipynb", "parameters": {"symbol": "IWM"},
            "status": status, "error": error, "started": started, "seconds": 2.5,
            "data": [{"name": d} for d in data], "synthetic": synthetic}))
        (tmp_path / f"{name}.html").write_text("<html></html>")

    manifest("old_run", "2025-01-01T10:00:00+00:00", "ok", ["RUT"])
    manifest("demo_run", "2024-12-01T10:00:00+00:00", "ok", ["RUT"], synthetic=True)
    manifest("new_run", "2025-02-01T10:00:00+00:00", "failed", ["IWM", "SPX"],
             {"ename": "ParameterError", "evalue": "parameter 'x': <bad>"}, synthetic=True)
    (tmp_path / "broken.manifest.json").write_text("{not json")
    page = write_index(tmp_path).read_text()
    assert page.index("new_run") < page.index("old_run")
    assert "3 run(s), 1 failed" in page
    assert "ok (synthetic demo data)" in page
    assert "ParameterError: parameter &#x27;x&#x27;: &lt;bad&gt;" in page  # escaped
    assert "IWM, SPX" in page and "SYNTHETIC DEMO DATA" in page
    assert "href='old_run.html'" in page


def test_report_of_a_failed_run_is_written_and_exits_non_zero(tmp_path, capsys, monkeypatch):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    monkeypatch.setenv("SMALLCAPS_DEMO", "1")
    nb = new_notebook(cells=[
        new_code_cell('window: int = 5  # window', metadata={"tags": ["parameters"]}),
        new_code_cell("raise RuntimeError('planted failure')"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    src = tmp_path / "broken.ipynb"
    nbformat.write(nb, str(src))
    code = main(["report", str(src), "--out-dir", str(tmp_path / "reports")])
    captured = capsys.readouterr()
    assert code == 1
    assert "planted failure" in captured.err
    written = Path(captured.out.strip().splitlines()[-1])
    assert written.is_file() and "planted failure" in written.read_text()
