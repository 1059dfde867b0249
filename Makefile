# `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-slow quick lint typecheck unit test-external bench bench-peers schema catalog dist clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests tests_external benchmarks
	$(BIN)/ruff format --check src tests tests_external benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src tests tests_external

# `make test` runs one short case of each campaign; `make test-slow` the full campaigns
# (crash, faults, lost responses, fifty concurrent runs) and the install tests (the wheel in
# a clean venv, the pre-commit hook). CI runs both.
unit: $(STAMP)
	$(BIN)/pytest -n 2 -q -m "not slow"

test: lint typecheck unit

test-slow: $(STAMP)
	$(BIN)/pytest -n 2 -q -m slow

# Suites written by others (python-storage's system tests, Google's samples) against the
# emulator; not part of `make test`. Fetches nothing: see tests_external/README.md.
EXTERNAL_STAMP := $(VENV)/.external-stamp
$(EXTERNAL_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,external]'
	touch $@

test-external: $(EXTERNAL_STAMP)
	$(BIN)/pytest -q -rP tests_external  # -rP: each suite prints its passed / total

# The edit-test loop: `make test`'s tests, without lint and mypy.
quick: unit

DEMO_VARS := --var PROJECT_ID=demo-project

# Apply the example to the built-in GCP sandbox (a fresh one each time), then plan again.
demo: $(STAMP)
	rm -rf .gkeplan/sandbox
	$(BIN)/gkeplan validate examples/stable-diffusion.yaml $(DEMO_VARS)
	$(BIN)/gkeplan apply examples/stable-diffusion.yaml $(DEMO_VARS) --sandbox --auto-approve
	$(BIN)/gkeplan plan examples/stable-diffusion.yaml $(DEMO_VARS) --sandbox --detailed-exitcode

# A wheel in dist/ (`pip install dist/gkeplan-*.whl`, or `pipx install .` from a clone).
dist: $(STAMP)
	rm -rf dist build
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/*.whl

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --out .bench/bench.jsonl

# checkov in a venv of its own (not part of `make test`); CHECKOV_SPEC picks the version.
CHECKOV_VENV := .bench/checkov-venv
CHECKOV_SPEC ?= checkov>=3.2,<4

$(CHECKOV_VENV)/.installed-stamp:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet '$(CHECKOV_SPEC)'
	touch $@

# gkeplan validate next to checkov on the same infrastructure, 10 to 10,000 resources.
bench-peers: $(STAMP) $(CHECKOV_VENV)/.installed-stamp
	$(BIN)/python benchmarks/bench_peers.py --checkov $(CHECKOV_VENV)/bin/checkov \
		--out .bench/peers.jsonl

schema: $(STAMP)
	$(BIN)/python -m gkeplan.validation.schema > spec/gkeplan.schema.json

# Regenerate the catalogs (gkeplan's and the emulator's) from ../shared/reference and fail if the committed data differs.
catalog: $(STAMP)
	$(BIN)/python src/gkeplan/catalog/build.py --reference ../shared/reference
	$(BIN)/python -m gkeplan_emulator.build_data --reference ../shared/reference
	git diff --exit-code -- src/gkeplan/catalog/data src/gkeplan_emulator/data

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache dist build
