# Zapis k vrachu - the commands a newcomer can guess. `make run` and `make test` do all set-up themselves.
SHELL := /bin/bash
PY := .venv/bin/python
PYTEST := .venv/bin/pytest
STAMP := .venv/.installed

.PHONY: install run reset test unit handler integration browser lint typecheck openapi check-openapi error-catalogue \
	check-error-catalogue fuzz invoke logs docs docs-build build deploy publish-web clean

$(STAMP): requirements-dev.txt shared/requirements.txt
	@command -v python3 >/dev/null || { echo "make: python3 (3.11+) is needed"; exit 1; }
	@test -x $(PY) || { echo "make: creating .venv"; python3 -m venv .venv; }
	@echo "make: installing Python packages from requirements-dev.txt into .venv (first run: about a minute)"
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q --progress-bar on -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

## run: the local stack with demo data on http://127.0.0.1:$(PORT) (PORT=3000, DYNAMODB_PORT=8000); the
## table is kept between runs (.cache/dynamodb-local/tables/), bookings survive Ctrl-C
run: install ddb-local-install
	@exec $(PY) -m infra.local.server

## reset: forget the kept local table; the next `make run` loads a clean demo
reset: install
	@$(PY) -m infra.local.table reset

## test: lint, types, template checks, the docs site (mkdocs --strict: a broken link fails), unit + handler +
## integration tests, OpenAPI and error-catalogue freshness, browser tests, fuzz, sam build
test: install ddb-local-install web-tests/node_modules lint typecheck lint-template check-openapi check-error-catalogue \
	docs-build
	$(PYTEST) -q -n 2 --dist loadfile --ignore=tests/browser tests
	$(PYTEST) -q tests/browser
	$(MAKE) fuzz
	$(MAKE) sam-build

unit: install
	$(PYTEST) -q tests/unit

handler: install
	$(PYTEST) -q tests/handler

integration: install ddb-local-install
	$(PYTEST) -q tests/integration

browser: install web-tests/node_modules
	$(PYTEST) -q tests/browser

# axe-core for the browser tests' accessibility checks, eslint for `make lint`
web-tests/node_modules: web-tests/package-lock.json
	npm ci --prefix web-tests --no-audit --no-fund
	@touch $@

## lint: ruff for the Python, with the complexity gate (no function over 6 parameters nor a block over cyclomatic
## complexity 10 without a `# noqa` that says why; xenon, radon's stricter count, at the cookbook's level B), the
## architecture (import-linter's layers, no circle, no unexplained import inside a function), eslint for web/
lint: install web-tests/node_modules
	.venv/bin/ruff check shared functions infra tests bench
	.venv/bin/xenon --max-absolute B shared functions infra
	PYTHONPATH=. .venv/bin/lint-imports --no-cache
	$(PYTEST) -q -p no:cacheprovider tests/unit/test_architecture.py
	web-tests/node_modules/.bin/eslint -c web-tests/eslint.config.js web

typecheck: install
	.venv/bin/mypy

## openapi: regenerate docs/openapi.json from the handlers' routes and models
openapi: install
	$(PY) -m infra.openapi --write

check-openapi: install
	$(PY) -m infra.openapi --check

## error-catalogue: regenerate web/errors.js (the page's texts for the API's error codes) from shared/platform/errors.py
error-catalogue: install
	$(PY) -m infra.error_catalogue --write

check-error-catalogue: install
	$(PY) -m infra.error_catalogue --check

## fuzz: schemathesis against a local stack it starts on free ports (5xx, undocumented statuses and bodies off
## the schema fail); FUZZ_EXAMPLES=25 examples per operation, FUZZ_SEED for another random seed
fuzz: install ddb-local-install
	$(PY) -m infra.fuzz

## invoke: run one function with a sample event against the running local stack (`make run`, whichever ports it
## took: it finds them in .cache/local/stack.json); the function's log on stderr, its answer on stdout
invoke: install
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=lookup EVENT=events/lookup/districts.json"; exit 2; }
	@$(PY) -m infra.invoke $(FN) $(EVENT)

## logs: follow the local functions' log records and metrics (`make run`'s .cache/local/logs/); FN=booking for one
## function, LEVEL=WARNING for that level and above, FOLLOW=0 to print what is there and stop
logs: install
	@$(PY) -m infra.local.logs $(if $(FN),--function $(FN)) $(if $(LEVEL),--level $(LEVEL)) \
		$(if $(filter 0,$(FOLLOW)),--no-follow)

## docs: the documentation site (mkdocs-material, docs/ and mkdocs.yml) on http://127.0.0.1:$(DOCS_PORT)
# (NO_MKDOCS_2_WARNING: mkdocs-material 9 prints a banner about its own end of life on every build otherwise)
DOCS_PORT ?= 8008
docs: install
	NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs serve --dev-addr 127.0.0.1:$(DOCS_PORT)

## docs-build: build the site into .build/site with --strict (a broken link or a missing page fails)
docs-build: install
	NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet --site-dir .build/site

build: sam-build

deploy: sam-build
	.venv-sam/bin/sam deploy --guided

## publish-web: upload web/ and its config.json (patients' and staff's sign-in) to a deployed stack: STACK=<name>
publish-web: install
	@test -n "$(STACK)" || { echo "make publish-web: STACK=<the deployed stack's name>"; exit 1; }
	.venv/bin/python -m infra.publish_web --stack $(STACK)

clean:
	rm -rf .aws-sam .build .pytest_cache .mypy_cache .ruff_cache

include infra/tooling.mk
-include infra/notifier.mk
-include infra/bench.mk
