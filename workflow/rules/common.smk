# Included first by the Snakefile. Validates the configuration, builds the plan, and defines
# helpers that look a job up in the plan by its label. Rules only wire files; parameters and
# resources come from the plan (kasglass.stages), by value; nothing is parsed back from a path.
import os
from pathlib import Path

from snakemake.utils import validate

from kasglass.config import validate_config
from kasglass.stages import build_plan

# Fail before any job runs, naming the key and the allowed range (one pass, one kind of error).
validate_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
validate(config, "../schemas/config.schema.yaml")

# Jobs import the library from this checkout even in an environment where it is not installed
# (e.g. --software-deployment-method conda with envs/kasglass.yaml).
_SRC = str(Path(workflow.basedir) / "src")
_PP = dict(os.environ).get("PYTHONPATH", "")
os.environ.update(PYTHONPATH=os.pathsep.join([_SRC] + [p for p in _PP.split(os.pathsep) if p]))
ENV = "../../envs/kasglass.yaml"
JOB_SCRIPT = "../../scripts/stage_job.py"

# Concurrent jobs must not race on numba's on-disk cache next to the sources.
if "NUMBA_CACHE_DIR" not in dict(os.environ):
    os.environ.update(NUMBA_CACHE_DIR=str(Path("~/.cache/kasglass/numba").expanduser()))

PLAN = build_plan(config)
RES = PLAN.root


def job_input(rule):
    """Input files of a job, by output key (use with unpack)."""
    if PLAN.step(rule).sharded:
        return lambda w: PLAN.job(rule, w.label).inputs
    return lambda w: PLAN.job(rule).inputs


def job_params(rule):
    """The job's parameters, by value, from the plan."""
    if PLAN.step(rule).sharded:
        return lambda w: PLAN.job(rule, w.label).params
    return lambda w: PLAN.job(rule).params


def job_expect(rule):
    """Input path -> (rule, parameters) of the job that must have written it (checked on read)."""
    return lambda w: PLAN.job(rule, getattr(w, "label", "")).expect


def job_provenance(rule):
    return lambda w: PLAN.job(rule, getattr(w, "label", "")).provenance


def job_mem_mb(rule):
    """Memory request (MB) of a job's attempt: grows with every retry (kasglass.stages.costs)."""
    return lambda w, attempt: PLAN.resources(rule, getattr(w, "label", ""), attempt)["mem_mb"]


def job_runtime(rule):
    """Runtime request (minutes) of a job's attempt: grows with every retry."""
    return lambda w, attempt: PLAN.resources(rule, getattr(w, "label", ""), attempt)["runtime"]
