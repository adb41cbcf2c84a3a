# ai_model_registry.infra — every set-up step lives here; a fresh clone needs only `make test` or `make demo`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
CHECKOV_VENV := $(CURDIR)/.venv-checkov
DOCS_VENV := $(CURDIR)/.venv-docs
# AWS CLI v1, only for make bench's comparison (own venv: it pins docutils<=0.19, the main venv has 0.23).
AWSCLI_VENV := $(CURDIR)/.venv-awscli
BIN := $(VENV)/bin
COLLECTIONS := $(CURDIR)/.build
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/ai_model_registry/infra
# The platform's templates, and the IAM roles a team creates to run the collection (docs/iam).
TEMPLATES := $(wildcard roles/*/files/*.yaml) docs/iam/roles.yaml
# Three workers on two cores: the end-to-end tests wait on the emulators much of the time (four were slower);
# worksteal: an idle worker takes queued tests from a busy one (load hands out fixed chunks up front).
PYTEST_WORKERS ?= 3

export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PYTHONPATH := $(CURDIR)

.PHONY: test-aws ee ee-check fidelity docs-lint drill postgresql redis chromium shellcheck role-docs bench lambda-code help setup emulator emulator-stop demo test lint ruff ansible-lint cfn-lint checkov sanity pytest molecule constraints clean

help:  ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints-dev.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt constraints-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet -r requirements-checkov.txt -c constraints-checkov.txt
	touch $@

$(DOCS_VENV)/.installed: requirements-docs.txt constraints-docs.txt
	$(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/pip install --quiet --upgrade pip
	$(DOCS_VENV)/bin/pip install --quiet -r requirements-docs.txt -c constraints-docs.txt
	touch $@

$(AWSCLI_VENV)/.installed: requirements-awscli.txt constraints-awscli.txt
	$(PYTHON) -m venv $(AWSCLI_VENV)
	$(AWSCLI_VENV)/bin/pip install --quiet --upgrade pip
	$(AWSCLI_VENV)/bin/pip install --quiet -r requirements-awscli.txt -c constraints-awscli.txt
	touch $@

# The checkout as an installed collection; amazon.aws and kubernetes.core come from the `ansible` package.
$(COLLECTION_LINK): $(VENV)/.installed
	mkdir -p $(dir $@)
	ln -sfn ../../.. $@

# Installs Debian packages (through sudo when not run as root) in a recipe's shell line; sets SUDO for what follows.
APT_INSTALL = SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

# Debian's PostgreSQL server binaries: the emulator runs real databases behind Aurora endpoints.
POSTGRES_BIN := $(firstword $(wildcard /usr/lib/postgresql/*/bin/postgres))
postgresql:
	@if [ -z "$(POSTGRES_BIN)" ]; then \
	  echo "Installing Debian's postgresql (server binaries for the emulator's databases)"; \
	  $(APT_INSTALL) postgresql >/dev/null; \
	  $$SUDO service postgresql stop >/dev/null 2>&1 || true; \
	fi

# Debian's Redis server: the emulator runs real caches behind ElastiCache endpoints (setting caches: redis).
redis:
	@if ! command -v redis-server >/dev/null; then \
	  echo "Installing Debian's redis-server (the emulator's caches)"; \
	  $(APT_INSTALL) redis-server >/dev/null; \
	  $$SUDO service redis-server stop >/dev/null 2>&1 || true; \
	fi

# Debian's chromium: the drill report page's browser test renders it headless and reads the screenshot.
chromium:
	@if ! command -v chromium >/dev/null; then \
	  echo "Installing Debian's chromium (the drill report's browser test)"; \
	  $(APT_INSTALL) chromium >/dev/null; \
	fi

# Debian's shellcheck: ansible-test sanity's shellcheck test skips the collection's scripts (ee/*.sh) without it.
shellcheck:
	@if ! command -v shellcheck >/dev/null; then \
	  echo "Installing Debian's shellcheck (ansible-test sanity's check of the shell scripts)"; \
	  $(APT_INSTALL) shellcheck >/dev/null; \
	fi

# ansible-test sanity installs its pinned linters into venvs of its own (in ~/.ansible/test/venv, shared by every
# checkout of this machine): prepared with the rest of the toolchain, so `make test` runs the checks, not pip.
SANITY_PRIMED := $(HOME)/.ansible/test/venv/.primed-ai_model_registry
$(SANITY_PRIMED): $(VENV)/.installed $(COLLECTION_LINK)
	tests/sanity/run.sh --prime-venvs >/dev/null
	touch $@

setup: $(VENV)/.installed $(CHECKOV_VENV)/.installed $(DOCS_VENV)/.installed $(COLLECTION_LINK) $(SANITY_PRIMED) postgresql redis chromium shellcheck  ## Install the pinned toolchain

emulator: setup  ## Start (or reuse) the local AWS and Kubernetes emulators; writes .emulator/env
	$(BIN)/python -m emulator.launcher start

emulator-stop:  ## Stop exactly the emulator processes `make emulator` started
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m emulator.launcher stop; fi

demo: setup  ## Run the main job end to end on the local emulator
	$(BIN)/python tools/demo.py

DRILL ?= switchover
drill: setup  ## One DR drill on the local emulators with its report (DRILL=restore|switchover|full)
	$(BIN)/python tools/drill.py $(DRILL)

# The static checks run beside pytest, two at a time: pytest's end-to-end tests wait on the emulators much of the
# time, and the checks fill those gaps (one after the other they added about 6 minutes on a fresh clone).
# pytest is named first so it takes the first job slot (after lint, it waited for three checks: ~45 s).
test: setup  ## Every quality gate and every test
	$(MAKE) --no-print-directory -j3 --output-sync=target pytest lint
	@echo "make test: all gates passed"

lint: ruff ansible-lint cfn-lint checkov sanity docs-lint  ## Static checks only

# The end-to-end path (deploy, no-op re-run, switchover and fail back, restore drill, teardown, sweep) on a real
# account - it costs money: the estimate is printed first - or on a local emulator (AWS_TEST_TARGET=emulator, which
# make test also runs: tests/integration/test_aws_test_mode.py). Refused unless AWS_TEST_ACCOUNT is the account of the
# credentials. AWS_TEST_SETTINGS: the account's regions, VPCs, subnets and Kubernetes binding (e.g. your copy of
# inventories/staging/group_vars/staging.yml); AWS_TEST_ARGS: e.g. --plan-only, --sweep-only --prefix amr-test-<8 hex>.
AWS_TEST_TARGET ?= aws
AWS_TEST_SETTINGS ?=
AWS_TEST_ARGS ?=
test-aws: setup  ## The end-to-end path on a real account (AWS_TEST_ACCOUNT=<id> AWS_TEST_SETTINGS=<file>), or AWS_TEST_TARGET=emulator
	$(BIN)/python -m tools.aws_test $(if $(filter emulator,$(AWS_TEST_TARGET)),--emulator) \
	  $(if $(AWS_TEST_SETTINGS),--settings "$(AWS_TEST_SETTINGS)") $(AWS_TEST_ARGS)

ruff: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

ansible-lint: setup
	$(BIN)/ansible-lint --profile production

cfn-lint: setup
	$(BIN)/cfn-lint $(TEMPLATES)

checkov: setup
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation \
	  --config-file .checkov.yaml $(addprefix -f ,$(TEMPLATES))

sanity: setup
	tests/sanity/run.sh

# Module, plugin and role docs as the Ansible docsite renders them; references checked against this collection,
# ansible.builtin and the collections galaxy.yml depends on, other collections refused (against all 48 collections
# of the `ansible` package the check took 155 s instead of 16). The linter copies the dependencies with `git
# ls-files` when they are in a git work tree, which finds nothing in the ignored .venv: the ceiling keeps git from
# finding this checkout's repository above them (the collection itself, at the top of it, is still copied by git).
docs-lint: setup
	GIT_CEILING_DIRECTORIES=$(CURDIR) PATH=$(DOCS_VENV)/bin:$$PATH \
	  ANSIBLE_COLLECTIONS_PATH=$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') \
	  $(DOCS_VENV)/bin/antsibull-docs lint-collection-docs --plugin-docs \
	  --validate-collection-refs dependent --disallow-unknown-collection-refs $(COLLECTION_LINK)

# Branch coverage of plugins/ in pytest's processes (pytest-cov; paths mapped to plugins/ by pyproject.toml), traced
# in the unit tests of plugins/ only (conftest.py): the end-to-end tests run the plugins in ansible-playbook's
# workers, which are not traced, and the tracer would double the CPU of their own Python.
COVERAGE_DIR := $(CURDIR)/.coverage-data
pytest: setup  ## pytest: emulator, unit and integration tests (PYTEST_WORKERS in parallel), plugins/ coverage
	rm -rf $(COVERAGE_DIR) && mkdir -p $(COVERAGE_DIR) && rm -f .emulator/actions.json
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=15 --cov=$(COLLECTION_LINK)/plugins --cov-report=
	mv $(CURDIR)/.coverage $(COVERAGE_DIR)/pytest
	cd $(COVERAGE_DIR) && COVERAGE_FILE=combined $(BIN)/coverage combine --rcfile=$(CURDIR)/pyproject.toml -q pytest
	@echo "Branch coverage of plugins/ (in pytest's processes):"
	@cd $(CURDIR) && COVERAGE_FILE=$(COVERAGE_DIR)/combined $(BIN)/coverage report --rcfile=pyproject.toml

# The execution environment AWX runs, built with podman from local parts (a Debian base image made from Debian's
# packages, the collection's built artifact): docs/execution-environment.md. Not part of make test or make setup.
ee: $(VENV)/.installed  ## Build the execution environment image (execution-environment.yml) with podman
	@if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v mmdebstrap >/dev/null; then \
	  echo "Installing Debian's podman, buildah, runc and mmdebstrap (the execution environment's build)"; \
	  $(APT_INSTALL) podman buildah runc mmdebstrap >/dev/null; \
	fi
	ee/build.sh

ee-check: setup  ## Inside the execution environment (make ee first): site.yml deploys, then previews (--check), on the emulators
	ee/check.sh

# BENCH_ARGS: e.g. --only noop (one section), --repeat 5.
bench: setup $(AWSCLI_VENV)/.installed  ## Performance figures of site.yml on the emulator, against the AWS CLI (not part of make test)
	$(BIN)/python bench/bench.py --aws $(AWSCLI_VENV)/bin/aws $(BENCH_ARGS)

# From the code, the templates and the request log of the last test run (.emulator/actions.json, which pytest writes).
fidelity: setup  ## Write docs/fidelity.md: every AWS action and resource type the collection uses, as the emulator serves it
	@if [ ! -f .emulator/actions.json ]; then echo "No request log yet: run make pytest (or make test) first"; exit 1; fi
	$(BIN)/python tools/fidelity.py

role-docs: setup  ## Write docs/roles.md from the roles' argument specs
	$(BIN)/python tools/role_docs.py

lambda-code: setup  ## Embed roles/*/files/lambda/*.py into the templates that deploy them
	$(BIN)/python tools/lambda_code.py

constraints:  ## Re-pin every transitive dependency after a deliberate upgrade
	$(BIN)/pip freeze --exclude-editable > constraints-dev.txt
	$(CHECKOV_VENV)/bin/pip freeze > constraints-checkov.txt
	$(DOCS_VENV)/bin/pip freeze > constraints-docs.txt
	if [ -x $(AWSCLI_VENV)/bin/pip ]; then $(AWSCLI_VENV)/bin/pip freeze > constraints-awscli.txt; fi

clean: emulator-stop  ## Remove venvs, build links and test output
	rm -rf $(VENV) $(CHECKOV_VENV) $(DOCS_VENV) $(AWSCLI_VENV) .build .emulator tests/output .pytest_cache .ruff_cache
