# The two commands that matter: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SANDBOX_PORT ?= 8765
SANDBOX := http://127.0.0.1:$(SANDBOX_PORT)
# The demo talks to the built-in sandbox instead of the real Zoom and HubSpot, and the sandbox
# sends its signed webhooks to the demo's web server (PUBLIC_BASE_URL).
DEMO_ENV := ZOOM_OAUTH_BASE_URL=$(SANDBOX)/zoom ZOOM_API_BASE_URL=$(SANDBOX)/zoom/v2 \
	HUBSPOT_API_BASE_URL=$(SANDBOX)/hubspot SANDBOX_PORT=$(SANDBOX_PORT) \
	PUBLIC_BASE_URL=http://127.0.0.1:8000 \
	DJANGO_SETTINGS_MODULE=config.settings.local

.PHONY: install demo test test-postgres lint format mutation clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/.installed

demo: install
	mkdir -p var
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py demo_setup
	$(DEMO_ENV) $(BIN)/honcho -e var/demo.env -f Procfile.dev start

test: install
	mkdir -p var
	$(BIN)/pytest

# The suite on PostgreSQL: pytest-django creates (and drops) test_<name> beside POSTGRES_URL's
# database. `make test-postgres ARGS=tests/webinars` runs part of it.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/zoomsync
test-postgres: install
	mkdir -p var
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest --create-db $(ARGS)

# Mutation testing of the modules that decide what reaches HubSpot (pyproject.toml
# [tool.mutmut]); the last line printed is one JSON object with the score.
mutation: install
	mkdir -p var
	$(BIN)/python benchmarks/mutation.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache mutants
