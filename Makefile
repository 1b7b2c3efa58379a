# Two commands do everything, setting up the virtual environment on first use:
#   make chat   the self-assessment in the terminal (ARGS="--lang sv --user anna" to pass options)
#   make test   the test suite (what CI runs)
#   make web    the browser chat and the pages on http://127.0.0.1:8080/ (no token needed)
# The explicit route is in the README: python3 -m venv .venv && .venv/bin/pip install -e ".[test]"

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: chat test web setup

chat: $(STAMP)
	@$(VENV)/bin/cluster-journey chat $(ARGS)

web: $(STAMP)
	@$(VENV)/bin/cluster-journey web $(ARGS)

# four workers on two cores: most of a test's time is waiting (a bot's answer, a browser, a
# process starting), and each worker has databases of its own
JOBS ?= 4

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -n $(JOBS) $(ARGS)

setup: $(STAMP)

# Re-installs when pyproject.toml changes; the stamp marks a finished install, so an interrupted
# one is simply repeated.
$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (first run only, about a minute)…"
	@$(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/python -m pip install --quiet --upgrade pip
	@$(VENV)/bin/python -m pip install --quiet -e ".[test]"
	@touch $@
