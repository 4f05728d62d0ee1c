# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates/updates its own virtual environment and installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The optional C kernels are built by the editable install: a changed source rebuilds them.
NATIVE_SRC := $(wildcard host/hiplevel/_native/*.c)

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.base: pyproject.toml setup.py $(NATIVE_SRC) | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test: pyproject.toml setup.py $(NATIVE_SRC) | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

$(VENV)/.bench: pyproject.toml setup.py $(NATIVE_SRC) | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $@

demo: $(VENV)/.base
	$(BIN)/hiplevel demo

test: $(VENV)/.test
	bash tools/ensure-test-tools
	$(BIN)/python -m pytest -q

bench: $(VENV)/.bench
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info host/*.egg-info
