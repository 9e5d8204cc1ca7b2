# Two commands for people:  `make lab` opens the lessons, `make test` runs every test.
# Each makes its own virtual environment the first time and reuses it after: `make lab` a student's
# (.venv-lab: the kit, JupyterLab, the static pictures and PyTorch for lesson 10, nothing else, so JupyterLab
# shows only the lessons), `make test` the developers' (.venv: every extra, with the test, grading and Binder tools).
# For grading (INSTRUCTORS.md): `make instructors` builds only what an instructor needs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB_VENV  := .venv-lab
LAB_BIN   := $(LAB_VENV)/bin
LAB_STAMP := $(LAB_VENV)/.installed

.PHONY: lab test instructors bench site site-offline book clean

# Jupyter refuses to run as root unless told (containers and some lab machines run as root).
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

lab: $(LAB_STAMP)
	$(LAB_BIN)/jupyter lab $(ROOT_FLAG) lessons/

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

# The lessons as static HTML pages in build/book: each lesson run once, every stepper's walk recorded,
# so the pages step with no kernel (see README). Uses the developers' environment (nbconvert, pygraphviz).
book: $(STAMP)
	$(BIN)/python scripts/build_book.py

# A student's environment: what the lessons need and no grading, test, lint or Binder front end.
# Lesson 10 needs PyTorch: its CPU build (about 200 MB), the release binder/requirements.txt and the tests pin,
# from PyTorch's own index (from PyPI alone, pip on Linux takes the CUDA build of the same release, several GB).
# A pip install of its own, so that PyTorch's index is asked for PyTorch alone, not for the kit's other packages.
TORCH_CPU := torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
$(LAB_STAMP): pyproject.toml
	test -x $(LAB_BIN)/python || $(PYTHON) -m venv $(LAB_VENV)
	$(LAB_BIN)/python -m pip install --quiet --upgrade pip
	$(LAB_BIN)/python -m pip install --quiet -e ".[lab,static]"
	$(LAB_BIN)/python -m pip install --quiet $(TORCH_CPU)
	touch $(LAB_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,static,test,lint,browser,grading,binder,book]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) $(LAB_VENV) build *.egg-info
