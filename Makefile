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

# Six workers on two cores: most of a test's time is waiting (a bot's answer, a browser, a
# process starting), and each worker has databases of its own. Tests are handed out one at a
# time (--maxschedchunk 1), longest files first (conftest's LONG_FIRST), so no worker is left
# with a queue of long ones. Bytecode is written even where the environment says not to
# (PYTHONDONTWRITEBYTECODE): the suite starts about a hundred and fifty Python processes, and
# each would compile the bot and pytest would rewrite the tests again (about 45 s of CPU).
JOBS ?= 6

test: $(STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(VENV)/bin/python -m pytest -q -n $(JOBS) --maxschedchunk 1 $(ARGS)

setup: $(STAMP)

# Re-installs when pyproject.toml changes; the stamp marks a finished install, so an interrupted
# one is simply repeated.
$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (first run only, about a minute)…"
	@$(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/python -m pip install --quiet --upgrade pip
	@$(VENV)/bin/python -m pip install --quiet -e ".[test]"
	@touch $@
