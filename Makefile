# Two commands for a fresh machine with Python 3.11+ (each installs what it needs into .venv):
#   make figures   # every figure of the default (quick) preset -> results/quick/
#   make test      # the test suite (physics + the tiny preset end to end)
PYTHON ?= python3
VENV ?= .venv
CORES ?= all
PRESET ?=
STAMP := $(VENV)/.installed

.PHONY: figures test lint format install tiny paper clean-results

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test,slurm,dev]'
	touch $(STAMP)

install: $(STAMP)

figures: $(STAMP)
	$(VENV)/bin/snakemake --cores $(CORES) $(if $(PRESET),--configfile presets/$(PRESET).yaml,)

tiny: $(STAMP)
	$(VENV)/bin/snakemake --cores $(CORES) --configfile presets/tiny.yaml

test: $(STAMP)
	$(VENV)/bin/python -m pytest

# The style gate of CI (configured in pyproject.toml): every check must pass.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/snakefmt --check Snakefile workflow/rules
	$(VENV)/bin/snakemake --lint --configfile presets/tiny.yaml

# Apply the formatters (then `make lint`).
format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/snakefmt Snakefile workflow/rules

clean-results:
	rm -rf results/*/ .snakemake
