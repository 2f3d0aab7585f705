# The two commands of the README:
#   make demo   build everything on the embedded SQLite database and serve http://127.0.0.1:8000
#   make test   run the whole test suite (SQLite by default; PostgreSQL when DATABASE_URL is set)
# Python 3.11 to 3.13: the newest one found on PATH, or PYTHON=/path/to/python3.x.
# Each candidate is run, not just looked up: a pyenv shim exists for every version pyenv has
# but fails ("command not found") unless that version is enabled.
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in python3.13 python3.12 python3.11 python3; do \
	if $$p -c 'import sys; assert (3, 11) <= sys.version_info[:2] < (3, 14)' >/dev/null 2>&1; \
	then echo $$p; break; fi; done)
endif
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint bench clean

# --no-compile: pip would byte-compile every file of every package (Django, Playwright,
# Hypothesis, …); Python compiles the modules actually imported, once, on first use. A second
# venv (CI's other Python) takes the wheels pip's cache kept from the first.
$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "No Python 3.11 to 3.13 found on PATH: install one, or run make PYTHON=/path/to/python3.x" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -c constraints.txt -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	CUAKHAU_DEMO=1 $(BIN)/cuakhau demo $(DEMO_ARGS)

# The suite starts Python again (the server, the deployment check, the concurrency tests'
# processes): each would compile every module it imports anew where the environment forbids
# writing bytecode (PYTHONDONTWRITEBYTECODE), seconds apiece. The first process writes it.
# One worker a core (pytest-xdist), each with its own test database, given a whole test file
# at a time (a file's shared data is built once); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python bench/gate_bench.py

clean:
	rm -rf $(VENV) var
