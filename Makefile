# Thinking in JAX. The two commands a newcomer needs:
#   make serve   set up, build and serve on http://127.0.0.1:8000 (rebuilds on change)
#   make test    set up and run every test (needs Chromium for the browser tests)
# Also: make build, make bench, make clean.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
NPM_STAMP := site_src/node_modules/.installed
BENCH_NPM_STAMP := bench/node_modules/.installed
PY_STAMP  := $(VENV)/.installed

.PHONY: setup build serve test bench clean prereqs prereqs-browser

setup: prereqs $(PY_STAMP) $(NPM_STAMP)

prereqs:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Missing prerequisite: Python 3.11 or newer ($(PYTHON) not found): install it, e.g. apt-get install python3 python3-venv." >&2; exit 1; }
	@$(PYTHON) -m sitebuild.prereqs

prereqs-browser:
	@$(PYTHON) -m sitebuild.prereqs --browser

$(PY_STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['test']))" > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements.txt -c requirements.lock
	@touch $@

$(NPM_STAMP): site_src/package.json site_src/package-lock.json
	cd site_src && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: setup
	$(PY) build_site.py build

serve: setup
	$(PY) build_site.py serve

test: setup prereqs-browser
	$(PY) -m pytest

# Benchmark-only npm tools (Lighthouse), kept out of site_src/: never part of the site.
$(BENCH_NPM_STAMP): bench/package.json bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Every benchmark on a fresh build; rewrites bench/RESULTS.md (BENCH_NOTE adds a line about the conditions).
bench: setup prereqs-browser $(BENCH_NPM_STAMP)
	$(PY) bench/run_all.py --note "$(BENCH_NOTE)"

clean:
	rm -rf site dist .cache
