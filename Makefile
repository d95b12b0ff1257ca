# Two commands for a fresh machine with Python 3.11+ (each installs what it needs into .venv):
#   make figures   # every figure of the default (quick) preset -> results/quick/
#   make test      # the test suite (physics + the tiny preset end to end)
PYTHON ?= python3
VENV ?= .venv
CORES ?= all
PRESET ?=
# Exact versions from the lock file (`make install LOCK=` installs from the ranges in pyproject.toml)
LOCK ?= requirements.lock
STAMP := $(VENV)/.installed

.PHONY: figures test lint format install lock tiny paper clean-results

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(if $(LOCK),$(VENV)/bin/python -m pip install --quiet -r $(LOCK),)
	$(VENV)/bin/python -m pip install --quiet -e '.[test,slurm,dev]'
	touch $(STAMP)

install: $(STAMP)

figures: $(STAMP)
	$(VENV)/bin/snakemake --cores $(CORES) $(if $(PRESET),--configfile presets/$(PRESET).yaml,)

tiny: $(STAMP)
	$(VENV)/bin/snakemake --cores $(CORES) --configfile presets/tiny.yaml

test: $(STAMP)
	$(VENV)/bin/python -m pytest

# The style gate of CI (configured in pyproject.toml), and the generated docs being current.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/snakefmt --check Snakefile workflow/rules
	$(VENV)/bin/snakemake --lint --configfile presets/tiny.yaml
	$(VENV)/bin/python scripts/data_dictionary.py --check
	$(VENV)/bin/python scripts/update_docs.py --check

# Apply the formatters (then `make lint`).
format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/snakefmt Snakefile workflow/rules

# Regenerate requirements.lock from the ranges in pyproject.toml (newest versions that satisfy them).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[test,slurm,dev]'
	{ echo "# Exact versions of every package the project installs (make install uses it; the ranges"; \
	  echo "# stay in pyproject.toml). Regenerate with: make lock"; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable | grep -v -i '^kasglass'; } > requirements.lock
	rm -rf .venv-lock

clean-results:
	rm -rf results/*/ .snakemake
