# PrivacyDesk: a thin Makefile; the work is done by scripts/ and the `privacydesk` command.
SHELL := /bin/bash
VENV := .venv
RASA_VENV := .venv-rasa
PD := $(VENV)/bin/privacydesk

.PHONY: help setup train run test lint types validate pytest bench clean

help:  ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml requirements/lock.txt
	@scripts/make-venvs.sh project

$(RASA_VENV)/.installed: requirements/rasa-lock.txt
	@scripts/make-venvs.sh rasa

setup: $(VENV)/.installed $(RASA_VENV)/.installed  ## Create both environments (missing ones only)

train: setup  ## Train the Rasa model unless its inputs are unchanged (cached by fingerprint)
	@$(PD) train

run: setup  ## Run the whole assistant: Rasa, actions, console, scheduler (and mail when configured)
	@$(PD) run

lint: setup  ## ruff
	@$(VENV)/bin/ruff check .

types: setup  ## mypy (strict for the package)
	@$(VENV)/bin/mypy

validate: setup  ## rasa data validate
	@$(PD) validate

pytest: train  ## The pytest suite (starts Rasa, the action server, Dovecot, chromium as needed)
	@scripts/pytest.sh

test: lint types validate pytest  ## Everything CI runs

bench: setup  ## Benchmarks, written to docs/benchmarks.md
	@$(PD) bench

clean:  ## Remove environments and runtime state (var/, models/)
	rm -rf $(VENV) $(RASA_VENV) var models
