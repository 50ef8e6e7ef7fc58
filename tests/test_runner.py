"""Runner: parameter checks before any kernel, batches, manifests, index page.

The notebooks run here are tiny ones written into ``tmp_path`` (not the themed
notebooks), so a kernel start plus a few cells is all each run costs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smallcaps import run as runner
from smallcaps.cli import main
from smallcaps.notebook_params import read
from smallcaps.params import ParameterError
from smallcaps.run import execute as run_execute

PARAMS = '''
symbol: str = "RUT"  # price series (a catalog name)
window: int = 5  # rolling window in days
start: str = "2024-01-02"  # first date (ISO)
end: str = ""  # last date (ISO); empty = latest
scale: float = 1.0  # multiplier
log: bool = False  # log axis
windows: list = [5, 10]  # several windows
'''

CHECK = '''
import smallcaps as sc
p = sc.params.check(
    symbol=(symbol, sc.params.symbol()),
    window=(window, sc.params.integer(min=2, max=250)),
    start=(start, sc.params.date()),
    end=(end, sc.params.date(optional=True)),
    scale=(scale, sc.params.number(min=0)),
    windows=(windows, sc.params.int_list(min=2)),
    order=[("start", "end")],
)
'''

BODY = '''
import matplotlib.pyplot as plt
df = sc.data.load(p["symbol"], start=p["start"])
if p["symbol"] == "IWM" and p["window"] == 7:
    raise RuntimeError("planted failure for IWM with window 7")
fig, ax = plt.subplots()
ax.plot(df.index, df["close"].rolling(p["window"]).mean() * scale)
print(sc.data.provenance(df).describe())
'''


def make_notebook(folder: Path, name: str = "tiny.ipynb") -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [
        new_markdown_cell("# Tiny report", metadata={"slideshow": {"slide_type": "slide"}}),
        new_code_cell(PARAMS.strip(), metadata={"tags": ["parameters"]}),
        new_code_cell(CHECK.strip()),
        new_markdown_cell("## The average", metadata={"slideshow": {"slide_type": "slide"}}),
        new_code_cell(BODY.strip()),
    ]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    path = folder / name
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return make_notebook(tmp_path)


@pytest.fixture
def no_kernel(monkeypatch: pytest.MonkeyPatch):
    """Make any attempt to execute a notebook fail the test."""

    def boom(*args, **kwargs):
        raise AssertionError("a kernel was started although the parameters are bad")

    monkeypatch.setattr(run_execute, "execute_job", boom)
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", boom)


# ------------------------------------------------------------------ parameters cell


def test_parameters_cell_is_read_with_types_defaults_help_and_validators(tiny):
    spec = read(tiny)
    assert spec.names() == ["symbol", "window", "start", "end", "scale", "log", "windows"]
    w = spec["window"]
    assert (w.type, w.default, w.help, w.validator) == ("int", 5, "rolling window in days", "integer")
    assert w.validator_args == {"min": 2, "max": 250}
    assert spec["start"].is_date and spec["end"].is_date and not spec["symbol"].is_date
    assert spec["end"].optional and not spec["start"].optional
    assert spec["windows"].base_type == "list" and spec["windows"].item_type == "int"
    assert spec.check_root == "sc" and "sc.params.check(" in spec.check_source


def test_parameters_cell_without_check_call_uses_names_and_defaults():
    from smallcaps.notebook_params import parse_source

    params = parse_source('as_of = ""  # date\nn = 3\nlabel: "str | None" = None\nx = f(1)')
    assert params["as_of"].is_date  # by name
    assert params["n"].type == "int" and params["n"].default == 3
    assert not params["x"].literal
    with pytest.raises(ValueError, match="not valid Python"):
        parse_source("x = = 1")


# ------------------------------------------------------------------ checks before any kernel


def test_unknown_name_names_the_close_match(tiny, no_kernel):
    with pytest.raises(ParameterError, match=r"did you mean 'window'") as err:
        runner.run(tiny, {"windw": "20"}, tiny.parent / "out")
    assert err.value.name == "windw"
    assert "windows" in str(err.value)  # the list of known parameters
    assert not (tiny.parent / "out").exists()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("window", "twenty", r"expected an integer, got 'twenty' \(default 5\)"),
        ("window", "2.5", "expected an integer"),
        ("window", True, "expected an integer"),
        ("scale", "abc", "expected a number"),
        ("scale", "nan", "not a finite number"),
        ("log", "maybe", "expected true or false"),
        ("symbol", 2000, "expected a series name"),
        ("windows", "5,x", "expected an integer"),
        ("start", "2024-02-30", "'2024-02-30' is not a date"),
        ("start", "31/01/2024", "not a date in ISO form.*write 2024-01-31"),
        ("start", "", "a date is required"),
        ("symbol", "../../etc/passwd", "looks like a path"),
        ("symbol", "RUT\nimport os", "control characters"),
        ("symbol", "x" * 500, "characters long"),
    ],
)
def test_bad_values_fail_before_a_kernel_starts(tiny, no_kernel, name, value, message):
    with pytest.raises(ParameterError, match=message) as err:
        runner.run(tiny, {name: value}, tiny.parent / "out")
    assert err.value.name == name


def test_the_notebooks_own_check_runs_before_the_kernel(tiny, no_kernel):
    # well-typed values the notebook's sc.params.check rejects
    with pytest.raises(ParameterError, match=r"'symbol'.*'NOPE' is not one of"):
        runner.prepare(tiny, {"symbol": "NOPE"})
    with pytest.raises(ParameterError, match=r"'window'.*below the minimum 2"):
        runner.prepare(tiny, {"window": "1"})
    with pytest.raises(ParameterError, match=r"'end'.*must be after start"):
        runner.prepare(tiny, {"start": "2024-05-01", "end": "2024-01-01"})


def test_values_are_converted_to_the_defaults_type(tiny):
    import datetime as dt

    got = runner.check_parameters(tiny, {"window": "20", "scale": "2", "log": "yes",
                                         "windows": "20,50", "start": dt.date(2020, 1, 2),
                                         "end": "2021-06-30", "symbol": "IWM"})
    assert got == {"window": 20, "scale": 2.0, "log": True, "windows": [20, 50],
                   "start": "2020-01-02", "end": "2021-06-30", "symbol": "IWM"}
    assert type(got["scale"]) is float and type(got["window"]) is int
    assert runner.check_parameters(tiny, {"windows": "[7, 9]", "scale": 3})["windows"] == [7, 9]
    # months and years are dates too, as sc.params.date reads them
    assert runner.check_parameters(tiny, {"start": "2020-03"}) == {"start": "2020-03"}
    with pytest.raises(ParameterError, match="is not a date"):
        runner.check_parameters(tiny, {"start": "2020-13"})


def test_yaml_is_read_safely(tmp_path, tiny, no_kernel):
    evil = tmp_path / "evil.yaml"
    marker = tmp_path / "pwned"
    evil.write_text(f'symbol: !!python/object/apply:os.system ["touch {marker}"]\n')
    with pytest.raises(ParameterError, match="not valid YAML"):
        runner.load_params_file(evil)
    assert not marker.exists()
    good = tmp_path / "p.yaml"
    good.write_text("window: 12\nstart: 2020-01-02\n")  # an unquoted date becomes a date
    params = runner.load_params_file(good)
    assert runner.check_parameters(tiny, params) == {"window": 12, "start": "2020-01-02"}
    listy = tmp_path / "l.yaml"
    listy.write_text("- 1\n- 2\n")
    with pytest.raises(ParameterError, match="must be a mapping"):
        runner.load_params_file(listy)


def test_run_names_are_sanitised(tmp_path):
    hostile = {"symbol": "../../../etc/passwd", "note": "a b/c\\d\x00e", "x": ".hidden"}
    name = runner.run_name("tiny.ipynb", hostile)
    assert "/" not in name and "\\" not in name and ".." not in name and "\x00" not in name
    assert not name.startswith(".")
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()
    # lossy sanitising keeps different runs apart
    assert runner.run_name("t.ipynb", {"s": "a/b"}) != runner.run_name("t.ipynb", {"s": "a-b"})
    assert runner.run_name("t.ipynb", {"symbol": "IWM", "window": 20}) == "t__symbol-IWM_window-20"
    assert runner.run_name("t.ipynb", {"w": [50, 200]}) == "t__w-50+200"
    assert len(runner.run_name("t.ipynb", {"s": "x" * 190})) <= 120


def test_cli_rejects_a_misspelt_parameter_at_once(tiny, no_kernel, capsys):
    code = main(["run", str(tiny), "-p", "windw", "20", "--out", str(tiny.parent / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "windw" in err and "did you mean 'window'" in err


def test_cli_lists_a_notebooks_parameters(tiny, capsys):
    assert main(["run", str(tiny), "--list-params"]) == 0
    out = capsys.readouterr().out
    assert "window: int = 5 [an integer in [2, 250]]  # rolling window in days" in out


def test_unknown_notebook_names_close_matches(capsys):
    with pytest.raises(FileNotFoundError, match="not found"):
        runner.resolve_notebook("no_such_notebook_at_all.ipynb")
    assert main(["run", "no_such_notebook_at_all.ipynb"]) == 2


def test_grid_is_the_product_and_is_checked_before_running(tiny, no_kernel, tmp_path):
    specs = runner.grid(tiny, {"symbol": ["RUT", "IWM"], "window": [5, "7"], "scale": 2})
    assert [s.parameters for s in specs] == [
        {"symbol": "RUT", "window": 5, "scale": 2.0}, {"symbol": "RUT", "window": 7, "scale": 2.0},
        {"symbol": "IWM", "window": 5, "scale": 2.0}, {"symbol": "IWM", "window": 7, "scale": 2.0}]
    assert len({s.name for s in specs}) == 4
    with pytest.raises(ParameterError, match="'window'"):
        runner.grid(tiny, {"symbol": ["RUT", "IWM"], "window": [5, "x"]})


# ------------------------------------------------------------------ execution


@pytest.mark.snapshot
@pytest.mark.notebook
def test_grid_2x2_in_parallel_with_one_planted_failure(tiny, tmp_path, capsys):
    grid = tmp_path / "grid.yaml"
    grid.write_text("symbol: [RUT, IWM]\nwindow: [5, 7]\n")
    out = tmp_path / "reports"
    code = main(["run", str(tiny), "--grid", str(grid), "--jobs", "2", "--out", str(out),
                 "--export", "html", "-p", "start", "2024-06-03"])
    assert code != 0
    printed = capsys.readouterr().out
    assert "3 ok, 1 failed" in printed

    manifests = {m["run"]: m for m in
                 (json.loads(p.read_text()) for p in out.glob("*.manifest.json"))}
    assert len(manifests) == 4
    failed = [m for m in manifests.values() if m["status"] == "failed"]
    assert [m["effective_parameters"]["symbol"] for m in failed] == ["IWM"]
    assert failed[0]["effective_parameters"]["window"] == 7
    assert failed[0]["error"]["ename"] == "RuntimeError"
    for name, m in manifests.items():
        # every run, failed or not, keeps its executed notebook and its HTML
        assert (out / f"{name}.ipynb").is_file() and (out / f"{name}.html").is_file()
        assert m["parameters"]["start"] == "2024-06-03"
        assert m["effective_parameters"]["end"] == ""
        if m["status"] == "ok":
            nb = json.loads((out / f"{name}.ipynb").read_text())
            pngs = [o for c in nb["cells"] for o in c.get("outputs", [])
                    if "image/png" in o.get("data", {})]
            assert len(pngs) == 1
    # the failure is visible in the failed run's executed notebook and HTML
    bad = failed[0]["run"]
    nb_text = (out / f"{bad}.ipynb").read_text()
    assert "planted failure for IWM with window 7" in nb_text
    assert "planted failure for IWM with window 7" in (out / f"{bad}.html").read_text()
    # the index links all four runs
    index = (out / "index.html").read_text()
    for name in manifests:
        assert f"href='{name}.html'" in index
    assert "4 run(s), 1 failed" in index


@pytest.mark.snapshot
@pytest.mark.notebook
def test_single_run_manifest_lists_the_data_it_loaded(tiny, tmp_path, snapshot_dir):
    out = tmp_path / "reports"
    r = runner.run(tiny, {"symbol": "IWM", "start": "2025-01-02"}, out, export=("html", "slides"))
    assert r.ok, r.error
    assert r.executed.is_file() and r.html.is_file()
    assert (out / f"{r.name}.slides.html").is_file()
    m = json.loads(r.manifest.read_text())
    assert m["notebook"].endswith("tiny.ipynb") and m["status"] == "ok"
    assert m["parameters"] == {"symbol": "IWM", "start": "2025-01-02"}
    assert m["effective_parameters"]["window"] == 5
    [data] = m["data"]
    assert data["name"] == "IWM" and data["origin"] == "snapshot"
    assert data["location"] == "snapshot:market/IWM.csv"  # no local folder in a manifest
    assert data["first"] == "2025-01-02" and data["synthetic"] is False
    assert m["synthetic"] is False
    assert m["versions"]["pandas"] and m["versions"]["papermill"]
    assert m["started"] <= m["finished"] and m["seconds"] > 0
    assert m["kernel"] == runner.kernel_name()
    assert "commit" in m["git"]
    assert set(m["outputs"]) == {"notebook", "html", "slides"}


@pytest.mark.notebook
def test_dask_scheduler_on_loopback(tiny, tmp_path, monkeypatch):
    from distributed import LocalCluster

    # synthetic data: this test needs no snapshot
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    monkeypatch.setenv("SMALLCAPS_DEMO", "1")
    specs = runner.grid(tiny, {"symbol": ["IWM"], "window": [5, 7]})
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                      host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        batch = runner.run_batch(specs, tmp_path / "out", scheduler=cluster.scheduler_address,
                                 export=(), progress=False)
    assert [r.status for r in batch] == ["ok", "failed"]
    assert not batch.ok and "planted failure" in batch.failed[0].error
    m = json.loads(batch.results[0].manifest.read_text())
    assert m["synthetic"] is True and m["data"][0]["synthetic"] is True
    assert m["environment"]["SMALLCAPS_DEMO"] == "1" and m["data"][0]["origin"] == "demo"


def test_a_pool_starts_the_longest_runs_first(tmp_path):
    from smallcaps.run import batch

    def job(name: str, seconds: object | None) -> dict:
        if seconds is not None:
            (tmp_path / f"{name}.manifest.json").write_text(json.dumps({"seconds": seconds}))
        return {"name": name, "out_dir": str(tmp_path)}

    jobs = [job("a", 5.0), job("b", None), job("c", 30.0), job("d", "broken"), job("e", 12)]
    (tmp_path / "f.manifest.json").write_text("{not json")
    jobs.append({"name": "f", "out_dir": str(tmp_path)})
    # unknown times first (file order), then by the last run's seconds, longest first
    assert [jobs[i]["name"] for i in batch.longest_first(jobs)] == ["b", "d", "f", "c", "e", "a"]
    # no earlier manifests: the larger notebooks first, else the order given
    fresh = [{"name": n, "out_dir": str(tmp_path / "none")} for n in "xyz"]
    assert batch.longest_first(fresh) == [0, 1, 2]
    for n, size in (("small", 10), ("large", 3000), ("middle", 500)):
        (tmp_path / f"{n}.ipynb").write_text("x" * size)
    sized = [{"name": n, "out_dir": str(tmp_path / "none"), "notebook": str(tmp_path / f"{n}.ipynb")}
             for n in ("small", "large", "middle", "gone")]
    assert [sized[i]["name"] for i in batch.longest_first(sized)] == [
        "large", "middle", "small", "gone"]


def test_runner_processes_skip_the_slow_iri_checker_and_plain_imports_do_not():
    import subprocess
    import sys

    probe = ("import sys; {setup}; import nbformat; "
             "m = sys.modules.get('rfc3987_syntax'); print('loaded' if m else 'skipped')")
    lean = subprocess.run([sys.executable, "-c", probe.format(
        setup="from smallcaps.run.execute import lean_imports; lean_imports()")],
        capture_output=True, text=True, timeout=120)
    plain = subprocess.run([sys.executable, "-c", probe.format(setup="import smallcaps.run")],
                           capture_output=True, text=True, timeout=120)
    assert lean.stdout.strip() == "skipped", lean.stderr
    # importing the kit changes nothing: only the runner's own processes opt in
    import importlib.util

    if importlib.util.find_spec("rfc3987_syntax") is None:
        pytest.skip("rfc3987_syntax is not installed here: nothing to skip")
    assert plain.stdout.strip() == "loaded", plain.stderr
