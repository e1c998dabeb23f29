# Two commands do all set-up on a fresh machine:
#   make demo   -> creates .venv, installs everything, runs the whole study on the embedded default
#   make test   -> creates .venv, installs everything, runs the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.morphtok-installed

.PHONY: demo test lint bench install clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=24"
	# torch first, pinned: the local CPU wheel. An unpinned torch pulls a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/morphtok arms compare
	$(VENV)/bin/morphtok study run --config demo --out runs/demo

test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider tests

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks scripts training

bench: $(STAMP)
	for b in benchmarks/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) runs
