# Two commands do all set-up on a fresh machine: `make synth` and `make test`.
# Each creates the virtualenv and node_modules on first use.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# promtool and amtool for the alert-rule tests (tools/install-prometheus-tools.sh).
PROM_TOOLS := .tools/prometheus
PROM_STAMP := $(PROM_TOOLS)/.installed
# jsii runs on the Node 22 that package.json installs, not the system Node.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
export CHECKPOINT_DISABLE := 1
CODE := app stacks wildside_constructs wildside_ops benchmarks

.PHONY: help deps lock ci-cache-key synth render preview modules plan deploy test test-fast check-fmt fmt lint typecheck check bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

# uv installs the locked set (uv.lock: every transitive package, with hashes).
# A uv already on PATH is used; otherwise the pinned one (tools/uv-requirements.txt,
# hash-checked) is installed from PyPI into .tools/uv by the Python we were given.
UV_PIN := tools/uv-requirements.txt
UV_HOME := .tools/uv
UV ?= $(shell command -v uv 2>/dev/null || echo $(UV_HOME)/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

$(UV_HOME)/bin/uv: $(UV_PIN)
	@echo "==> installing the pinned uv into $(UV_HOME)"
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --require-hashes \
		--target $(UV_HOME) -r $(UV_PIN)
	@touch $@

$(PY_STAMP): pyproject.toml uv.lock | $(UV)
	@echo "==> creating $(VENV) and installing the locked Python dependencies with uv"
	$(UV) sync --locked --extra dev --python $(PYTHON) --quiet
	@touch $@

ci-cache-key: ## Print CI cache key lines (GITHUB_OUTPUT form) hashed from the lock files
	@sum=$$(cat uv.lock package-lock.json $(UV_PIN) | sha256sum | cut -c1-32); \
	prefix="wildside-$${RUNNER_OS:-local}-$${RUNNER_ARCH:-any}-"; \
	echo "key=$$prefix$$sum"; echo "prefix=$$prefix"; echo "tools=$(CURDIR)/$(dir $(UV_HOME))"

lock: $(UV) ## Re-resolve uv.lock after changing pyproject.toml dependencies
	$(UV) lock --python $(PYTHON)

$(NODE_STAMP): package.json package-lock.json
	@echo "==> installing the cdktf CLI and Node 22 into node_modules"
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(PROM_STAMP): tools/install-prometheus-tools.sh
	@echo "==> installing promtool and amtool into $(PROM_TOOLS) (no root)"
	tools/install-prometheus-tools.sh $(PROM_TOOLS)
	@# No stamp when the download failed, so the next run tries again.
	@if [ -x $(PROM_TOOLS)/usr/bin/promtool ]; then touch $@; fi

deps: $(PY_STAMP) $(NODE_STAMP) $(PROM_STAMP)

synth: deps ## Main job: synth both stacks, render, commit into the local GitOps repository
	$(BIN)/wildside synth

render: deps ## Platform-stack only (no provider bindings), then publish
	$(BIN)/wildside render

preview: deps ## Dry run: show what would change in the GitOps repository
	$(BIN)/wildside synth --dry-run --diff

modules: deps ## Regenerate infra-modules/ (plain OpenTofu modules) from the constructs
	$(BIN)/python -m app.modules

plan: deps ## Drift check of cluster-stack: exit 0 no changes, 1 error, 2 changes pending
	$(BIN)/wildside plan

deploy: deps ## Apply cluster-stack only when its plan has changes
	$(BIN)/wildside deploy

test: deps ## Run every test
	$(BIN)/python -m pytest -n auto --dist loadgroup

check-fmt: $(PY_STAMP) ## Check formatting
	$(BIN)/ruff format --check .

fmt: $(PY_STAMP) ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lint: $(PY_STAMP) ## Lint: ruff, and actionlint on every workflow and composite action
	$(BIN)/ruff check .
	$(BIN)/python -m wildside_ops.review.actionlint .

typecheck: $(PY_STAMP) ## Type-check (mypy --strict)
	$(BIN)/mypy $(CODE)

check: check-fmt lint typecheck test ## All gates

bench: deps ## Benchmarks (not part of `make test`)
	$(BIN)/python benchmarks/bench.py

clean: ## Remove build output (keeps the local GitOps repository)
	rm -rf cdktf.out .pytest_cache .mypy_cache .ruff_cache .tools
