# The course's everyday commands: `make lab`, `make test`, `make bench`.
# Each creates .venv on first use and reinstalls when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Extras to install: `test` for the suite; CI adds `oracle` (PyTorch, SciPy) so that
# the comparisons with PyTorch run instead of skipping, `scale` and `postgres` the Dask and
# PostgreSQL grading tests: `make test EXTRAS=test,oracle,scale,postgres`.
EXTRAS ?= test
comma  := ,
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.PHONY: help install lab test test-fast bench release clean

help:
	@echo "make lab      open JupyterLab on course/ (creates .venv on first use)"
	@echo "make test     run every test (EXTRAS=test,oracle adds the PyTorch comparisons)"
	@echo "make test-fast  every test but the browser suite and the real-pipeline grading"
	@echo "make bench    time cnnkit against PyTorch, the capstone's training, and grading"
	@echo "make release  regenerate course/ from solutions/"

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	@touch $@

lab: install
	$(PY) tools/lab.py

test: install
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not browser and not slow"

bench:
	@$(MAKE) --no-print-directory install EXTRAS=test,oracle,scale
	@for script in benchmarks/bench_*.py; do \
		echo "== $$script"; $(PY) $$script || exit 1; \
	done

release: install
	$(PY) -m autograder release

clean:
	rm -rf $(VENV) artifacts .pytest_cache
