# Two commands do all set-up on a fresh machine:
#   make demo   -> creates .venv, installs everything, runs the whole study on the embedded default
#   make test   -> creates .venv, installs everything, runs the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.morphtok-installed

BRIDGE_VENV ?= .venv-bridge
BRIDGE_PY := $(BRIDGE_VENV)/bin/python
BRIDGE_STAMP := $(BRIDGE_VENV)/.bridge-installed

.PHONY: demo test lint bench install bridge-env clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=24"
	# torch first, pinned: the local CPU wheel. An unpinned torch pulls a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The cluster path's config tests: Megatron-Bridge 0.3.0 + megatron-core 0.16.0 (those of the pinned
# nemo:26.02 container) in their own venv, with the same local CPU torch; morphtok without its deps.
$(BRIDGE_STAMP): tests/bridge/requirements.txt pyproject.toml
	python3 -m venv $(BRIDGE_VENV)
	$(BRIDGE_PY) -m pip install -q --upgrade "pip>=24"
	$(BRIDGE_PY) -m pip install -q torch==2.13.0
	$(BRIDGE_PY) -m pip install -q -r tests/bridge/requirements.txt
	$(BRIDGE_PY) -m pip install -q --no-deps megatron-bridge==0.3.0
	$(BRIDGE_PY) -m pip install -q --no-deps -e .
	touch $(BRIDGE_STAMP)

bridge-env: $(BRIDGE_STAMP)

demo: $(STAMP)
	$(VENV)/bin/morphtok arms compare
	$(VENV)/bin/morphtok study run --config demo --out runs/demo

test: $(STAMP) $(BRIDGE_STAMP)
	$(PY) -m pytest -q -p no:cacheprovider tests --ignore=tests/bridge
	$(BRIDGE_PY) -m pytest -q -p no:cacheprovider --confcutdir tests/bridge tests/bridge

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks scripts training

bench: $(STAMP)
	for b in benchmarks/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) $(BRIDGE_VENV) runs
