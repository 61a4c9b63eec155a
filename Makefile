# The course's commands. Students need two: `make lab` and `make test`.
# Windows (no make): see README.md, "Without make (Windows)".

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8888
# As root (containers, CI), JupyterLab refuses to start without --allow-root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

# One BLAS thread per process: deterministic (solutions are executed the same way, so nbval
# sees identical numbers) and faster for the course's small matrices than fighting over 2 cores.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYTHONHASHSEED := 0

.PHONY: lab test data notebooks lint format venv benchmarks site test-site clean grading

# The installer uv, pinned in pyproject.toml with everything else: it installs the course's packages
# in seconds where pip takes over a minute (same versions: the pins decide).
UV_PIN := $(shell sed -n 's/^ *"\(uv==[^"]*\)".*/\1/p' pyproject.toml)

## venv: create .venv with the pinned packages and the helpers package installed
venv: $(VENV)/.installed

# pip only bootstraps uv: the system's pip puts it into the new venv (no seconds spent installing pip
# there first); without a system pip (>= 22.3), the venv's own pip from ensurepip does it.
# The Python the pins need (requires-python in pyproject.toml). A .venv made by an older Python, or
# half-made by a failed first try, is removed and made again; an older $(PYTHON) is named, with the fix.
MIN_PY := $(shell sed -n 's/^requires-python = ">=\([0-9.]*\)".*/\1/p' pyproject.toml)
PY_OK   = -c 'import sys; sys.exit(sys.version_info[:2] < tuple(map(int, "$(MIN_PY)".split("."))))'

$(VENV)/.installed: pyproject.toml
	@if [ -e $(VENV) ] && ! $(PY) $(PY_OK) 2>/dev/null; then \
	  echo "make venv: $(VENV) was made by a Python older than $(MIN_PY) (or is broken): making it again" >&2; \
	  rm -rf $(VENV); fi
	@test -x $(PY) || $(PYTHON) $(PY_OK) 2>/dev/null || { \
	  echo "make venv: the course needs Python >= $(MIN_PY), but '$(PYTHON)' is" \
	    "$$($(PYTHON) -c 'import platform; print(platform.python_version())' 2>/dev/null || echo 'not found')." >&2; \
	  echo "  Install Python $(MIN_PY) (python.org, your package manager, or 'uv python install $(MIN_PY)')," \
	    "then run: make venv PYTHON=python$(MIN_PY)" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv --without-pip $(VENV)
	@test -x $(VENV)/bin/uv \
	  || $(PYTHON) -m pip --python $(PY) install --quiet --disable-pip-version-check "$(UV_PIN)" 2>/dev/null \
	  || { $(PY) -m ensurepip --default-pip >/dev/null && $(PY) -m pip install --quiet "$(UV_PIN)"; }
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -e ".[dev]" pip
	@$(MAKE) -s lab-settings
	@touch $@

# No "Jupyter news?" pop-up and no update check over the first notebook: JupyterLab's app-wide
# defaults (binder/postBuild installs the same file on Binder).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
.PHONY: lab-settings
lab-settings:
	@mkdir -p $(dir $(LAB_OVERRIDES)) && cp binder/jupyterlab-overrides.json $(LAB_OVERRIDES)

# The website's tooling (the `site` extra of pyproject.toml; MathJax, and axe-core for `make test-site`, from
# docs/package-lock.json) goes into the same .venv and docs/node_modules, only when a site target is asked
# for: `make lab` and `make test` never need it.
SITE_INSTALLED := $(VENV)/.site-installed
NODE_MODULES := docs/node_modules/.installed

$(SITE_INSTALLED): $(VENV)/.installed pyproject.toml
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -e ".[dev,site]"
	@touch $@

$(NODE_MODULES): docs/package.json docs/package-lock.json
	@command -v npm >/dev/null || { echo "make site needs npm (Node.js) to install MathJax once" >&2; exit 1; }
	cd docs && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# nbgrader (the `grading` extra of pyproject.toml) goes into the same .venv, for `make grading` and the
# grading round trip of `make test`.
GRADING_INSTALLED := $(VENV)/.grading-installed

$(GRADING_INSTALLED): $(VENV)/.installed pyproject.toml
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -e ".[dev,grading]"
	@touch $@

## grading: write the nbgrader course folder _build/grading/ (one assignment per session) from solutions/ and release it
# nbgrader's own tools (alembic, jupyter-*) are found on PATH: .venv/bin goes first.
grading: $(GRADING_INSTALLED)
	$(PY) tools/build_notebooks.py --grading
	cd _build/grading && PATH="$(abspath $(VENV))/bin:$$PATH" nbgrader generate_assignment 'session*' --force
	@echo "_build/grading/release/ holds what students get; next: collect, autograde (see INSTRUCTORS.md, Grading)"

## lab: start JupyterLab on the course (PORT=8888 by default)
lab: venv
	@echo "Starting JupyterLab on http://localhost:$(PORT)/lab/tree/notebooks  (Ctrl+C to stop; the URL with its token follows)"
	$(PY) -m jupyter lab --no-browser --port=$(PORT) --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks $(ROOT_FLAG)

## test: lint, then every test (unit tests, notebook sync, nbval on solutions/, browser test)
test: venv $(GRADING_INSTALLED) lint
	PATH="$(abspath $(VENV))/bin:$$PATH" $(PY) -m pytest -n auto

## lint: ruff check and ruff format --check on code and notebooks
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## format: apply ruff's formatting
format: venv
	$(VENV)/bin/ruff format .

## data: regenerate data/ from scratch (deterministic, byte-identical)
data: venv
	$(PY) -m helpers.generate

## notebooks: write the student notebooks/ from solutions/
notebooks: venv
	$(PY) tools/build_notebooks.py

## benchmarks: print the course's performance figures
benchmarks: venv
	$(PY) benchmarks/time_notebooks.py
	$(PY) benchmarks/make_data_time.py
	$(PY) benchmarks/widget_redraw_time.py

## site: build the course website into _build/html/ (open _build/html/index.html; no network needed)
site: $(SITE_INSTALLED) $(NODE_MODULES)
	$(PY) tools/build_site.py

## test-site: build the website; open every page in headless Chromium at 1280 and 390 px, with axe-core
test-site: $(SITE_INSTALLED) $(NODE_MODULES)
	$(PY) -m pytest -m site tests/test_site.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache screenshots _build docs/node_modules docs/solutions
