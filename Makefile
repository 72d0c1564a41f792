# The two commands of the README: `make run` (development site with demo data) and `make test` (whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app market
PORT ?= 5000
WEB_CONCURRENCY ?= 2
BIND ?= 0.0.0.0:$(PORT)
PO_FILES := $(wildcard market/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test serve install install-test translations babel-extract babel-update clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
	@if [ -f package-lock.json ]; then npm ci --silent; elif [ -f package.json ]; then npm install --no-audit --no-fund --silent; fi

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(MO_FILES)

run: install translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@# The message outbox is sent alongside (without MAIL_SERVER the e-mails are printed here); stops with the server.
	$(FLASK) notifications deliver --watch --interval 5 & pid=$$!; trap 'kill $$pid' EXIT INT TERM; \
		$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-test translations
	$(BIN)/ruff check --quiet --select F,E9 market tests config.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Production: DATABASE_URL (PostgreSQL), SECRET_KEY and REDIS_URL come from the environment.
serve: install translations
	MARKET_ENV=production $(FLASK) db upgrade
	MARKET_ENV=production $(FLASK) geo load
	MARKET_ENV=production exec $(BIN)/gunicorn --workers $(WEB_CONCURRENCY) --bind $(BIND) \
		--access-logfile - --forwarded-allow-ips '*' 'market:create_app("production")'

babel-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o market/translations/messages.pot --no-location --sort-output .

babel-update: babel-extract
	$(BIN)/pybabel update -i market/translations/messages.pot -d market/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) $(MO_FILES)

# Benchmark (README "Benchmark"): PostgreSQL at 127.0.0.1:5432, Redis at 127.0.0.1:6379 and wrk are needed;
# e.g. make bench BENCH_ARGS="--quick --update-readme".
.PHONY: bench
bench: install translations
	@if ! command -v wrk >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "== installing wrk"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; fi
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)
