# Ordo: `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
ORDO   := $(BIN)/ordo
ORDO_PRESET ?= shop
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: system install messages messages-update run test lint typecheck pytest test-postgres test-browser bench bench-postgres clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv>=0.5,<1"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

install: $(VENV)/.synced

## Debian packages for PDFs (Pango, DejaVu fonts) and for reading them back in tests (pdftotext).
system:
	bash scripts/system-packages.sh

## Compile the translations (src/ordo/locale/*/LC_MESSAGES/django.po → .mo) with gettext's msgfmt.
messages: install
	cd src/ordo && ../../$(BIN)/django-admin compilemessages --settings=ordo.settings --pythonpath=.. >/dev/null

## Collect new strings into the .po files after changing pages (then translate them). Locations name
## the file only, so moving code does not rewrite every entry.
messages-update: install
	cd src/ordo && for lang in ru pl fi; do ../../$(BIN)/django-admin makemessages -l $$lang --settings=ordo.settings --pythonpath=.. -i "migrations/*" --no-obsolete --add-location file; done

## Install, migrate the SQLite database under ./var/, load the demo preset, serve on :8000.
run: system install messages
	$(ORDO) migrate
	$(ORDO) demo --preset $(ORDO_PRESET)
	$(ORDO) serve --host 127.0.0.1 --port 8000

## Lint, type-check, check the layer contract, run every test (SQLite).
test: system install messages lint typecheck pytest

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/pytest -p no:cacheprovider --ignore=tests/browser

## The browser tests: Playwright driving Debian's Chromium (installed here) against a live server.
test-browser: install messages
	bash scripts/system-packages.sh browser
	$(BIN)/pytest -p no:cacheprovider tests/browser

## The whole suite again on a real PostgreSQL server started for the run (needs root or the postgres user).
test-postgres: system install messages
	bash scripts/with-postgres.sh $(BIN)/pytest -p no:cacheprovider --ignore=tests/browser

## Throughput and latency figures on SQLite, services and HTTP (see bench/README.md).
bench: install
	$(BIN)/python -m bench

## The service benchmarks on a throw-away PostgreSQL server.
bench-postgres: install
	bash scripts/with-postgres.sh sh -c '$(BIN)/python -m bench --skip-http --database-url "$$ORDO_DATABASE_URL"'

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
