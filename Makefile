# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-test
DEMO_STAMP := $(VENV)/.installed-demo

.PHONY: test quick demo bench install clean

# The virtual environment, with the package (editable) and the test tools.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# The demo needs the library, scikit-learn and matplotlib only: a first command stays quick.
$(DEMO_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[sklearn,plot]'
	@touch $(DEMO_STAMP)

# Every check: lint, static types (package, tests, typing cases), the docs site, all tests
# including slow ones.
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pyright -p pyrightconfig.json
	$(VENV)/bin/mkdocs build --strict --quiet --site-dir $(VENV)/site
	$(VENV)/bin/pytest -n 2 -q

# The edit loop: everything but the tests marked slow.
quick: $(STAMP)
	$(VENV)/bin/pytest -n 2 -q -m "not slow"

demo: $(DEMO_STAMP)
	$(PY) examples/demo.py

# Benchmarks against Hyperopt and Optuna (installs the bench extra).
bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
