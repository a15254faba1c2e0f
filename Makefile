# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON_BASE ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PY := $(BIN)/python
PIP := $(PY) -m pip --disable-pip-version-check
# Exactly the versions in the lockfiles (the registry here lacks some newer JupyterLab
# packages; to update a lock, run `npm install --before=<date>` and commit it).
NPM_INSTALL := npm ci --no-audit --no-fund
WORKSPACE ?= workspace
PORT ?= 8888

export PATH := $(BIN):$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PIP_NO_INPUT := 1

FRONTEND_SOURCES := $(shell find src style schema -type f 2>/dev/null) package.json tsconfig.json

.PHONY: help run test install system-deps api lint pytest jstest uitest demo clean

help:
	@echo "make run   - install everything, build the extension, prepare $(WORKSPACE)/ and start JupyterLab"
	@echo "make test  - install what is missing, then lint, Python tests, frontend tests, browser UI tests"

## Debian packages: git, Chromium for the UI tests, 7z for archives (unzip: a benchmark's baseline),
## PostgreSQL for the store tests, a Chinese font (the zh-CN UI; form controls show boxes without one).
system-deps:
	@missing=""; \
	command -v git >/dev/null || missing="$$missing git"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v 7z >/dev/null || missing="$$missing p7zip-full"; \
	command -v unzip >/dev/null || missing="$$missing unzip"; \
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing="$$missing postgresql"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-wqy-microhei"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

## Python: torch's CPU build first (it lies on disk; nothing may pull a CUDA build), then the rest.
$(VENV)/.stamp-base:
	$(PYTHON_BASE) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q "hatchling>=1.5" "hatch-jupyter-builder>=0.5" editables "jupyterlab>=4.4,<5"
	touch $@

node_modules/.stamp: package.json | $(VENV)/.stamp-base
	$(NPM_INSTALL)
	touch $@

jlab_platform/labextension/package.json: node_modules/.stamp $(FRONTEND_SOURCES)
	npm run build

$(VENV)/.stamp-install: $(VENV)/.stamp-base pyproject.toml jlab_platform/labextension/package.json
	$(PIP) install -q --no-build-isolation -e ".[ml,notebook,postgres,ray,dev]"
	$(BIN)/jupyter labextension develop --overwrite .
	$(BIN)/jupyter server extension enable --sys-prefix jlab_platform
	touch $@

ui-tests/node_modules/.stamp: ui-tests/package.json
	cd ui-tests && $(NPM_INSTALL)
	touch $@

install: system-deps $(VENV)/.stamp-install

demo: install
	$(PY) scripts/make_demo_workspace.py $(WORKSPACE)

run: demo
	@echo "Starting JupyterLab on http://127.0.0.1:$(PORT)/lab (the URL with its token follows)"
	cd $(WORKSPACE) && $(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) --no-browser --allow-root

## The OpenAPI document and the TypeScript types, generated from the declared routes (commit both;
## tests/server/test_openapi.py fails when they are stale). Needs no server.
api:
	$(PY) -m jlab_platform.server.openapi jlab_platform/openapi.json
	npm run --silent api:types > src/api/schema.ts

lint: install
	$(BIN)/ruff check jlab_platform tests scripts benchmarks ui-tests/jupyter_server_test_config.py
	$(BIN)/ruff format --check jlab_platform tests scripts benchmarks
	$(BIN)/mypy
	npm run lint

pytest: install
	$(BIN)/pytest -p no:cacheprovider tests

jstest: install
	npm test

uitest: install ui-tests/node_modules/.stamp
	cd ui-tests && npx playwright test

test: lint pytest jstest uitest

clean:
	rm -rf $(VENV) node_modules lib lib-test tsconfig.tsbuildinfo jlab_platform/labextension ui-tests/node_modules ui-tests/test-results
