# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-test
DEMO_STAMP := $(VENV)/.installed-demo

.PHONY: test quick demo bench install clean browser

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

# The browser the dashboard's tests drive (tests/dashboard/): Debian's chromium and its driver,
# installed with apt-get when missing (as root, as CI runs; otherwise it says what to run).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else \
	    echo "the dashboard tests need Chromium: sudo apt-get install chromium chromium-driver" >&2; exit 1; \
	  fi; \
	fi

# Every check: lint, static types (package, tests, typing cases), the docs site, all tests
# including slow ones.
test: $(STAMP) browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pyright -p pyrightconfig.json
	$(VENV)/bin/mkdocs build --strict --quiet --site-dir $(VENV)/site
	$(VENV)/bin/pytest -n 2 -q

# The edit loop: everything but the tests marked slow.
quick: $(STAMP) browser
	$(VENV)/bin/pytest -n 2 -q -m "not slow"

demo: $(DEMO_STAMP)
	$(PY) examples/demo.py

# Benchmarks against Hyperopt and Optuna (installs the bench extra).
bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
