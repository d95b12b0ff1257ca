# Two commands for a fresh machine with Python 3.11+ (each installs what it needs into .venv):
#   make figures   # every figure of the default (quick) preset -> results/quick/
#   make test      # the test suite (physics + the tiny preset end to end)
PYTHON ?= python3
VENV ?= .venv
CORES ?= all
PRESET ?=
STAMP := $(VENV)/.installed

.PHONY: figures test install tiny paper clean-results

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test,slurm]'
	touch $(STAMP)

install: $(STAMP)

figures: $(STAMP)
	$(VENV)/bin/snakemake --cores $(CORES) $(if $(PRESET),--configfile presets/$(PRESET).yaml,)

tiny: $(STAMP)
	$(VENV)/bin/snakemake --cores $(CORES) --configfile presets/tiny.yaml

test: $(STAMP)
	$(VENV)/bin/python -m pytest

clean-results:
	rm -rf results/*/ .snakemake
