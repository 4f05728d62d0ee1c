# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates/updates its own virtual environment and installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The optional C kernels are built by the editable install: a changed source rebuilds them.
NATIVE_SRC := $(wildcard host/hiplevel/_native/*.c host/hiplevel/_native/*.h)
# An editable install does not byte-compile the package (a wheel install does), and with
# PYTHONDONTWRITEBYTECODE set nothing ever writes the .pyc files: every command would compile its
# modules again (about 0.07 s of CPU for `hiplevel analyze`). compileall skips up-to-date files.
BYTECODE = $(BIN)/python -m compileall -q host/hiplevel bench

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.base: pyproject.toml setup.py $(NATIVE_SRC) | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BYTECODE)
	touch $@

$(VENV)/.test: pyproject.toml setup.py $(NATIVE_SRC) | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BYTECODE)
	touch $@

$(VENV)/.bench: pyproject.toml setup.py $(NATIVE_SRC) | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	$(BYTECODE)
	touch $@

demo: $(VENV)/.base
	$(BIN)/hiplevel demo

test: $(VENV)/.test
	bash tools/ensure-test-tools
	$(BIN)/python -m pytest -q

bench: $(VENV)/.bench
	$(BYTECODE)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info host/*.egg-info
