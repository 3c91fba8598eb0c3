# The two commands: `make book` (set up and build the whole book) and `make test` (every test).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: book test check-raw lint chapter run render setup sync browser-deps baselines clean help
export P

help:
	@echo "make book                 set up the environment, execute every chapter, render _build/html"
	@echo "make test                 build the book, then run every test (lint, unit, sync, nbval, browser)"
	@echo "make check-raw            the checks against the raw DfE/Ofsted downloads (../shared/dfe-data)"
	@echo "make chapter CH=NAME P='a=1 b=2'   re-run one chapter with other parameters, then render"
	@echo "                          (P is passed exactly as written: P='exclude_las=[\"West Sussex\"]')"
	@echo "make sync                 regenerate notebooks/*.ipynb from the .py sources"
	@echo "make baselines            refresh the nbval regression baselines (review the diff!)"

$(STAMP): requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || (echo "Python 3.11 is required" && exit 1)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# The built book is up to date when it is newer than every source it is built from.
BOOK_SOURCES := $(shell find src notebooks data book -type f -not -path 'book/chapters/*' -not -name '*.pyc' 2>/dev/null) _toc.yml _config.yml
BOOK_STAMP := _build/html/index.html

book: $(STAMP)
	$(PY) -m sofs_lib.build.runner build

$(BOOK_STAMP): $(STAMP) $(BOOK_SOURCES)
	$(PY) -m sofs_lib.build.runner build

# P holds name=value assignments separated by spaces; a value's own spaces and quotes stay as
# written (brackets and quotes group). It reaches the executor through the environment ("$$P"),
# never re-split by make or the shell.
run: $(STAMP)
	$(PY) -m sofs_lib.build.runner run $(CH) --params "$$P"

chapter: $(STAMP)
	@test -n "$(CH)" || (echo "usage: make chapter CH=01_implementation P='alpha=0.01'" && exit 2)
	$(PY) -m sofs_lib.build.runner run $(CH) --params "$$P"
	$(PY) -m sofs_lib.build.runner render

render: $(STAMP)
	$(PY) -m sofs_lib.build.runner render

sync: $(STAMP)
	$(VENV)/bin/jupytext --to ipynb notebooks/*.py

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "The browser test needs Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

# Every test but those that read the raw DfE downloads (see check-raw); builds the book first
# unless it is already up to date.
test: $(BOOK_STAMP) browser-deps lint
	$(PY) -m pytest -m "not raw_data"

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests notebooks scripts
	$(VENV)/bin/ruff format --check src tests scripts

# The checks against the raw DfE/Ofsted downloads (../shared/dfe-data, or SOFS_DFE_DATA_DIR).
check-raw: $(STAMP)
	$(PY) -m pytest -m raw_data -p no:nbval -o addopts="-ra --strict-markers"

baselines: $(STAMP)
	$(PY) -m sofs_lib.build.regression refresh

clean:
	rm -rf _build book/chapters book/status.md
