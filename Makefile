# Every target sets up .venv itself: a fresh clone needs only python3 (>= 3.11) and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
REPORTS ?= reports
# test workers (pytest-xdist): the suite is independent tests, one process per core;
# work stealing keeps both busy to the end (the sweep and the wheel test are long)
JOBS ?= 2
# Use the shared snapshot beside the checkout when there is one (CI has it); otherwise
# the kit reads its cache, and falls back to synthetic demo data, labelled as such.
SMALLCAPS_SNAPSHOT ?= $(wildcard $(abspath ../shared/data))
export SMALLCAPS_SNAPSHOT
# A checkout keeps its cache beside the code (the library's default is the platform's
# user cache folder, for installed copies).
SMALLCAPS_CACHE ?= $(abspath data/cache)
export SMALLCAPS_CACHE

# The kit's own modules byte-compiled before a run: an editable install is never compiled
# by pip, and with PYTHONDONTWRITEBYTECODE set (as on CI) every kernel would compile the
# library again (about 0.3 s each); compileall redoes only changed files
BYTECODE := $(PY) -m compileall -q lib

.PHONY: setup run test test-quick lint typecheck lab bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	# a kernelspec that points at this venv, so papermill never runs another Python
	$(PY) -m ipykernel install --sys-prefix --name smallcaps --display-name "Python (smallcaps)" >/dev/null
	touch $(STAMP)

run: $(STAMP)
	@# without a snapshot, refresh the cache from the public sources (skips fresh series;
	@# offline it says so and the runner falls back to labelled demo data)
	@if [ -z "$(SMALLCAPS_SNAPSHOT)" ]; then $(PY) -m smallcaps data pull || echo "smallcaps: data pull incomplete; using what is cached"; fi
	@$(BYTECODE)
	$(PY) -m smallcaps run --all --out $(REPORTS)

test: $(STAMP)
	$(PY) -m ruff check lib tests benchmarks notebooks
	$(PY) -m mypy
	@$(BYTECODE)
	$(PY) -m pytest -n $(JOBS) --dist worksteal

# the tests that execute no notebook (no kernel, no sweep): about a minute
test-quick: $(STAMP)
	$(PY) -m ruff check lib tests benchmarks notebooks
	$(PY) -m pytest -n $(JOBS) --dist worksteal -m "not notebook"

lint: $(STAMP)
	$(PY) -m ruff check lib tests benchmarks notebooks

typecheck: $(STAMP)
	$(PY) -m mypy

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP)
	@$(BYTECODE)
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) $(REPORTS) .pytest_cache
