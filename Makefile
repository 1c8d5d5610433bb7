# Connectoo LMS. `make run` serves the app; `make test` runs the whole test suite.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
DOMAIN  = lms
I18N    = lms/translations

.PHONY: run install test test-sqlite lint format i18n-extract i18n-update i18n-compile bench bench-scripts clean

run: install ## Install, create the instance, import the courses, seed a demo and serve
	$(BIN)/lms run

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

test: install ## Everything: lint, SQLite and PostgreSQL suites, browser tests
	bash scripts/test.sh

test-sqlite: install ## Only the SQLite run (quick, while developing)
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check lms tests scripts bench
	$(BIN)/ruff format --check lms tests scripts bench
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix lms tests scripts bench
	$(BIN)/ruff format lms tests scripts bench

i18n-extract: install ## Collect UI strings into lms/translations/lms.pot
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 \
		--no-location --sort-output --project=lms -o $(I18N)/$(DOMAIN).pot lms

i18n-update: i18n-extract ## Merge new strings into each language's .po file
	$(BIN)/pybabel -q update --no-fuzzy-matching -D $(DOMAIN) -i $(I18N)/$(DOMAIN).pot -d $(I18N)
	$(BIN)/python scripts/i18n_fill_en.py $(I18N)/en/LC_MESSAGES/$(DOMAIN).po

i18n-compile: install ## Compile .po into the .mo files the app reads
	$(BIN)/pybabel -q compile --statistics -D $(DOMAIN) -d $(I18N)

# make bench [QUICK=1] [LEARNERS="1000 10000 100000"] [SECONDS=10] [CONNECTIONS=4]
#            [CONDITIONS="quiet machine"] [PG=1 | LMS_BENCH_DATABASE_URL=...]   (bench/README.md)
bench: install ## Pages under load at scale beside two baselines; appends to bench/RESULTS.md
	BIN=$(BIN) bash scripts/bench.sh $(if $(QUICK),--quick) \
		$(if $(LEARNERS),--learners $(LEARNERS)) $(if $(SECONDS),--seconds $(SECONDS)) \
		$(if $(CONNECTIONS),--connections $(CONNECTIONS)) \
		$(if $(CONDITIONS),--conditions "$(CONDITIONS)")

bench-scripts: install ## The older focused benchmarks (scripts/bench_*.py), SQLite and PostgreSQL
	@bash scripts/with-postgres.sh sh -c 'for script in scripts/bench_*.py; do \
		echo "== $$script"; $(BIN)/python $$script || exit 1; done'

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
