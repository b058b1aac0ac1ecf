# Two entry points: `make run` and `make test`. Each sets itself up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint migrate screenshots bench bench-postgresql clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Panong needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

# `panong run` migrates the database it serves itself; the sandbox leaves the real one alone.
run: $(STAMP)
	$(BIN)/panong run

migrate: $(STAMP)
	$(BIN)/panong migrate

lint: $(STAMP)
	$(BIN)/ruff check .

# Installs Debian's PostgreSQL server when missing; when that fails, the tests that need it
# error with the reason (PANONG_TEST_POSTGRES=skip skips them instead, and says so).
test: $(STAMP)
	$(BIN)/ruff check .
	@scripts/ensure-postgres || echo "PostgreSQL could not be installed: its tests will error"
	$(BIN)/python -m pytest

# The README's pictures of the web chat and of a LINE phone, taken by the browser test
# (needs Debian's chromium, and fonts-thai-tlwg to read the Thai).
screenshots: $(STAMP)
	PANONG_SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest tests/sandbox/test_browser.py

# Speed and memory figures, printed (never timed tests): see bench/. Reminders, summaries,
# imports and duplicates run on SQLite and on a throwaway PostgreSQL cluster of their own,
# side by side (Debian's postgresql-15; BENCH_BACKEND=sqlite leaves PostgreSQL out).
# `make bench-postgresql` runs those four alone.
BENCH_BACKEND ?= both
BENCH_ON_BOTH = reminders summaries imports duplicates

bench-postgresql: $(STAMP)
	for name in $(BENCH_ON_BOTH); do \
		$(BIN)/python -m bench.$$name --backend $(BENCH_BACKEND) || exit 1; done

bench: $(STAMP)
	$(BIN)/python -m bench.reminders --backend $(BENCH_BACKEND)
	$(BIN)/python -m bench.summaries --backend $(BENCH_BACKEND)
	$(BIN)/python -m bench.imports --backend $(BENCH_BACKEND)
	$(BIN)/python -m bench.chat_load
	$(BIN)/python -m bench.chat_load_workers
	$(BIN)/python -m bench.line_load
	$(BIN)/python -m bench.durability
	$(BIN)/python -m bench.cold_start
	$(BIN)/python -m bench.outbox
	$(BIN)/python -m bench.claims
	$(BIN)/python -m bench.line_webhook
	$(BIN)/python -m bench.duplicates --backend $(BENCH_BACKEND)
	$(BIN)/python -m bench.copy_db

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
