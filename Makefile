# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo bench lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

var:
	mkdir -p var/mail var/media var/celery/queue var/celery/processed var/celery/results

# On `make run`'s own database: the development settings (a deployment migrates with
# its own, see docker-compose.yml).
migrate: export DEBUG ?= true
migrate: install var
	$(BIN)/python manage.py migrate --no-input

# Demo data and sign-ins with a published password: never on a deployment (DEBUG only).
demo: migrate
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py seed_demo_cases
	DEBUG=true $(BIN)/python manage.py demo_sign_in

# Web app, Celery worker and beat scheduler together; Ctrl-C stops all three.
# `make run PORT=8001` serves another port (links in e-mails follow it).
PORT ?= 8000
run: export DEBUG ?= true
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: demo
	@echo ""
	@echo "PES cases on http://127.0.0.1:$(PORT)  (Ctrl-C stops the web app, worker and scheduler)"
	$(BIN)/honcho start -f Procfile.dev --port $(PORT)

test: install var
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install var
	$(BIN)/python -m benchmarks

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf var/celery var/mail var/test-media
