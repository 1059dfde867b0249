# `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-slow test-lowest lock quick lint typecheck unit test-external bench bench-peers schema catalog dist clean

LOCK := requirements.lock

# The venv holds exactly the locked versions (checked by their hashes), then gkeplan itself.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Refresh the lock: the newest versions pyproject.toml's ranges allow, on every platform.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --upgrade --quiet --custom-compile-command "make lock" -o $(LOCK)

# The lowest versions pyproject.toml's ranges allow for gkeplan's own and its dev
# dependencies (their dependencies as new as those allow), in a venv of their own, under
# the quick suite: a lower bound that does not work fails here. The lock test is left out:
# this venv holds other versions than the lock on purpose.
LOWEST_VENV := .venv-lowest
test-lowest: $(STAMP)
	$(PYTHON) -m venv --clear $(LOWEST_VENV)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--resolution lowest-direct --quiet --no-header -o $(LOWEST_VENV)/lowest.txt
	$(LOWEST_VENV)/bin/python -m pip install --quiet -r $(LOWEST_VENV)/lowest.txt
	$(LOWEST_VENV)/bin/python -m pip install --quiet --no-deps -e .
	$(LOWEST_VENV)/bin/pytest -n 2 -q -m "not slow" -p no:cacheprovider \
		--deselect tests/layout/test_lock.py::test_the_venv_holds_exactly_the_locked_versions

lint: $(STAMP)
	$(BIN)/ruff check src tests tests_external benchmarks
	$(BIN)/ruff format --check src tests tests_external benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src tests tests_external

# `make test` runs one short case of each campaign; `make test-slow` the full campaigns
# (crash, faults, lost responses, fifty concurrent runs) and the install tests (the wheel in
# a clean venv, the pre-commit hook). CI runs both.
# Bytecode compiled first, as pip does for an installed package and Python does on users'
# machines (an editable install gets none, and this workplace's PYTHONDONTWRITEBYTECODE writes
# none): otherwise every gkeplan process the tests start compiles gkeplan again.
unit: $(STAMP)
	$(BIN)/python -m compileall -q src
	$(BIN)/pytest -n 2 -q -m "not slow"

test: lint typecheck unit

test-slow: $(STAMP)
	$(BIN)/python -m compileall -q src
	$(BIN)/pytest -n 2 -q -m slow

# Suites written by others (python-storage's system tests, Google's samples) against the
# emulator; not part of `make test`. Fetches nothing: see tests_external/README.md.
# A venv of its own: the locked versions, then what the external suites need on top (not
# locked), so that .venv keeps exactly the lock.
EXTERNAL_VENV := .venv-external
EXTERNAL_STAMP := $(EXTERNAL_VENV)/.external-stamp
$(EXTERNAL_STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv --clear $(EXTERNAL_VENV)
	$(EXTERNAL_VENV)/bin/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(EXTERNAL_VENV)/bin/python -m pip install --quiet -e '.[dev,external]'
	touch $@

test-external: $(EXTERNAL_STAMP)
	$(EXTERNAL_VENV)/bin/pytest -q -rP tests_external  # -rP: each suite prints its passed / total

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
	rm -rf $(VENV) $(EXTERNAL_VENV) $(LOWEST_VENV) .mypy_cache .pytest_cache .ruff_cache dist build
