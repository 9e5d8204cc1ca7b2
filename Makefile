# Two commands for people:  `make lab` opens the lessons, `make test` runs every test.
# Each makes its own virtual environment (.venv) the first time and reuses it after.
# For grading (INSTRUCTORS.md): `make instructors` builds only what an instructor needs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test instructors bench site site-offline clean

# Jupyter refuses to run as root unless told (containers and some lab machines run as root).
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) lessons/

# Lint, format and type check first: any failure fails `make test` (and so CI).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# The instructors' environment only: JupyterLab, nbgrader, the grading sandbox's kernel spec, then what the
# sandbox holds on this machine (bubblewrap itself comes from the system: apt-get install bubblewrap).
instructors:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,grading]"
	$(BIN)/python -m backprop_widgets.grading.sandbox install
	$(BIN)/python -m backprop_widgets.grading.sandbox check

bench: $(STAMP)
	$(BIN)/python -m bench

# The lessons as a JupyterLite site in build/site (Python runs in the browser; see README).
# The build makes an environment of its own (pyproject's `site` extra) in ~/.cache.
site:
	$(PYTHON) scripts/build_site.py

site-offline:
	$(PYTHON) scripts/build_site.py --offline

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,static,test,lint,browser,grading,binder]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
